"""数据共享: upload a partner department's file, see what became of it, list received files."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.exchange.catalogue import Catalogue
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA
from retirelink.exchange.services import (
    import_partner_file,
    importable_items,
    received_job,
    recent_files,
)
from retirelink.security.masking import may_see_unmasked
from retirelink.security.model import Actor
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import CurrentActor, ServicesDep, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_LABEL = "50 MB"
RECENT_SHOWN = 20


@router.get("/exchange")
def exchange_index(
    request: Request, actor: CurrentActor, uow: UnitOfWorkDep, services: ServicesDep
) -> Response:
    return _index(request, actor, uow, services.catalogue, item_code="", error=None)


@router.post("/exchange/files")
def exchange_upload(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    file: Annotated[UploadFile | None, File()] = None,
    item_code: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    catalogue = services.catalogue
    try:
        filename, data = _read_upload(file)
        outcome = import_partner_file(
            uow,
            actor=actor,
            data=data,
            filename=filename,
            item_code=item_code,
            catalogue=catalogue,
            receipt_key=services.receipt_key,
        )
    except _UploadTooLarge as error:
        return _index(request, actor, uow, catalogue, item_code, str(error), status=413)
    except (InvalidInputError, NotFoundError) as error:
        return _index(request, actor, uow, catalogue, item_code, error.message, status=422)
    suffix = "?resent=1" if outcome.duplicate else ""
    return RedirectResponse(f"/exchange/jobs/{outcome.job.id}{suffix}", status_code=303)


@router.get("/exchange/jobs/{job_id}")
def exchange_job(
    request: Request,
    job_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    services: ServicesDep,
    resent: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    found = received_job(uow, actor=actor, job_id=job_id)
    return render(
        request,
        "exchange/file.html",
        {
            "file": found,
            "item_name": _item_names(services.catalogue).get(found.item_code, found.item_code),
            "resent": bool(resent),
            "field_label": PARTNER_EVENT_SCHEMA.label,
            "unmasked": may_see_unmasked(actor),
        },
    )


class _UploadTooLarge(Exception):
    """The upload is over MAX_UPLOAD_BYTES; the message is the 中文 text to show."""


def _read_upload(file: UploadFile | None) -> tuple[str, bytes]:
    """The uploaded file's name and bytes; at most MAX_UPLOAD_BYTES + 1 bytes are read."""
    if file is None or not file.filename:
        raise InvalidInputError("请选择要上传的数据文件", field="file")
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _UploadTooLarge(f"文件过大：单个文件不得超过 {MAX_UPLOAD_LABEL}，请拆分后分别报送")
    if not data:
        raise InvalidInputError("上传的文件是空的，请检查后重新选择", field="file")
    return file.filename, data


def _item_names(catalogue: Catalogue) -> dict[str, str]:
    return {item.code: f"{item.department.label}·{item.name}" for item in catalogue}


def _index(
    request: Request,
    actor: Actor,
    uow: SqlAlchemyUnitOfWork,
    catalogue: Catalogue,
    item_code: str,
    error: str | None,
    *,
    status: int = 200,
) -> Response:
    files = recent_files(uow, actor=actor, limit=RECENT_SHOWN)
    names = _item_names(catalogue)
    return render(
        request,
        "exchange/index.html",
        {
            "files": files,
            "items": [(item.code, names[item.code]) for item in importable_items(catalogue)],
            "item_names": names,
            "item_code": item_code,
            "error": error,
            "max_upload": MAX_UPLOAD_LABEL,
        },
        status_code=status,
    )
