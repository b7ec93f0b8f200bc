"""`retirelink apply`: take a retirement application, work its parallel tasks, show it."""

import typer
from rich.table import Table

from retirelink.cli.context import acting_user, console, open_services, reports_errors
from retirelink.errors import NotFoundError
from retirelink.workflow.application_services import (
    ApplicationRequest,
    ApplicationView,
    application_view,
    list_applications,
    submit_application,
    with_month,
)
from retirelink.workflow.applications import ApplicationRoute, Channel
from retirelink.workflow.recalculation_services import run_recalculations

app = typer.Typer(help="退休申请：受理、并联任务办理、查询", no_args_is_help=True)

_USER_HELP = "以该用户身份办理（默认：系统命令行）"


@app.command("submit", help="受理一件退休申请（只需身份证号和银行账户），并立即办理并联任务")
@reports_errors
def submit_command(
    id_number: str = typer.Argument(..., help="公民身份号码"),
    bank_name: str = typer.Option(..., help="开户银行"),
    bank_account: str = typer.Option(..., help="银行卡号"),
    route: ApplicationRoute = typer.Option(ApplicationRoute.STATUTORY, help="退休类型"),
    month: str | None = typer.Option(None, help="退休年月 YYYY-MM（弹性退休必填）"),
    channel: Channel = typer.Option(Channel.WINDOW, help="申请渠道"),
    employer_agrees: bool = typer.Option(False, help="用人单位同意延迟退休"),
    work: bool = typer.Option(True, help="受理后立即办理一轮并联任务"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    request = ApplicationRequest(
        id_number=id_number,
        route=route,
        channel=channel,
        bank_name=bank_name,
        bank_account=bank_account,
        employer_agrees=employer_agrees,
    )
    with open_services() as services:
        with services.uow() as uow:
            submitted = submit_application(
                uow,
                with_month(request, month),
                actor=acting_user(uow, user),
                params=services.parameters,
                region=services.settings.region,
            )
        application = submitted.application
        verb = "已受理" if submitted.created else "该月份已申请过，返回原申请"
        console.print(f"{verb}：{application.reference}（{application.retirement_month.label}）")
        if work:
            services.run_tasks()
        with services.uow() as uow:
            _print(
                application_view(
                    uow, actor=acting_user(uow, user), application_id=application.id or 0
                )
            )


@app.command("work", help="办理到期的并联任务（Web 服务的后台任务也会自动办理）")
@reports_errors
def work_command(
    rounds: int = typer.Option(1, min=1, max=1000, help="最多办理几轮"),
) -> None:
    with open_services() as services:
        for _ in range(rounds):
            summary = services.run_tasks()
            console.print(
                f"办结 {summary.decided} 项，等待部门重试 {summary.waiting} 项，"
                f"超时督办 {summary.escalated} 项"
            )
            if summary.decided + summary.waiting == 0:
                break


@app.command(
    "recalculate", help="重新核定按预发基数发放的基本养老金（基数公布后；后台每日自动运行）"
)
@reports_errors
def recalculate_command() -> None:
    with open_services() as services:
        done = run_recalculations(services.uow, services.task_settings)
    console.print(f"重新核定 {done} 人（其余仍待基数公布或无需重新核定）")


@app.command("show", help="显示一件退休申请及其并联任务")
@reports_errors
def show_command(
    reference: str = typer.Argument(..., help="受理编号，如 TX130406-20261204-000001"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow() as uow:
        application = uow.applications.by_reference(reference.strip())
        if application is None or application.id is None:
            raise NotFoundError("没有该受理编号的退休申请", field="reference")
        _print(application_view(uow, actor=acting_user(uow, user), application_id=application.id))


@app.command("list", help="列出退休申请")
@reports_errors
def list_command(
    limit: int = typer.Option(50, min=1, max=1000, help="最多显示条数"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow(read_only=True) as uow:
        rows, total = list_applications(uow, actor=acting_user(uow, user), limit=limit)
    table = Table("受理编号", "退休年月", "类型", "渠道", "状态")
    for application, state in rows:
        table.add_row(
            application.reference,
            str(application.retirement_month),
            application.route.label,
            application.channel.label,
            state.label,
        )
    console.print(table)
    console.print(f"共 {total} 件")


def _print(view: ApplicationView) -> None:
    console.print(
        f"{view.application.reference} {view.person.name}：{view.state.label}；"
        f"另需补充材料 {view.materials_asked} 件，跑动 {view.visits} 次"
    )
    table = Table("任务", "承办部门", "状态", "办理结果")
    for task in view.tasks:
        table.add_row(task.kind.label, task.department, task.status.label, task.summary or "—")
    console.print(table)
