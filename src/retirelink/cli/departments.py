import typer

from retirelink.archives.model import DepartmentKind
from retirelink.archives.services import ensure_department
from retirelink.cli.context import console, open_services, reports_errors
from retirelink.security.model import SYSTEM_ACTOR

app = typer.Typer(help="协同部门", no_args_is_help=True)

_KINDS = ", ".join(f"{kind.value}={kind.label}" for kind in DepartmentKind)


@app.command(help="登记协同部门（已存在则跳过）")
@reports_errors
def add(
    code: str = typer.Argument(..., help="部门代码，如 SHEBAO"),
    name: str = typer.Argument(..., help="部门名称"),
    kind: str = typer.Option(..., help=f"部门类别：{_KINDS}"),
    region: str = typer.Option("130406", help="行政区划代码 GB/T 2260"),
) -> None:
    with open_services() as services, services.uow() as uow:
        department = ensure_department(
            uow, actor=SYSTEM_ACTOR, code=code, name=name, kind=kind, region_code=region
        )
    console.print(f"部门 {department.code} {department.name}（{department.kind.label}）已登记")
