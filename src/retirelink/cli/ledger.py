import typer
from rich.table import Table

from retirelink.cli.context import console, err_console, open_services
from retirelink.ledger.model import LedgerAction
from retirelink.ledger.services import verify_ledger

app = typer.Typer(help="审计链", no_args_is_help=True)

_LABELS = {action.value: action.label for action in LedgerAction}


@app.command(help="重新计算整条哈希链，指出第一处被修改、删除或调序的条目")
def verify() -> None:
    with open_services() as services, services.uow(read_only=True) as uow:
        report = verify_ledger(uow.ledger.store)
    if report.broken:
        err_console.print(
            f"[red]审计链被篡改：第 {report.broken.seq} 条 —— {report.broken.reason}"
            f"（此前 {report.entries_checked} 条完好）[/red]"
        )
        raise typer.Exit(1)
    console.print(f"审计链完整：已校验 {report.entries_checked} 条，最新序号 {report.head_seq}")


@app.command(help="列出最新的审计记录")
def tail(
    limit: int = typer.Option(20, min=1, max=1000, help="条数"),
    action: str | None = typer.Option(None, help="只看某类操作，如 person.read"),
) -> None:
    with open_services() as services, services.uow() as uow:
        entries = uow.ledger.store.recent(limit=limit, action=action)
    table = Table("序号", "时间(UTC)", "操作人", "操作", "主体", "目的/依据")
    for e in entries:
        table.add_row(
            str(e.seq),
            e.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            f"{_LABELS.get(e.action, e.action)} ({e.action})",
            f"{e.subject_type}:{e.subject_key[:12]}",
            e.purpose,
        )
    console.print(table)
