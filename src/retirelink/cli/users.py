import typer

from retirelink.accounts.services import create_user, grant_role
from retirelink.cli.context import console, open_services, reports_errors
from retirelink.errors import InvalidInputError
from retirelink.security.model import (
    GRANTABLE_ROLES,
    SYSTEM_ACTOR,
    Principal,
    PrincipalKind,
    Role,
)

app = typer.Typer(help="用户与角色", no_args_is_help=True)

_ROLES = ", ".join(f"{role.value}={role.label}" for role in sorted(GRANTABLE_ROLES))


def _parse_roles(raw: list[str]) -> frozenset[Role]:
    try:
        return frozenset(Role(code.strip()) for code in raw if code.strip())
    except ValueError:
        raise InvalidInputError(f"未知角色；可选：{_ROLES}", field="role") from None


@app.command(help="创建用户账号")
@reports_errors
def create(
    username: str = typer.Argument(..., help="用户名（小写字母开头）"),
    display_name: str = typer.Option(..., "--name", help="姓名"),
    department: str = typer.Option(..., help="所属部门代码"),
    role: list[str] = typer.Option([], help=f"角色，可重复：{_ROLES}"),
    password: str = typer.Option(
        ..., prompt="密码", hide_input=True, confirmation_prompt=True, help="登录密码"
    ),
    for_person: str = typer.Option("", help="申请人账号：绑定参保人的公民身份号码"),
    for_employer: str = typer.Option("", help="申请人账号：绑定用人单位的统一社会信用代码"),
) -> None:
    with open_services() as services, services.uow() as uow:
        user = create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=username,
            display_name=display_name,
            department_code=department,
            password=password,
            roles=_parse_roles(role),
            represents=_principal(for_person, for_employer),
        )
    roles = "、".join(r.label for r in sorted(user.roles)) or "无"
    console.print(f"已创建用户 {user.username}（{user.display_name}），角色：{roles}")


def _principal(for_person: str, for_employer: str) -> Principal | None:
    if for_person and for_employer:
        raise InvalidInputError("申请人账号只能绑定参保人或用人单位之一", field="represents")
    if for_person:
        return Principal(PrincipalKind.PERSON, for_person)
    if for_employer:
        return Principal(PrincipalKind.EMPLOYER, for_employer)
    return None


@app.command(help="授予角色（遵守三员分立）")
@reports_errors
def grant(username: str, role: str = typer.Argument(..., help=_ROLES)) -> None:
    (parsed,) = _parse_roles([role]) or (None,)
    if parsed is None:
        raise InvalidInputError("请指定角色", field="role")
    with open_services() as services, services.uow() as uow:
        user = grant_role(uow, actor=SYSTEM_ACTOR, username=username, role=parsed)
    roles = "、".join(r.label for r in sorted(user.roles))
    console.print(f"用户 {user.username} 现有角色：{roles}")
