"""The fund guard's report (基金安全核查报告): who was checked in the latest batch run, the
findings by rule and by status with their amounts, what recovery cases have to recover and
have recovered, and every finding with its evidence — as an XLSX workbook (sheets 汇总 and
预警明细) or a PDF (WeasyPrint, fonts-noto-cjk).

ID numbers and names are masked (130406********123X, 张*) unless the actor's role may read
them unmasked; ID numbers are written as text cells, never numbers. Every export is recorded
in the ledger with its format, filters and size.
"""

import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs installed
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]

from retirelink.clock import CHINA_TZ
from retirelink.documents.approval_form import weasyprint_html
from retirelink.fundcheck.findings import FindingFilter, FindingStatus, FundRun, StoredFinding
from retirelink.fundcheck.model import CheckCode, Evidence
from retirelink.fundcheck.ports import FundUnitOfWork
from retirelink.fundcheck.services import PURPOSE, recent_runs
from retirelink.ledger.model import LedgerAction
from retirelink.security.masking import mask_id_number, mask_name, may_see_unmasked
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

TITLE = "基金安全核查报告"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The PDF lists this many findings; the workbook lists them all.
PDF_ROWS = 500
_READ_PAGE = 1_000

# Which side of the detail page a piece of evidence stands on: what partner departments
# reported (left) against what we paid and what the roll says (right).
PARTNER_KINDS = frozenset({"partner_record", "dispute", "rejected"})
EVIDENCE_LABELS: Mapping[str, str] = {
    "partner_record": "部门记录",
    "dispute": "数据异议",
    "rejected": "不予采用",
    "payment": "发放记录",
    "roll": "发放名册",
    "match": "身份比对",
    "sign_of_life": "生存迹象",
}
_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


# -- figures ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckFigures:
    check: CheckCode
    count: int
    open_count: int
    amount: Decimal
    open_amount: Decimal


@dataclass(frozen=True, slots=True)
class StatusFigures:
    status: FindingStatus
    count: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Figures:
    """Findings by rule and by status, and the recovery cases' amounts."""

    by_check: tuple[CheckFigures, ...]
    by_status: tuple[StatusFigures, ...]
    to_recover: Decimal
    recovered: Decimal

    @property
    def count(self) -> int:
        return sum(item.count for item in self.by_check)

    @property
    def open_count(self) -> int:
        return sum(item.open_count for item in self.by_check)

    @property
    def amount(self) -> Decimal:
        return sum((item.amount for item in self.by_check), Decimal("0"))

    @property
    def open_amount(self) -> Decimal:
        return sum((item.open_amount for item in self.by_check), Decimal("0"))

    @property
    def outstanding(self) -> Decimal:
        return self.to_recover - self.recovered


Totals = Iterable[tuple[str, str, int, Any]]


def figures(totals: Totals, recoveries: Iterable[Mapping[str, Any]]) -> Figures:
    """Figures from (check, status, count, amount) rows and the recovery plans."""
    checks: dict[CheckCode, list[Any]] = {}
    statuses: dict[FindingStatus, list[Any]] = {s: [0, Decimal("0")] for s in FindingStatus}
    for check_code, status_code, count, amount in totals:
        check, status, money = CheckCode(check_code), FindingStatus(status_code), Decimal(amount)
        line = checks.setdefault(check, [0, 0, Decimal("0"), Decimal("0")])
        line[0] += count
        line[2] += money
        if status.is_open:
            line[1] += count
            line[3] += money
        statuses[status][0] += count
        statuses[status][1] += money
    plans = list(recoveries)
    return Figures(
        by_check=tuple(
            CheckFigures(check, *checks[check]) for check in CheckCode if check in checks
        ),
        by_status=tuple(StatusFigures(status, *statuses[status]) for status in FindingStatus),
        to_recover=sum((Decimal(plan.get("to_recover", "0")) for plan in plans), Decimal("0")),
        recovered=sum((Decimal(plan.get("recovered", "0")) for plan in plans), Decimal("0")),
    )


def totals_of(findings: Iterable[StoredFinding]) -> list[tuple[str, str, int, Decimal]]:
    grouped: dict[tuple[str, str], list[Any]] = {}
    for finding in findings:
        line = grouped.setdefault((finding.check.value, finding.status.value), [0, Decimal("0")])
        line[0] += 1
        line[1] += finding.amount
    return [(check, status, count, amount) for (check, status), (count, amount) in grouped.items()]


def _all_findings(
    uow: FundUnitOfWork, actor: Actor, where: FindingFilter
) -> Iterator[StoredFinding]:
    """Every finding the filter selects (the export itself is the one ledger entry)."""
    del actor  # the permission was checked by build_report
    offset = 0
    while True:
        page = uow.fund.findings(where, limit=_READ_PAGE, offset=offset)
        yield from page
        if len(page) < _READ_PAGE:
            return
        offset += _READ_PAGE


def overview(uow: FundUnitOfWork, *, actor: Actor) -> Figures:
    """The figures over every finding (the 基金安全 page's summary cards)."""
    require(actor, Permission.FUND_CHECK)
    plans = [
        finding.recovery
        for status in (FindingStatus.RECOVERY, FindingStatus.CLOSED)
        for finding in _all_findings(uow, actor, FindingFilter(status=status))
        if finding.recovery
    ]
    return figures(uow.fund.totals(), plans)


# -- the report ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One finding as the report shows it (masked as the actor's role requires)."""

    finding: StoredFinding
    name: str
    id_number: str
    summary: str
    evidence: str


@dataclass(frozen=True, slots=True)
class FundReport:
    generated_at: datetime
    generated_by: str
    filters: str
    unmasked: bool
    run: FundRun | None
    figures: Figures
    lines: tuple[ReportLine, ...]

    @property
    def generated_label(self) -> str:
        return self.generated_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


def describe_filter(where: FindingFilter, *, unmasked: bool) -> str:
    parts = []
    if where.check is not None:
        parts.append(f"规则：{where.check.label}")
    if where.status is not None:
        parts.append(f"状态：{where.status.label}")
    if where.band is not None:
        parts.append(f"分档：{where.band.label}")
    if where.id_number:
        number = where.id_number if unmasked else mask_id_number(where.id_number)
        parts.append(f"公民身份号码：{number}")
    return "；".join(parts) or "全部预警"


def mask_text(text: str) -> str:
    """ID numbers inside a finding's free text, masked."""
    return _ID_NUMBER_IN_TEXT.sub(lambda match: mask_id_number(match.group(0).upper()), text)


def evidence_line(item: Evidence) -> str:
    label = EVIDENCE_LABELS.get(item.kind, item.kind)
    cited = f"（{item.reference}）" if item.reference and item.reference not in item.text else ""
    return f"[{label}] {item.text}{cited}"


def _line(finding: StoredFinding, unmasked: bool) -> ReportLine:
    evidence = "\n".join(evidence_line(item) for item in finding.evidence)
    if unmasked:
        return ReportLine(finding, finding.name, finding.id_number, finding.summary, evidence)
    return ReportLine(
        finding,
        mask_name(finding.name),
        mask_id_number(finding.id_number),
        mask_text(finding.summary),
        mask_text(evidence),
    )


def build_report(
    uow: FundUnitOfWork, *, actor: Actor, where: FindingFilter, export_format: str
) -> FundReport:
    """Gather the report for ``where`` and record the export in the ledger (one entry: the
    format, the filters, how many findings, masked or not)."""
    require(actor, Permission.FUND_CHECK)
    unmasked = may_see_unmasked(actor)
    found = list(_all_findings(uow, actor, where))
    runs = recent_runs(uow, actor=actor, limit=1)
    plans = [finding.recovery for finding in found if finding.recovery]
    filters = describe_filter(where, unmasked=unmasked)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.FUND_REPORT_EXPORTED,
        subject=uow.ledger.subject("fund_report", f"{export_format}:{filters}"),
        purpose=f"{PURPOSE}：导出{TITLE}（{export_format.upper()}，{len(found)}条）",
        after={
            "format": export_format,
            "filters": filters,
            "findings": len(found),
            "unmasked": unmasked,
        },
    )
    uow.commit()
    return FundReport(
        generated_at=uow.clock.now(),
        generated_by=actor.display_name or actor.username,
        filters=filters,
        unmasked=unmasked,
        run=runs[0] if runs else None,
        figures=figures(totals_of(found), plans),
        lines=tuple(_line(finding, unmasked) for finding in found),
    )


def report_filename(report: FundReport, suffix: str) -> str:
    return f"{TITLE}-{report.generated_at.astimezone(CHINA_TZ):%Y%m%d-%H%M%S}.{suffix}"


# -- XLSX ---------------------------------------------------------------------------------

_MONEY = "#,##0.00"
_TEXT = "@"
_BOLD = Font(bold=True)
_DETAIL_COLUMNS: tuple[tuple[str, int], ...] = (
    ("编号", 8),
    ("规则", 22),
    ("姓名", 10),
    ("公民身份号码", 21),
    ("待遇号", 10),
    ("分档", 10),
    ("置信度", 8),
    ("状态", 12),
    ("金额（元）", 14),
    ("月数", 6),
    ("起始月", 9),
    ("应暂停发放", 10),
    ("摘要", 50),
    ("证据", 80),
    ("应追回（元）", 14),
    ("已追回（元）", 14),
    ("发现时间", 20),
    ("最近变更", 20),
)


def fund_report_xlsx(report: FundReport) -> bytes:
    """The workbook: 汇总 (summary) and 预警明细 (every finding with its evidence)."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    _write_summary(summary, report)
    _write_details(workbook.create_sheet("预警明细"), report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_facts(run: FundRun | None) -> list[tuple[str, Any]]:
    if run is None:
        return [("最近一次批量核查", "尚未运行")]
    finished = run.finished_at.astimezone(CHINA_TZ) if run.finished_at else None
    return [
        ("最近一次批量核查", f"第{run.id}次（核查基准日{run.as_of}，{run.status_label}）"),
        ("完成时间", f"{finished:%Y-%m-%d %H:%M:%S}" if finished else "—"),
        ("核查人数（名册条数）", run.persons),
        ("候选（命中规则）", run.candidates),
        ("新增预警", run.new_findings),
        ("再次命中已有预警", run.seen_findings),
    ]


def _write_summary(sheet: Any, report: FundReport) -> None:
    sheet.append([TITLE])
    sheet["A1"].font = Font(bold=True, size=14)
    facts: list[tuple[str, Any]] = [
        ("生成时间", report.generated_label),
        ("生成人", report.generated_by),
        ("筛选条件", report.filters),
        ("个人信息", "明文（本角色可查看）" if report.unmasked else "已脱敏"),
        *run_facts(report.run),
    ]
    for label, value in facts:
        sheet.append([label, value])
    figures = report.figures
    _table(
        sheet,
        ("按规则", "预警数", "未办结", "金额（元）", "未办结金额（元）"),
        [(f.check.label, f.count, f.open_count, f.amount, f.open_amount) for f in figures.by_check]
        + [("合计", figures.count, figures.open_count, figures.amount, figures.open_amount)],
    )
    _table(
        sheet,
        ("按状态", "预警数", "金额（元）"),
        [(f.status.label, f.count, f.amount) for f in figures.by_status],
    )
    _table(
        sheet,
        ("追回", "金额（元）"),
        [
            ("应追回", figures.to_recover),
            ("已追回", figures.recovered),
            ("待追回", figures.outstanding),
        ],
    )
    for column, width in zip("ABCDE", (26, 40, 12, 16, 18), strict=True):
        sheet.column_dimensions[column].width = width


def _table(sheet: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    sheet.append([])
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = _MONEY


def _write_details(sheet: Any, report: FundReport) -> None:
    sheet.append([name for name, _ in _DETAIL_COLUMNS])
    for cell in sheet[1]:
        cell.font = _BOLD
    for index, (_, width) in enumerate(_DETAIL_COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    for line in report.lines:
        sheet.append(_detail_row(line))
        row = sheet.max_row
        for column in ("D", "E"):  # identifiers are text (Excel would make them numbers)
            sheet[f"{column}{row}"].number_format = _TEXT
        for column in ("I", "O", "P"):
            sheet[f"{column}{row}"].number_format = _MONEY
        sheet[f"N{row}"].alignment = Alignment(wrap_text=True, vertical="top")


def _detail_row(line: ReportLine) -> list[Any]:
    finding, plan = line.finding, line.finding.recovery or {}
    return [
        finding.id,
        finding.check.label,
        line.name,
        line.id_number,
        str(finding.pension_id),
        finding.band.label,
        round(finding.confidence, 2),
        finding.status.label,
        finding.amount,
        finding.months,
        finding.from_month or "",
        "是" if finding.suspend else "否",
        line.summary,
        line.evidence,
        Decimal(plan["to_recover"]) if "to_recover" in plan else None,
        Decimal(plan["recovered"]) if "recovered" in plan else None,
        _beijing(finding.found_at),
        _beijing(finding.updated_at),
    ]


def _beijing(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


# -- PDF ----------------------------------------------------------------------------------

_ENVIRONMENT = Environment(
    loader=PackageLoader("retirelink.documents", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)


def fund_report_html(report: FundReport) -> str:
    return _ENVIRONMENT.get_template("fund_report.html").render(
        title=TITLE,
        report=report,
        figures=report.figures,
        run_facts=run_facts(report.run),
        lines=report.lines[:PDF_ROWS],
        more=max(0, len(report.lines) - PDF_ROWS),
    )


def fund_report_pdf(report: FundReport) -> bytes:
    """The report as PDF bytes (A4 landscape)."""
    pdf: bytes = weasyprint_html()(string=fund_report_html(report)).write_pdf()
    return pdf
