"""`retirelink prereview`: pre-review everyone nearing retirement, show a person's
checklist, send the queued notices."""

import typer
from rich.table import Table

from retirelink.cli.context import acting_user, console, open_services, reports_errors
from retirelink.errors import NotFoundError
from retirelink.workflow.model import ChecklistStatus, ItemCode
from retirelink.workflow.services import (
    checklist_of,
    deliver_notifications,
    list_checklists,
    run_prereview,
)

app = typer.Typer(help="退休预审：到龄人员清单、缺漏材料、通知", no_args_is_help=True)

_USER_HELP = "以该用户身份办理（默认：系统命令行）"


@app.command("run", help="对N个月内到达退休年龄的人员运行预审，并发送通知")
@reports_errors
def run_command(
    months: int = typer.Option(6, min=1, max=24, help="预审范围：今后N个月内到龄"),
    user: str | None = typer.Option(None, help=_USER_HELP),
    notify: bool = typer.Option(True, help="运行后立即发送排队的通知"),
) -> None:
    with open_services() as services:
        with services.uow(read_only=True) as uow:
            actor = acting_user(uow, user)
        summary = run_prereview(
            services.uow,
            actor=actor,
            months=months,
            params=services.parameters,
            region=services.settings.region,
        )
        console.print(
            f"预审（{summary.as_of}起{summary.months}个月）："
            f"在职参保人 {summary.persons_scanned} 人中"
            f"到龄 {summary.persons_due} 人；待补正 {summary.open}，材料齐全 {summary.ready}，"
            f"已补正 {summary.resolved}；新排队通知 {summary.notifications} 条"
        )
        if summary.items_by_code:
            table = Table("事项", "人次")
            for code, count in summary.items_by_code.items():
                table.add_row(ItemCode(code).label, str(count))
            console.print(table)
        if notify:
            with services.uow() as uow:
                sent, failed = deliver_notifications(
                    uow, services.notifier, actor=acting_user(uow, user)
                )
            console.print(f"通知：已发送 {sent} 条，发送失败 {failed} 条（下次重试）")


@app.command("list", help="列出预审结果")
@reports_errors
def list_command(
    status: ChecklistStatus | None = typer.Option(None, help="open / ready / resolved"),
    limit: int = typer.Option(50, min=1, max=1000, help="最多显示条数"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow(read_only=True) as uow:
        stored, total = list_checklists(
            uow, actor=acting_user(uow, user), status=status, limit=limit
        )
        names = {
            item.checklist.person_id: uow.persons.get(item.checklist.person_id) for item in stored
        }
    table = Table("参保人", "退休年月", "途径", "状态", "事项")
    for item in stored:
        person = names[item.checklist.person_id]
        table.add_row(
            f"{person.name if person else '?'}（{item.checklist.person_id}）",
            item.checklist.retirement_month,
            item.checklist.route.label,
            item.status.label,
            "；".join(i.code.label for i in item.checklist.items) or "—",
        )
    console.print(table)
    console.print(f"共 {total} 条")


@app.command("show", help="显示一名参保人的预审清单")
@reports_errors
def show_command(
    id_number: str = typer.Argument(..., help="公民身份号码"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow() as uow:
        person = uow.persons.get_by_id_number(id_number.strip().upper())
        if person is None or person.id is None:
            raise NotFoundError("没有该公民身份号码的参保人", field="id_number")
        stored = checklist_of(uow, actor=acting_user(uow, user), person_id=person.id)
    checklist = stored.checklist
    console.print(f"{person.name}：{stored.status.label}")
    for label, value in checklist.summary.items():
        console.print(f"  {label}：{value}")
    for number, item in enumerate(checklist.items, 1):
        console.print(f"  {number}. [{item.owner.label}] {item.code.label}：{item.text}")
