"""`retirelink exchange`: import partner departments' files and list what was received."""

import time
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from retirelink.archives.model import DepartmentKind
from retirelink.cli.context import acting_user as _actor
from retirelink.cli.context import console, err_console, open_services, reports_errors
from retirelink.errors import InvalidInputError
from retirelink.exchange.model import ExchangeJob, ImportOutcome, SyncStatus
from retirelink.exchange.runner import PassSummary
from retirelink.exchange.services import import_partner_path, recent_files
from retirelink.exchange.status_checks import check_alive_and_free
from retirelink.exchange.sync import restart_feed
from retirelink.security.masking import mask_id_number

app = typer.Typer(help="部门数据交换", no_args_is_help=True)

MAX_SHOWN_ISSUES = 50
_USER_HELP = "以该用户身份导入（默认：系统命令行）"


@app.command("import", help="导入协同部门报送的数据文件（CSV/XLSX/JSON）：先校验，无误才整体入库")
@reports_errors
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="数据文件"),
    item: str = typer.Option(..., help="共享目录数据项代码，如 public_security.death_cancellation"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow() as uow:
        outcome = import_partner_path(
            uow,
            actor=_actor(uow, user),
            path=file,
            item_code=item,
            catalogue=services.catalogue,
            receipt_key=services.receipt_key,
        )
    _print_outcome(outcome)
    if not outcome.applied:
        raise typer.Exit(1)


@app.command(help="列出最近接收的部门数据文件")
@reports_errors
def files(
    limit: int = typer.Option(20, min=1, max=500, help="条数"),
    user: str | None = typer.Option(None, help="以该用户身份查看（默认：系统命令行）"),
) -> None:
    with open_services() as services, services.uow() as uow:
        received = recent_files(uow, actor=_actor(uow, user), limit=limit)
    table = Table("接收时间(UTC)", "文件", "数据项", "状态", "总行数", "入库", "问题", "操作人")
    for f in received:
        table.add_row(
            f.received_at.strftime("%Y-%m-%d %H:%M:%S"),
            f.filename,
            f.item_code,
            f.status.label,
            str(f.rows_total),
            str(f.rows_applied),
            str(f.issue_count),
            f.actor,
        )
    console.print(table)
    console.print(f"共 {len(received)} 个文件")


def _print_outcome(outcome: ImportOutcome) -> None:
    f = outcome.job
    if outcome.duplicate:
        console.print(
            f"该文件此前已接收（{f.received_at:%Y-%m-%d %H:%M:%S} UTC，{f.status.label}），"
            "为重复报送，本次未重复导入"
        )
    if outcome.applied:
        console.print(
            f"文件“{f.filename}”已导入：共 {f.rows_total} 行，新入库 {f.rows_applied} 条，"
            f"已有记录跳过 {f.rows_skipped} 条（编码 {f.encoding}，格式 {f.format}）"
        )
        if f.rows_flagged:
            console.print(f"其中 {f.rows_flagged} 条经核验存疑（查无此人或与已有信息矛盾），已标记")
        _print_receipt(outcome)
        return
    err_console.print(
        f"[red]文件“{f.filename}”未通过校验，已整体拒收（未导入任何记录）："
        f"共 {f.rows_total} 行，发现 {f.issue_count} 个问题[/red]"
    )
    _print_issues(f)
    _print_receipt(outcome)


def _print_receipt(outcome: ImportOutcome) -> None:
    if outcome.receipt is not None:
        r = outcome.receipt
        console.print(
            f"回执 {r.receipt_id}：记录 {r.record_count} 条，接收 {r.accepted}，拒收 {r.rejected}；"
            f"载荷摘要（SM3）{r.payload_digest}"
        )


def _print_issues(f: ExchangeJob) -> None:
    table = Table("行号", "字段", "问题", "原值")
    for issue in f.issues[:MAX_SHOWN_ISSUES]:
        table.add_row(
            "—" if issue.row_number is None else str(issue.row_number),
            issue.field or "—",
            issue.message_zh,
            issue.value,
        )
    console.print(table)
    shown = min(len(f.issues), MAX_SHOWN_ISSUES)
    console.print(f"共 {f.issue_count} 个问题，显示前 {shown} 个；请改正后重新报送整个文件")


@app.command("run", help="执行一轮共享交换：扫描报送目录、同步各部门数据、发送待发请求")
@reports_errors
def run_pass() -> None:
    with open_services() as services:
        summary = services.exchange.run_once()
    _print_pass(summary)
    if summary.errors or any(report.status is not SyncStatus.OK for report in summary.feeds):
        raise typer.Exit(1)


@app.command(help="持续运行共享交换（每隔一段时间一轮），按 Ctrl-C 停止")
@reports_errors
def worker(
    interval: float = typer.Option(30.0, min=1, help="两轮之间的间隔（秒）"),
) -> None:
    with open_services() as services:
        console.print(f"共享交换持续运行中，每 {interval:g} 秒一轮；按 Ctrl-C 停止")
        try:
            while True:
                _print_pass(services.exchange.run_once())
                time.sleep(interval)
        except KeyboardInterrupt:
            console.print("已停止")


@app.command("restart-feed", help="重置某数据源的同步水位（对账不符后从头重新同步）")
@reports_errors
def restart(
    source: str = typer.Argument(..., help="数据源，如 justice.prisoners_in_custody@table"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow() as uow:
        restart_feed(uow, actor=_actor(uow, user), source=source)
    console.print(f"已重置 {source} 的同步水位，下一轮将从头同步（已接收的记录不会重复入库）")


@app.command(help="生存与服刑状态核验：依据公安、卫健、民政、司法共享数据，附依据")
@reports_errors
def check(
    id_number: str = typer.Argument(..., help="公民身份号码"),
    on: str = typer.Option(..., help="核验日期 YYYY-MM-DD"),
    purpose: str = typer.Option("命令行核验", help="核验目的/依据"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    day = parse_date_option(on, "on")
    with open_services() as services, services.uow() as uow:
        result = check_alive_and_free(
            uow, actor=_actor(uow, user), id_number=id_number, on=day, purpose=purpose
        )
    console.print(f"{mask_id_number(result.id_number)} 在 {day}：{result.summary_zh}")
    table = Table("部门", "数据项", "事件日期", "结束日期", "接收时间(UTC)", "核验")
    for record in result.death_evidence + result.custody_evidence:
        table.add_row(
            DepartmentKind(record.department).label,
            record.item_code,
            record.event_date.isoformat(),
            record.end_date.isoformat() if record.end_date else "—",
            record.received_at.strftime("%Y-%m-%d %H:%M:%S"),
            record.flag.label if record.flag else "一致",
        )
    console.print(table)


def parse_date_option(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"日期应为 YYYY-MM-DD 且真实存在：{text}", field=field) from None


def _print_pass(summary: PassSummary) -> None:
    for result in summary.inbox:
        console.print(f"报送目录 {result.department}/{result.path.name}：{result.status_zh}")
    for report in summary.feeds:
        text = (
            f"同步 {report.source}：{report.status.label}，{report.batches} 批 {report.rows} 条，"
            f"新入库 {report.applied} 条，水位 {report.watermark or '—'}"
        )
        console.print(text + (f"（{report.message}）" if report.message else ""))
    delivery = summary.delivery
    console.print(
        f"待发请求：送达 {delivery.delivered}，待重试 {delivery.retrying}，失败 {delivery.failed}"
    )
    for error in summary.errors:
        err_console.print(f"[red]{error}[/red]")
