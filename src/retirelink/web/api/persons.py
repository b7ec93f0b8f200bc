from typing import Annotated

from fastapi import APIRouter, Query

from retirelink.archives.services import register_person, search_persons, view_person
from retirelink.web.deps import CurrentActor, UnitOfWorkDep
from retirelink.web.presenters import page_public, person_public
from retirelink.web.schemas import PersonCreate, PersonPagePublic, PersonPublic

router = APIRouter(prefix="/api/v1/persons", tags=["参保人"])


@router.get("", summary="按姓名或公民身份号码（前缀）查询参保人")
def api_search_persons(
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    q: Annotated[str, Query(min_length=1, max_length=30, description="姓名或公民身份号码")],
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PersonPagePublic:
    result = search_persons(uow, actor=actor, query=q, page=page, page_size=page_size)
    return page_public(result, actor)


@router.get("/{person_id}", summary="查看参保人（读取留痕）")
def api_get_person(
    person_id: int,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    purpose: Annotated[str, Query(max_length=100, description="查询目的/依据")] = "业务查询",
) -> PersonPublic:
    person = view_person(uow, actor=actor, person_id=person_id, purpose=purpose)
    return person_public(person, actor)


@router.post("", status_code=201, summary="登记参保人")
def api_register_person(
    body: PersonCreate, actor: CurrentActor, uow: UnitOfWorkDep
) -> PersonPublic:
    person = register_person(
        uow,
        actor=actor,
        id_number=body.id_number,
        name=body.name,
        ethnicity=body.ethnicity,
        hukou_region=body.hukou_region,
        phone=body.phone,
    )
    return person_public(person, actor)
