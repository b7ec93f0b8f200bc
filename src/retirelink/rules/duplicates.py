"""Duplicate receipt (重复领取) and duplicate contributions (重复缴费) across pension schemes.

- 《城乡养老保险制度衔接暂行办法》第八条 (policy-spec §5.3 [C]): nobody may draw both the employee
  and the resident pension. The resident relationship ends; its personal-account balance is
  refunded except the government subsidies; the resident basic pension already drawn is returned,
  and if the person does not return it the agency deducts it from the resident account balance or
  the employee pension.
- 人社厅发〔2021〕77号: keep the employee (or 机关事业) pension; with several resident pensions keep
  the first place of receipt.
- 第七条: months paid into both schemes in one year count only for the employee scheme; the resident
  personal contributions and collective subsidies for those months are refunded.

The document number 人社部发〔2014〕17号 of the 衔接办法 is from memory [U] — verify.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth
from retirelink.rules.explanation import Explanation, StepText, Trace, note, read_parameter
from retirelink.rules.money import ZERO, require_non_negative, times, to_fen
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.payments import PaidPeriod, payments_by_month

EMPLOYEE = "employee"  # ``kept`` when the employee pension is kept
_ACT = "《城乡养老保险制度衔接暂行办法》（人社部发〔2014〕17号，文号待核）"
_77 = "人社厅发〔2021〕77号《关于做好重复领取养老保险待遇问题处理工作的通知》"
_STEPS: Mapping[str, StepText] = {
    "kept": ("保留的养老保险待遇", "保留职工养老金；多处城乡居民养老金保留首次领取地", _77),
    "duplicate_basic": (
        "重复领取的城乡居民基础养老金",
        "Σ 保留待遇起始月及以后各月已领基础养老金",
        f"{_ACT}第八条",
    ),
    "to_return": ("应退还基础养老金", "重复领取金额 − 本人已退还", f"{_ACT}第八条"),
    "refundable": ("可退还的个人账户余额", "个人账户余额 − 政府补贴", f"{_ACT}第八条"),
    "deductions": (
        "未退还部分的抵扣",
        "按抵扣口径依次从个人账户余额、保留的养老金中抵扣",
        f"{_ACT}第八条",
    ),
    "account_refund": ("退还本人的个人账户余额", "可退还余额 − 从账户中抵扣", f"{_ACT}第八条"),
    "same_scheme_kept": (
        "保留的同一险种养老金",
        "同一人两处领取同一险种养老金：保留首次领取（起始月较早）的一处",
        f"{_77}；国办发〔2009〕66号（待遇领取地唯一）",
    ),
    "same_scheme_overpaid": (
        "另一处重复领取的养老金",
        "Σ 保留待遇起始月及以后各月另一处已发金额",
        f"{_77}",
    ),
    "overlap_year": (
        "某年度重复缴费时段应退还的个人缴费和集体补助",
        "(个人缴费 + 集体补助) × 退还比例（按月折算：重复月数 ÷ 12；整年：有重复即全额）",
        f"{_ACT}第七条",
    ),
    "overlap_refund": ("重复缴费退还合计", "Σ 各年度退还额（政府补贴不退还）", f"{_ACT}第七条"),
}


@dataclass(frozen=True, slots=True)
class ResidentPension:
    """One resident-scheme pension (城乡居民养老保险待遇) as its paying agency records it."""

    place: str  # 领取地（行政区划代码）
    first_paid: YearMonth  # 首次领取月份
    basic_pension_paid: tuple[PaidPeriod, ...]  # 已领取的基础养老金（按月）
    account_balance: Decimal  # 个人账户余额
    government_subsidy: Decimal  # 其中政府补贴部分（含利息）
    returned_by_person: Decimal = ZERO  # 本人已退还的基础养老金

    def validate(self, field: str) -> None:
        for name in ("account_balance", "government_subsidy", "returned_by_person"):
            require_non_negative(getattr(self, name), f"{field}.{name}")
        if self.government_subsidy > self.account_balance:
            message = f"{self.place}的政府补贴超过个人账户余额"
            raise InvalidInputError(message, field=f"{field}.government_subsidy")


@dataclass(frozen=True, slots=True)
class ClearedPension:
    """What happens to one resident pension that is terminated."""

    place: str
    duplicate_months: int
    basic_pension_to_return: Decimal  # 应退还（已扣本人退还）的基础养老金
    deducted_from_account: Decimal  # 从个人账户余额中抵扣
    deducted_from_kept_pension: Decimal  # 从保留的养老金中抵扣
    account_refund: Decimal  # 退还本人的个人账户余额
    subsidy_not_refunded: Decimal  # 不予退还的政府补贴


@dataclass(frozen=True, slots=True)
class DuplicateReceiptResult:
    """The pension kept and what each terminated resident pension settles."""

    kept: str  # ``EMPLOYEE`` or the place code of the resident pension kept
    kept_from: YearMonth
    cleared: tuple[ClearedPension, ...]
    total_to_return: Decimal
    total_account_refund: Decimal
    total_deducted_from_kept_pension: Decimal
    explanation: Explanation


def evaluate_duplicate_receipt(
    *,
    employee_pension_start: YearMonth | None,
    residents: Sequence[ResidentPension],
    on: date,
    params: ParameterSet,
    keep_first_listed: bool = False,
) -> DuplicateReceiptResult:
    """Which pension is kept, and what each terminated resident pension returns and refunds.

    Legal basis: 《城乡养老保险制度衔接暂行办法》第八条 (terminate the resident relationship,
    refund the account balance except government subsidies, return the basic pension drawn or
    have it deducted); 人社厅发〔2021〕77号 (keep the employee pension; among resident pensions
    keep the first place of receipt). The deduction order is a parameter. Two resident
    pensions first paid in the same month cannot be ordered by month: with
    ``keep_first_listed`` the one listed first (the caller's registration order) is kept [S],
    otherwise the case is refused for a person to decide.
    """
    for number, resident in enumerate(residents):
        resident.validate(f"residents[{number}]")
    trace = Trace()
    kept, kept_from, cleared_schemes = _choose_kept(
        trace, employee_pension_start, residents, keep_first_listed
    )
    order = read_parameter(trace, params, "duplicates.offset_order", on)
    cleared = tuple(_clear(trace, resident, kept_from, order) for resident in cleared_schemes)
    return DuplicateReceiptResult(
        kept=kept,
        kept_from=kept_from,
        cleared=cleared,
        total_to_return=sum((item.basic_pension_to_return for item in cleared), ZERO),
        total_account_refund=sum((item.account_refund for item in cleared), ZERO),
        total_deducted_from_kept_pension=sum(
            (item.deducted_from_kept_pension for item in cleared), ZERO
        ),
        explanation=trace.explanation(),
    )


def _choose_kept(
    trace: Trace,
    employee_start: YearMonth | None,
    residents: Sequence[ResidentPension],
    keep_first_listed: bool = False,
) -> tuple[str, YearMonth, list[ResidentPension]]:
    if employee_start is not None:
        inputs = {"职工养老金起始月": employee_start, "城乡居民养老金处数": len(residents)}
        note(trace, _STEPS, "kept", inputs, "职工基本养老金")
        return EMPLOYEE, employee_start, list(residents)
    if not residents:
        raise InvalidInputError("没有需要处理的养老保险待遇", field="residents")
    ordered = sorted(residents, key=lambda resident: resident.first_paid)
    tied = len(ordered) > 1 and ordered[0].first_paid == ordered[1].first_paid
    if tied and not keep_first_listed:
        message = f"{ordered[0].place}与{ordered[1].place}同月首次领取，无法确定首次领取地"
        raise InvalidInputError(message, field="residents")
    first = ordered[0]
    inputs = {"首次领取月": first.first_paid, "城乡居民养老金处数": len(residents)}
    note(trace, _STEPS, "kept", inputs, f"首次领取地{first.place}的城乡居民养老金")
    return first.place, first.first_paid, ordered[1:]


def _clear(
    trace: Trace, resident: ResidentPension, kept_from: YearMonth, order: str
) -> ClearedPension:
    paid = payments_by_month(resident.basic_pension_paid, field=f"{resident.place}.basic_pension")
    duplicate = sorted(month for month in paid if month >= kept_from)
    drawn = to_fen(sum((paid[month] for month in duplicate), ZERO))
    inputs: dict[str, object] = {"领取地": resident.place, "重复月数": len(duplicate)}
    note(trace, _STEPS, "duplicate_basic", inputs, drawn)
    if resident.returned_by_person > drawn:
        message = f"{resident.place}本人已退还金额超过重复领取的基础养老金"
        raise InvalidInputError(message, field="returned_by_person")
    inputs = {"重复领取": drawn, "本人已退还": resident.returned_by_person}
    to_return = note(trace, _STEPS, "to_return", inputs, drawn - resident.returned_by_person)
    balance, subsidy = resident.account_balance, resident.government_subsidy
    inputs = {"个人账户余额": balance, "政府补贴": subsidy}
    refundable = note(trace, _STEPS, "refundable", inputs, to_fen(balance - subsidy))
    from_account = min(to_return, refundable) if order == "resident_account_first" else ZERO
    inputs = {"应退还": to_return, "抵扣口径": order, "从个人账户余额抵扣": from_account}
    from_kept = note(trace, _STEPS, "deductions", inputs, to_return - from_account)
    refund = note(trace, _STEPS, "account_refund", {}, refundable - from_account)
    return ClearedPension(
        place=resident.place,
        duplicate_months=len(duplicate),
        basic_pension_to_return=to_return,
        deducted_from_account=from_account,
        deducted_from_kept_pension=from_kept,
        account_refund=refund,
        subsidy_not_refunded=to_fen(subsidy),
    )


@dataclass(frozen=True, slots=True)
class ResidentContribution:
    """One year's resident-scheme contribution (城乡居民养老保险按年缴费)."""

    year: int
    personal: Decimal  # 个人缴费
    collective: Decimal = ZERO  # 集体补助


@dataclass(frozen=True, slots=True)
class OverlapRefund:
    """Resident contributions refunded for months also paid as an employee."""

    overlapping_months: int
    by_year: Mapping[int, int]  # year → overlapping months
    personal_refund: Decimal
    collective_refund: Decimal
    total: Decimal
    explanation: Explanation


def calculate_overlap_refund(
    *,
    employee_months: Sequence[tuple[YearMonth, YearMonth]],
    resident_years: Sequence[ResidentContribution],
    on: date,
    params: ParameterSet,
) -> OverlapRefund:
    """Refund of resident contributions for months also paid into the employee scheme.

    Legal basis: 《城乡养老保险制度衔接暂行办法》第七条 — the overlapping months count only for the
    employee scheme and the resident personal contributions and collective subsidies for them
    are refunded; government subsidies are not. The refund basis for yearly resident
    contributions (pro rata by month, or the whole year) is a parameter.
    """
    employee = _employee_months(employee_months)
    trace = Trace()
    basis = read_parameter(trace, params, "duplicates.overlap_refund_basis", on)
    by_year: dict[int, int] = {}
    personal, collective = ZERO, ZERO
    for contribution in _checked_years(resident_years):
        months = sum(1 for month in range(1, 13) if YearMonth(contribution.year, month) in employee)
        by_year[contribution.year] = months
        share = Fraction(months, 12) if basis == "months_pro_rata" else Fraction(min(months, 1))
        refund = (times(contribution.personal, share), times(contribution.collective, share))
        personal, collective = personal + refund[0], collective + refund[1]
        inputs = {"年度": contribution.year, "重复月数": months, "退还比例": share}
        inputs |= {"个人缴费": contribution.personal, "集体补助": contribution.collective}
        note(trace, _STEPS, "overlap_year", inputs, sum(refund, ZERO))
    inputs = {"个人缴费退还": personal, "集体补助退还": collective}
    total = note(trace, _STEPS, "overlap_refund", inputs, personal + collective)
    return OverlapRefund(
        sum(by_year.values()), by_year, personal, collective, total, trace.explanation()
    )


def _employee_months(periods: Sequence[tuple[YearMonth, YearMonth]]) -> set[YearMonth]:
    """Months of the employee contribution periods; reversed or overlapping periods are refused."""
    as_paid = [PaidPeriod(first, last, ZERO) for first, last in periods]
    return set(payments_by_month(as_paid, field="employee_months"))


def _checked_years(years: Sequence[ResidentContribution]) -> Sequence[ResidentContribution]:
    seen: set[int] = set()
    for number, contribution in enumerate(years):
        field = f"resident_years[{number}]"
        if contribution.year in seen:
            raise InvalidInputError(f"{contribution.year}年度重复出现", field=f"{field}.year")
        seen.add(contribution.year)
        require_non_negative(contribution.personal, f"{field}.personal")
        require_non_negative(contribution.collective, f"{field}.collective")
    return years


@dataclass(frozen=True, slots=True)
class SameSchemeDuplicate:
    """Two pensions of one scheme for one person: which is kept, what the other overpaid."""

    kept_from: YearMonth
    duplicate_months: int
    overpaid: Decimal
    explanation: Explanation


def evaluate_same_scheme_duplicate(
    *, kept_from: YearMonth, cleared_first: YearMonth, cleared_paid: Sequence[PaidPeriod]
) -> SameSchemeDuplicate:
    """Two pensions of the same scheme (two regions, or one person registered twice).

    Legal basis: 人社厅发〔2021〕77号 (one pension per person; clear the duplicate) and
    国办发〔2009〕66号 (one place of receipt, 待遇领取地). The pension first received is kept
    (``kept_from`` is its first month, not later than ``cleared_first``); every month the
    other paid from then on is recovered in full. [S]: 77号 names the rule for employee and
    resident pensions; for two pensions of one scheme the first place is kept as 77号 does
    for several resident pensions.
    """
    if cleared_first < kept_from:
        raise InvalidInputError("保留的待遇应为首次领取的一处", field="kept_from")
    trace = Trace()
    inputs: dict[str, object] = {"保留待遇起始月": kept_from, "另一处起始月": cleared_first}
    note(trace, _STEPS, "same_scheme_kept", inputs, f"{kept_from}起的一处")
    paid = payments_by_month(cleared_paid, field="cleared_paid")
    duplicate = sorted(month for month in paid if month >= kept_from)
    overpaid = to_fen(sum((paid[month] for month in duplicate), ZERO))
    note(trace, _STEPS, "same_scheme_overpaid", {"重复月数": len(duplicate)}, overpaid)
    return SameSchemeDuplicate(kept_from, len(duplicate), overpaid, trace.explanation())
