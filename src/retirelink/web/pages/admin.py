from fastapi import APIRouter, Request
from fastapi.responses import Response

from retirelink.accounts.services import list_users
from retirelink.web.deps import CurrentActor, UnitOfWorkDep
from retirelink.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/users")
def users_page(request: Request, actor: CurrentActor, uow: UnitOfWorkDep) -> Response:
    users = list_users(uow, actor=actor)
    departments = {d.code: d.name for d in uow.departments.list_all()}
    return render(request, "admin/users.html", {"users": users, "departments": departments})
