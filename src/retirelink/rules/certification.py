"""Entitlement certification (资格认证): suspension for a missing certification, then back-pay.

人社厅发〔2018〕54号 (认证寓于服务) and 社会保险经办条例 第二十六条 (policy-spec §5.4): no
certification in the cycle suspends payment from the month after the cycle; a later
certification pays the suspended months back; a death found instead pays nothing back and the
overpayment is recovered (§5.2). The cycle length and the suspension month are parameters.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, months_inclusive
from retirelink.rules.death import calculate_death_overpayment
from retirelink.rules.explanation import Explanation, StepText, Trace, note, read_parameter
from retirelink.rules.money import ZERO, require_non_negative, to_fen
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.payments import PaidPeriod, Settled, month_after, payments_by_month

_CERT = "人社厅发〔2018〕54号；社会保险经办条例第二十六条；policy-spec §5.4"
_STEPS: Mapping[str, StepText] = {
    "cycle_end": ("认证周期末月", "周期起始月 + 周期月数 − 1", _CERT),
    "suspended_from": ("未认证暂停发放起始月", "周期末月 + 暂停口径", _CERT),
    "certification_back_pay": ("认证后补发", "Σ 暂停月起各月 max(应发 − 已发, 0)", _CERT),
}


@dataclass(frozen=True, slots=True)
class CertificationResult:
    """Suspension after a missed certification and what is paid back or recovered."""

    cycle_start: YearMonth
    cycle_end: YearMonth
    certified_in_cycle: bool
    suspended_from: YearMonth | None  # None: certified in the cycle, nothing suspended
    back_pay_months: int
    back_pay: Decimal
    overpaid_months: int
    overpaid: Decimal
    death_stop_month: YearMonth | None
    explanation: Explanation


def evaluate_certification(
    *,
    cycle_start: YearMonth,
    certified_on: date | None,
    died_on: date | None,
    monthly_amount: Decimal,
    paid: Sequence[PaidPeriod],
    as_of: YearMonth,
    params: ParameterSet,
    region: str | None = None,
) -> CertificationResult:
    """Suspension for a missing certification, and back-pay or recovery once the facts are known.

    ``certified_on`` is the first successful certification on or after ``cycle_start``.
    Legal basis: 人社厅发〔2018〕54号 (认证寓于服务); 社会保险经办条例 第二十六条 (信息比对、自助
    认证, stop when entitlement is lost); local practice (policy-spec §5.4 [S]): not certified in
    the cycle → suspend from the month after it; certified later → pay back from the suspension
    month; a death found instead → nothing paid back, payments after death recovered (§5.2).
    """
    require_non_negative(monthly_amount, "monthly_amount")
    _validate_certification(cycle_start, certified_on, died_on, as_of)
    trace = Trace()
    by_month = payments_by_month(paid)
    end = _cycle_end(trace, cycle_start, params, region)
    in_cycle = certified_on is not None and YearMonth.of(certified_on) <= end
    suspended = None if in_cycle else _suspension_month(trace, end, params, region)
    death = None
    if died_on is not None:
        death = calculate_death_overpayment(
            died_on=died_on, paid=paid, params=params, region=region
        )
        trace.extend(death.explanation)
    died = death.stop_month if death else None
    back = _certification_back_pay(
        trace, (suspended, certified_on, died), as_of, by_month, monthly_amount
    )
    return CertificationResult(
        cycle_start=cycle_start,
        cycle_end=end,
        certified_in_cycle=in_cycle,
        suspended_from=suspended,
        back_pay_months=back.back_pay_months,
        back_pay=back.back_pay,
        overpaid_months=death.overpaid_months if death else 0,
        overpaid=death.overpaid if death else ZERO,
        death_stop_month=died,
        explanation=trace.explanation(),
    )


def _validate_certification(
    cycle_start: YearMonth, certified_on: date | None, died_on: date | None, as_of: YearMonth
) -> None:
    if as_of < cycle_start:
        raise InvalidInputError("核算截止月早于认证周期起始月", field="as_of")
    if certified_on is None:
        return
    if not cycle_start <= YearMonth.of(certified_on) <= as_of:
        raise InvalidInputError("认证日期应在认证周期起始月与核算截止月之间", field="certified_on")
    if died_on is not None and certified_on > died_on:
        raise InvalidInputError("认证日期晚于死亡日期", field="certified_on")


def _cycle_end(
    trace: Trace, cycle_start: YearMonth, params: ParameterSet, region: str | None
) -> YearMonth:
    on = cycle_start.first_day()
    months = read_parameter(trace, params, "suspension.certification_cycle_months", on, region)
    end = cycle_start.plus(months - 1)
    return note(trace, _STEPS, "cycle_end", {"周期起始月": cycle_start, "周期月数": months}, end)


def _suspension_month(
    trace: Trace, cycle_end: YearMonth, params: ParameterSet, region: str | None
) -> YearMonth:
    name = "suspension.stop_month_after_certification_cycle"
    rule = read_parameter(trace, params, name, cycle_end.last_day(), region)
    inputs = {"周期末月": cycle_end, "口径": rule}
    return note(trace, _STEPS, "suspended_from", inputs, month_after(cycle_end, rule))


def _certification_back_pay(
    trace: Trace,
    events: tuple[YearMonth | None, date | None, YearMonth | None],
    as_of: YearMonth,
    paid: Mapping[YearMonth, Decimal],
    amount: Decimal,
) -> Settled:
    """Back-pay only after a later certification, and only for months before any death."""
    suspended, certified_on, died = events
    if suspended is None or certified_on is None:
        reason = "未暂停发放" if suspended is None else "未再认证（或查实死亡），不予补发"
        note(trace, _STEPS, "certification_back_pay", {"原因": reason}, ZERO)
        return Settled(0, ZERO)
    last = as_of if died is None else min(as_of, died.plus(-1))
    months = [suspended.plus(i) for i in range(months_inclusive(suspended, last))]
    owed = [amount - paid.get(month, ZERO) for month in months]
    owed = [gap for gap in owed if gap > 0]
    back_pay = to_fen(sum(owed, ZERO))
    inputs = {"暂停起始月": suspended, "认证日期": certified_on, "补发止月": last}
    note(trace, _STEPS, "certification_back_pay", {**inputs, "补发月数": len(owed)}, back_pay)
    return Settled(len(owed), back_pay)
