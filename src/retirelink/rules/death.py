"""Death of an insured person: stop month, overpayment, survivor benefits, offset, fraud fine.

- Payment stops from the month after death (死亡次月停发) — local practice [S], a parameter.
  A court's declaration of death gives the date of death (人社部发〔2021〕18号).
- 丧葬补助金 and 抚恤金: 《企业职工基本养老保险遗属待遇暂行办法》(人社部发〔2021〕18号), in
  force 2021-09-01, for deaths from illness or not at work (work injuries are 工伤保险).
- Pension paid after the stop month is returned; agencies offset it against survivor benefits.
- 冒领/骗取: 社会保险法 第八十八条 — return the amount and a fine of 2 to 5 times it.

Paid months (``PaidPeriod``) are in ``payments``; money rounding is in ``money``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths, months_inclusive
from retirelink.rules.explanation import Explanation, StepText, Trace, note, read_parameter
from retirelink.rules.money import ZERO, require_non_negative, times, to_fen
from retirelink.rules.parameters import ParameterSet, series_value
from retirelink.rules.payments import PaidPeriod, month_after, payments_by_month

_18 = "《企业职工基本养老保险遗属待遇暂行办法》（人社部发〔2021〕18号）"
_88 = "《中华人民共和国社会保险法》第八十八条"
_STOP = "死亡次月停发（地方经办口径）；policy-spec §5.2"
_STEPS: Mapping[str, StepText] = {
    "death_stop_month": ("停发月份", "死亡月份 + 停发口径", _STOP),
    "overpaid": ("死亡后多发养老金", "Σ 停发月份及以后各月已发金额", _STOP),
    "monthly_income": ("上年度城镇居民月人均可支配收入", "死亡上一年度的本省数值", _18),
    "funeral_grant": ("丧葬补助金", "月人均可支配收入 × 倍数", f"{_18}丧葬补助金"),
    "in_service_months": (
        "按缴费年限确定的抚恤金月数",
        "分档月数 + 超过起点年限的部分每年1个月（计算到月，超过上限年限按上限计）",
        f"{_18}抚恤金发放月数",
    ),
    "pension_months": (
        "退休人员抚恤金发放月数",
        "max(最低月数, 按缴费年限的月数 − 领取养老金年限)",
        f"{_18}退休人员抚恤金（最低9个月）",
    ),
    "survivor_pension": ("抚恤金", "月人均可支配收入 × 发放月数（四舍五入到分）", f"{_18}抚恤金"),
    "survivor_total": ("遗属待遇合计", "丧葬补助金 + 抚恤金", _18),
    "offset": (
        "多发养老金从遗属待遇中抵扣",
        "min(多发金额, 遗属待遇合计)",
        "多发待遇从遗属待遇中抵扣（经办实践）；policy-spec §5.2 [X05]",
    ),
    "net_benefits": ("抵扣后应付遗属待遇", "遗属待遇合计 − 抵扣", "policy-spec §5.2 [X05]"),
    "still_to_recover": ("抵扣后仍须追回", "多发金额 − 抵扣", "policy-spec §5.2 [X05]"),
    "fine_minimum": ("罚款下限", "骗取金额 × 最低倍数", _88),
    "fine_maximum": ("罚款上限", "骗取金额 × 最高倍数", _88),
}


@dataclass(frozen=True, slots=True)
class Deceased:
    """The facts about a deceased insured person that the death rules read."""

    born_on: date
    died_on: date
    contribution_months: int  # 缴费年限（含视同缴费）, counted to the month
    pension_start: YearMonth | None = None  # first pension month; None: died in service (在职)

    def validate(self) -> None:
        if self.died_on < self.born_on:
            raise InvalidInputError("死亡日期早于出生日期", field="died_on")
        if self.contribution_months < 0:
            raise InvalidInputError("缴费月数不能为负数", field="contribution_months")
        if self.pension_start is not None and YearMonth.of(self.died_on) < self.pension_start:
            message = f"死亡日期早于退休（领取养老金）起始月{self.pension_start.label}"
            raise InvalidInputError(message, field="died_on")


@dataclass(frozen=True, slots=True)
class DeathOverpayment:
    """Pension paid for months after death that must be returned."""

    stop_month: YearMonth  # first month not due after death
    overpaid_months: int
    overpaid: Decimal
    explanation: Explanation


def death_stop_month(
    died_on: date, *, params: ParameterSet, region: str | None = None, trace: Trace
) -> YearMonth:
    """First month no longer due after death (死亡次月停发, a parameter; policy-spec §5.2 [S])."""
    convention = read_parameter(trace, params, "survivors.stop_month_after_death", died_on, region)
    stop = month_after(YearMonth.of(died_on), convention)
    return note(trace, _STEPS, "death_stop_month", {"死亡日期": died_on, "口径": convention}, stop)


def calculate_death_overpayment(
    *, died_on: date, paid: Sequence[PaidPeriod], params: ParameterSet, region: str | None = None
) -> DeathOverpayment:
    """Pension paid for months from the stop month on must be returned.

    Legal basis: 死亡次月停发 (local practice, policy-spec §5.2 [S]); overpayments after death are
    returned (社会保险法 第八十八条 when obtained by fraud).
    """
    trace = Trace()
    by_month = payments_by_month(paid)
    stop = death_stop_month(died_on, params=params, region=region, trace=trace)
    after = sorted(month for month in by_month if month >= stop)
    overpaid = to_fen(sum((by_month[month] for month in after), ZERO))
    span = f"{after[0]}至{after[-1]}" if after else "无"
    inputs = {"停发月份": stop, "多发月数": len(after), "多发月份": span}
    note(trace, _STEPS, "overpaid", inputs, overpaid)
    return DeathOverpayment(stop, len(after), overpaid, trace.explanation())


@dataclass(frozen=True, slots=True)
class SurvivorBenefits:
    """丧葬补助金 and 抚恤金 with the income and months behind them."""

    income_year: int
    monthly_income: Decimal  # 上年度城镇居民月人均可支配收入
    funeral_grant: Decimal  # 丧葬补助金
    pension_months: Fraction  # 抚恤金发放月数
    survivor_pension: Decimal  # 抚恤金
    total: Decimal
    explanation: Explanation


def calculate_survivor_benefits(
    deceased: Deceased, *, params: ParameterSet, region: str | None = None
) -> SurvivorBenefits:
    """丧葬补助金 and 抚恤金 for a death from illness or not at work (人社部发〔2021〕18号).

    丧葬补助金 = 2 × the province's prior-year 城镇居民月人均可支配收入; 抚恤金 = that income ×
    months, the months set by contribution years in service, minus one per year of pension
    received for a pensioner (minimum 9). Years count to the month (policy-spec §5.2 [X06]).
    """
    deceased.validate()
    trace = Trace()
    died_on = deceased.died_on
    year, income = _monthly_income(trace, died_on, params, region)
    multiple = read_parameter(trace, params, "survivors.funeral_grant_months", died_on, region)
    inputs: dict[str, object] = {"月人均可支配收入": income, "倍数": multiple}
    funeral = note(trace, _STEPS, "funeral_grant", inputs, times(income, multiple))
    months = _pension_months(trace, deceased, params, region)
    inputs = {"月人均可支配收入": income, "发放月数": months_text(months)}
    pension = note(trace, _STEPS, "survivor_pension", inputs, times(income, months))
    total = note(trace, _STEPS, "survivor_total", {}, funeral + pension)
    return SurvivorBenefits(year, income, funeral, months, pension, total, trace.explanation())


def _monthly_income(
    trace: Trace, died_on: date, params: ParameterSet, region: str | None
) -> tuple[int, Decimal]:
    name = "survivors.urban_monthly_disposable_income"
    series = read_parameter(trace, params, name, died_on, region)
    year = died_on.year - 1
    income = series_value(series, year, name=name)
    return year, note(trace, _STEPS, "monthly_income", {"统计年度": year}, income)


def _pension_months(
    trace: Trace, deceased: Deceased, params: ParameterSet, region: str | None
) -> Fraction:
    on = deceased.died_on
    in_service = _in_service_months(trace, deceased.contribution_months, params, on, region)
    if deceased.pension_start is None:
        return in_service
    name = "survivors.survivor_pension_months_retiree_minimum"
    minimum = read_parameter(trace, params, name, on, region)
    last_paid = death_stop_month(on, params=params, region=region, trace=trace).plus(-1)
    received = months_inclusive(deceased.pension_start, last_paid)
    months = max(Fraction(minimum), in_service - Fraction(received, 12))
    inputs = {
        "按缴费年限的月数": months_text(in_service),
        "领取养老金年限": YearsMonths.of(received).label,
        "领取期间": f"{deceased.pension_start}至{last_paid}",
        "最低月数": minimum,
    }
    note(trace, _STEPS, "pension_months", inputs, months_text(months))
    return months


def _in_service_months(
    trace: Trace, contribution_months: int, params: ParameterSet, on: date, region: str | None
) -> Fraction:
    prefix = "survivors.survivor_pension_months_"
    table = read_parameter(trace, params, f"{prefix}by_contribution", on, region)
    linear_from = read_parameter(trace, params, f"{prefix}linear_from_years", on, region)
    cap = read_parameter(trace, params, f"{prefix}counted_years_cap", on, region)
    counted = min(contribution_months, cap * 12)
    step = max(int(years) for years in table if int(years) <= counted // 12)
    months = Fraction(int(table[step])) + Fraction(max(0, counted - linear_from * 12), 12)
    inputs = {
        "缴费年限": YearsMonths.of(contribution_months).label,
        "计算年限": YearsMonths.of(counted).label,
        "分档月数": table[step],
    }
    note(trace, _STEPS, "in_service_months", inputs, months_text(months))
    return months


def months_text(months: Fraction) -> str:
    """Months as a decimal when exact (19.25), else as a fraction (109/12).

    >>> months_text(Fraction(77, 4)), months_text(Fraction(109, 12)), months_text(Fraction(9))
    ('19.25', '109/12', '9')
    """
    rest = months.denominator
    for factor in (2, 5):  # a fraction is a finite decimal when only 2 and 5 divide its denominator
        while rest % factor == 0:
            rest //= factor
    if rest == 1:
        return format(Decimal(months.numerator) / months.denominator, "f")
    return f"{months.numerator}/{months.denominator}"


@dataclass(frozen=True, slots=True)
class DeathSettlement:
    """Overpayment, survivor benefits and their offset after one death."""

    overpayment: DeathOverpayment
    benefits: SurvivorBenefits
    offset: Decimal  # 多发养老金从遗属待遇中抵扣的金额
    net_benefits: Decimal  # 抵扣后应支付遗属的金额
    still_to_recover: Decimal  # 抵扣后仍须追回的多发金额
    explanation: Explanation


def settle_death(
    deceased: Deceased,
    *,
    paid: Sequence[PaidPeriod],
    params: ParameterSet,
    region: str | None = None,
) -> DeathSettlement:
    """Stop month, overpayment, survivor benefits and their offset after a death.

    Legal basis: 死亡次月停发 (policy-spec §5.2 [S]); 人社部发〔2021〕18号 (丧葬补助金, 抚恤金);
    overpayments are returned and in practice deducted from survivor benefits (§5.2 [S], [X05]).
    """
    deceased.validate()
    overpayment = calculate_death_overpayment(
        died_on=deceased.died_on, paid=paid, params=params, region=region
    )
    benefits = calculate_survivor_benefits(deceased, params=params, region=region)
    steps = overpayment.explanation.steps + benefits.explanation.steps
    trace = Trace([step for number, step in enumerate(steps) if step not in steps[:number]])
    inputs = {"多发金额": overpayment.overpaid, "遗属待遇合计": benefits.total}
    offset = note(trace, _STEPS, "offset", inputs, min(overpayment.overpaid, benefits.total))
    net = note(trace, _STEPS, "net_benefits", {}, benefits.total - offset)
    rest = note(trace, _STEPS, "still_to_recover", {}, overpayment.overpaid - offset)
    return DeathSettlement(overpayment, benefits, offset, net, rest, trace.explanation())


@dataclass(frozen=True, slots=True)
class FineRange:
    """The fine range for an amount obtained by fraud (社会保险法 第八十八条)."""

    amount: Decimal  # 骗取金额
    minimum: Decimal
    maximum: Decimal
    explanation: Explanation


def fraud_fine_range(amount: Decimal, *, on: date, params: ParameterSet) -> FineRange:
    """The fine range for benefits obtained by fraud (冒领、骗取): 社会保险法 第八十八条.

    The amount must be returned, and the fine is 2 to 5 times it; the range is returned, the
    decision within it is the agency's. Large amounts are also a crime (刑法 第二百六十六条).
    """
    require_non_negative(amount, "amount")
    trace = Trace()
    multiples = read_parameter(trace, params, "survivors.fraud_fine_multiples", on)
    low, high = (Decimal(str(multiples[key])) for key in ("minimum", "maximum"))
    minimum = note(
        trace, _STEPS, "fine_minimum", {"骗取金额": amount, "倍数": low}, to_fen(amount * low)
    )
    maximum = note(
        trace, _STEPS, "fine_maximum", {"骗取金额": amount, "倍数": high}, to_fen(amount * high)
    )
    return FineRange(to_fen(amount), minimum, maximum, trace.explanation())
