"""退休预审 pages: the checklists of everyone nearing retirement (filter by status), and one
person's checklist with the rules' determination and the notices sent."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from retirelink.errors import InvalidInputError
from retirelink.security.masking import mask_id_number, mask_name, may_see_unmasked
from retirelink.web.deps import CurrentActor, UnitOfWorkDep
from retirelink.web.templating import render
from retirelink.workflow.model import ChecklistStatus
from retirelink.workflow.services import checklist_of, list_checklists, notices_of

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@router.get("/prereview")
def prereview_index(
    request: Request,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    status: Annotated[str, Query(max_length=16)] = "open",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    chosen = _status(status)
    stored, total = list_checklists(
        uow, actor=actor, status=chosen, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    unmasked = may_see_unmasked(actor)
    people = {}
    for item in stored:
        person = uow.persons.get(item.checklist.person_id)
        if person is not None:
            name = person.name if unmasked else mask_name(person.name)
            people[item.checklist.person_id] = name
    return render(
        request,
        "prereview/index.html",
        {
            "checklists": stored,
            "people": people,
            "total": total,
            "status": status,
            "statuses": [(item.value, item.label) for item in ChecklistStatus],
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
        },
    )


def _status(raw: str) -> ChecklistStatus | None:
    if raw in ("", "all"):
        return None
    try:
        return ChecklistStatus(raw)
    except ValueError:
        raise InvalidInputError(
            "预审状态只能是 open、ready、resolved 或 all", field="status"
        ) from None


@router.get("/prereview/{person_id}")
def prereview_detail(
    request: Request, actor: CurrentActor, uow: UnitOfWorkDep, person_id: int
) -> Response:
    stored = checklist_of(uow, actor=actor, person_id=person_id)
    person = uow.persons.get(person_id)
    assert person is not None  # checklist_of found it
    unmasked = may_see_unmasked(actor)
    return render(
        request,
        "prereview/detail.html",
        {
            "stored": stored,
            "person": person,
            "name": person.name if unmasked else mask_name(person.name),
            "id_number": person.id_number if unmasked else mask_id_number(person.id_number),
            "notices": notices_of(uow, actor=actor, person_id=person_id),
        },
    )
