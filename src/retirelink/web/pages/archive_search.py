"""全文检索 page: Chinese full-text search of OCR'd page text and of the catalogue, with
highlighted snippets, filters, and every search ledgered."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from retirelink.archives.browsing import record_search
from retirelink.archives.material_classes import MATERIAL_CLASSES, MaterialType
from retirelink.errors import InvalidInputError
from retirelink.security.masking import mask_name, may_see_unmasked
from retirelink.security.model import Permission
from retirelink.security.permissions import require
from retirelink.storage.archive_search import search_pages
from retirelink.storage.search_results import SearchResult
from retirelink.web.deps import CurrentActor, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20


@router.get("/archives/search")
def archive_search(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    q: Annotated[str, Query(max_length=200)] = "",
    material_type: Annotated[str, Query(max_length=40)] = "",
    class_code: Annotated[str, Query(max_length=8)] = "",
    year_from: Annotated[str, Query(max_length=8)] = "",
    year_to: Annotated[str, Query(max_length=8)] = "",
    page: Annotated[int, Query(ge=1, le=50)] = 1,
) -> Response:
    require(actor, Permission.ARCHIVE_READ)
    result: SearchResult | None = None
    error = None
    if q.strip():
        try:
            first, last = _year(year_from, "year_from"), _year(year_to, "year_to")
            result = search_pages(
                uow.session,
                q,
                material_type=material_type or None,
                class_code=class_code or None,
                year_from=first,
                year_to=last,
                limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE,
                time_limit_ms=request.app.state.services.settings.search_time_limit_ms,
            )
            record_search(uow, actor=actor, query=q.strip(), results=result.total)
        except InvalidInputError as error_:
            error = error_.message
    unmasked = may_see_unmasked(actor)
    names = {}
    if result is not None:
        names = {
            hit.person_id: hit.person_name if unmasked else mask_name(hit.person_name)
            for hit in result.hits
        }
    return render(
        request,
        "archives/search.html",
        {
            "tab": "search",
            "q": q,
            "result": result,
            "names": names,
            "error": error,
            "page": page,
            "page_size": PAGE_SIZE,
            "material_type": material_type,
            "class_code": class_code,
            "year_from": year_from,
            "year_to": year_to,
            "types": [(item.value, item.label) for item in MaterialType],
            "classes": [(item.code, item.label) for item in MATERIAL_CLASSES],
        },
        status_code=422 if error else 200,
    )


def _year(text: str, field: str) -> int | None:
    """A year typed in the form: empty for none, else four digits."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if not (cleaned.isascii() and cleaned.isdigit() and len(cleaned) == 4):
        raise InvalidInputError("形成年份应为四位数字，如 1965", field=field)
    return int(cleaned)
