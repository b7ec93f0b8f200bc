"""`retirelink fund`: the fund guard (基金安全) — batch and continuous runs, findings, the
report."""

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from retirelink.cli.context import acting_user, console, open_services, reports_errors
from retirelink.documents.fund_report import build_report, fund_report_pdf, fund_report_xlsx
from retirelink.errors import InvalidInputError
from retirelink.fundcheck.certification_services import certification_of, record_certification
from retirelink.fundcheck.findings import FindingFilter, FindingStatus
from retirelink.fundcheck.model import Band, CheckCode, LifeSignSource
from retirelink.fundcheck.services import list_findings

app = typer.Typer(help="基金安全：死亡、服刑、重复领取、认证与异常核查", no_args_is_help=True)

_USER_HELP = "以该用户身份办理（默认：系统命令行）"


@app.command("run", help="对全部待遇发放名册运行一次批量核查（中断后再次运行即从断点续跑）")
@reports_errors
def run_command(user: str | None = typer.Option(None, help=_USER_HELP)) -> None:
    with open_services() as services:
        with services.uow(read_only=True) as uow:
            actor = acting_user(uow, user)
        run = services.run_fund_batch(actor)
    console.print(
        f"批量核查第{run.id}次（{run.as_of}）：名册 {run.persons} 条，候选 {run.candidates} 条；"
        f"新增预警 {run.new_findings} 条，已有预警再次命中 {run.seen_findings} 条"
    )
    by_check = run.summary.get("by_check", {})
    amounts = run.summary.get("amount_by_check", {})
    if by_check:
        table = Table("核查规则", "命中", "涉及金额（元）")
        for code, count in sorted(by_check.items()):
            table.add_row(CheckCode(code).label, str(count), amounts.get(code, "0"))
        console.print(table)


@app.command("watch", help="持续核查：检查自上次以来收到的部门数据（死亡、服刑）涉及的人员")
@reports_errors
def watch_command() -> None:
    with open_services() as services:
        read = services.run_fund_round()
    console.print(f"本轮读取部门记录 {read} 条")


@app.command("findings", help="列出预警")
@reports_errors
def findings_command(
    check: CheckCode | None = typer.Option(None, help="核查规则代码"),
    status: FindingStatus | None = typer.Option(None, help="预警状态"),
    band: Band | None = typer.Option(None, help="automatic / review / dismissed"),
    limit: int = typer.Option(50, min=1, max=1000, help="最多显示条数"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow() as uow:
        where = FindingFilter(check=check, status=status, band=band)
        found, total = list_findings(uow, actor=acting_user(uow, user), where=where, limit=limit)
    table = Table("编号", "规则", "待遇号", "分档", "状态", "金额（元）", "摘要")
    for finding in found:
        table.add_row(
            str(finding.id),
            finding.check.label,
            str(finding.pension_id),
            finding.band.label,
            finding.status.label,
            str(finding.amount),
            finding.summary,
        )
    console.print(table)
    console.print(f"共 {total} 条，显示 {len(found)} 条")


@app.command("report", help="导出基金安全核查报告（XLSX 和/或 PDF），导出记入审计链")
@reports_errors
def report_command(
    xlsx: Path | None = typer.Option(None, "--xlsx", help="写出 XLSX 报告到该路径"),
    pdf: Path | None = typer.Option(None, "--pdf", help="写出 PDF 报告到该路径"),
    check: CheckCode | None = typer.Option(None, help="核查规则代码"),
    status: FindingStatus | None = typer.Option(None, help="预警状态"),
    band: Band | None = typer.Option(None, help="automatic / review / dismissed"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    if xlsx is None and pdf is None:
        raise InvalidInputError("请用 --xlsx 或 --pdf 指定报告的保存路径", field="xlsx")
    where = FindingFilter(check=check, status=status, band=band)
    outputs = [(path, kind) for path, kind in ((xlsx, "xlsx"), (pdf, "pdf")) if path is not None]
    with open_services() as services:
        for path, kind in outputs:
            with services.uow() as uow:
                report = build_report(
                    uow, actor=acting_user(uow, user), where=where, export_format=kind
                )
            data = fund_report_xlsx(report) if kind == "xlsx" else fund_report_pdf(report)
            path.write_bytes(data)
            console.print(f"已写出{kind.upper()}报告 {path}（{len(report.lines)}条预警）")


@app.command("certification", help="查询某人本认证周期的资格认证情况及所依据的生存迹象")
@reports_errors
def certification_command(
    id_number: str = typer.Argument(..., help="公民身份号码"),
    user: str | None = typer.Option(None, help=_USER_HELP),
) -> None:
    with open_services() as services, services.uow() as uow:
        standings = certification_of(
            uow, services.guard, actor=acting_user(uow, user), id_number=id_number.upper()
        )
    table = Table("待遇号", "险种", "认证周期", "结果", "依据")
    for item in standings:
        cycle = f"{item.standing.cycle_start.label}至{item.standing.cycle_end.label}"
        sign = item.standing.sign
        basis = f"{sign.source.label} {sign.seen_on}（{sign.reference}）" if sign else "—"
        result = "已认证" if sign else "未认证，须主动认证"
        table.add_row(str(item.pension_id), item.scheme_label, cycle, result, basis)
    console.print(table)


@app.command("certify", help="登记主动认证（现场或自助），关闭未认证预警并计算暂停期间补发")
@reports_errors
def certify_command(
    id_number: str = typer.Argument(..., help="公民身份号码"),
    on: str = typer.Option(..., help="认证日期，如 2026-11-20"),
    reference: str = typer.Option(..., help="认证凭证编号（现场认证单号、自助认证流水号）"),
    source: LifeSignSource = typer.Option(
        LifeSignSource.IN_PERSON, help="in_person / self_service"
    ),
    user: str = typer.Option(..., help="办理的基金监管员用户名"),
) -> None:
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise InvalidInputError("认证日期格式应为 YYYY-MM-DD", field="on") from None
    with open_services() as services, services.uow() as uow:
        closed = record_certification(
            uow,
            services.guard,
            actor=acting_user(uow, user),
            id_number=id_number.upper(),
            source=source,
            on=day,
            reference=reference,
        )
    console.print(f"已登记{source.label}（{day}）")
    for finding_id, back_pay in closed:
        console.print(f"预警 {finding_id} 已办结，暂停期间应补发 {back_pay} 元")
