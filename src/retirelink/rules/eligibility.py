"""The minimum contribution for a monthly pension, and what a person short of it may do.

Legal basis: 《国务院关于渐进式延迟法定退休年龄的办法》第二条 and 附件4 — the minimum contribution
(含视同缴费, counted to the month) rises from 15 years up to 2029 by 6 months a year from 2030 to
20 years from 2039; a person short of it at the statutory age may extend contributions or pay a
lump sum (人社部令第13号第二条), move to the resident scheme (社会保险法第十六条第二款) or end
the relationship (人社部令第13号第三条). The table and the lump-sum conditions are the
``eligibility.*`` parameters, looked up on ``on``, the date of the determination.
``retirement_age`` and ``flexible`` re-export these functions.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths, check_months
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.parameters import ParameterSet, table_row

MINIMUM = "eligibility.minimum_contribution_months"
LUMP_SUM_BEFORE = "eligibility.lump_sum_insured_before"
LUMP_SUM_EXTENSION = "eligibility.lump_sum_after_extension_months"


@dataclass(frozen=True, slots=True)
class MinimumContribution:
    """The minimum contribution months for a monthly pension in one reference year."""

    year: int
    required_months: int
    explanation: Explanation

    @property
    def required(self) -> YearsMonths:
        return YearsMonths.of(self.required_months)


def minimum_contribution(year: int, *, on: date, params: ParameterSet) -> MinimumContribution:
    """Minimum contribution months (含视同缴费, counted to the month) for a reference year.

    Legal basis: 办法第二条 and 附件4 — 15 years up to 2029, +6 months a year from 2030, 20
    years from 2039; years outside the table take its first or last row. For flexible
    retirement the reference year comes from ``flexible.minimum_for_retirement``. A
    determination dated before 2025-01-01 uses the table then in force: 15 years for every
    year (国发〔1997〕26号; 社会保险法第十六条 from 2011-07-01).
    """
    dated = params.get(MINIMUM, on)
    rows = {int(key): int(value) for key, value in dated.value.items()}
    row = min(max(year, min(rows)), max(rows))
    required = table_row(rows, row, MINIMUM)
    trace = Trace()
    trace.record(
        "minimum_contribution",
        "按月领取基本养老金最低缴费年限",
        "最低缴费年限表[参照年份]（早于首行取首行，晚于末行取末行）",
        {"year": year},
        YearsMonths.of(required).label,
        references=(dated.citation(MINIMUM),),
    )
    return MinimumContribution(year=year, required_months=required, explanation=trace.explanation())


class ShortfallOption(StrEnum):
    """What a person short of the minimum at retirement may do (policy-spec §1.6)."""

    EXTEND = "extend_contribution"
    LUMP_SUM = "lump_sum"
    RESIDENT_SCHEME = "transfer_to_resident_scheme"
    TERMINATE = "terminate_relationship"

    @property
    def label(self) -> str:
        return _OPTION_LABELS[self]


_OPTION_LABELS = {
    ShortfallOption.EXTEND: "延长缴费",
    ShortfallOption.LUMP_SUM: "一次性缴费",
    ShortfallOption.RESIDENT_SCHEME: "转入城乡居民基本养老保险",
    ShortfallOption.TERMINATE: "终止职工基本养老保险关系",
}
_EXTEND_BASIS = "办法第二条；人社部令第13号第二条"
_TERMINATE_BASIS = "人社部令第13号第三条"


@dataclass(frozen=True, slots=True)
class ShortfallRoute:
    """One option with whether it is open, the months it pays and (terminate) the amount."""

    option: ShortfallOption
    available: bool
    months: int
    condition: str
    reference: str
    amount: Decimal | None = None

    @property
    def label(self) -> str:
        return self.option.label


@dataclass(frozen=True, slots=True)
class ContributionShortfall:
    """Months missing to the minimum and the routes open to the person."""

    minimum: MinimumContribution
    contribution_months: int
    shortfall_months: int
    routes: tuple[ShortfallRoute, ...]
    explanation: Explanation

    @property
    def met(self) -> bool:
        return self.shortfall_months == 0


def contribution_shortfall(
    minimum: MinimumContribution,
    *,
    contribution_months: int,
    first_insured: YearMonth,
    account_balance: Decimal | None = None,
    on: date,
    params: ParameterSet,
) -> ContributionShortfall:
    """Months missing to the minimum and the options open to the person.

    Legal basis: 办法第二条 and 人社部令第13号第二条 (延长缴费; 一次性缴费 only for people insured
    before 2011-07-01 still short after 5 years of extension); 社会保险法第十六条第二款 (转入城乡
    居民养老保险); 人社部令第13号第三条 (终止关系, account balance paid in one sum).
    """
    check_months(contribution_months, "contribution_months")
    if account_balance is not None and account_balance < 0:
        raise InvalidInputError("个人账户储存额不能为负", field="account_balance")
    trace = Trace()
    trace.extend(minimum.explanation)
    shortfall = trace.record(
        "contribution_shortfall",
        "距最低缴费年限差额（月）",
        "max(0, 最低缴费月数 − 累计缴费月数)",
        {"required": minimum.required_months, "contribution_months": contribution_months},
        max(0, minimum.required_months - contribution_months),
        references=("办法第二条",),
    )
    routes = (
        _shortfall_routes(shortfall, first_insured, account_balance, on, params, trace)
        if shortfall
        else ()
    )
    return ContributionShortfall(
        minimum=minimum,
        contribution_months=contribution_months,
        shortfall_months=shortfall,
        routes=routes,
        explanation=trace.explanation(),
    )


def _shortfall_routes(
    shortfall: int,
    first_insured: YearMonth,
    balance: Decimal | None,
    on: date,
    params: ParameterSet,
    trace: Trace,
) -> tuple[ShortfallRoute, ...]:
    before, extension = params.get(LUMP_SUM_BEFORE, on), params.get(LUMP_SUM_EXTENSION, on)
    lump_basis = before.citation(LUMP_SUM_BEFORE)
    cutoff = date.fromisoformat(before.value)
    insured_early = first_insured.first_day() < cutoff
    lump = trace.record(
        "lump_sum_months",
        "可一次性缴费月数",
        "首次参保早于界限 ? max(0, 差额 − 延长缴费月数) : 0",
        {"first_insured": first_insured, "cutoff": cutoff, "extension": extension.value},
        max(0, shortfall - extension.value) if insured_early else 0,
        references=(lump_basis, extension.citation(LUMP_SUM_EXTENSION)),
    )
    lump_condition = (
        f"先延长缴费{extension.value}个月，其余{lump}个月可一次性缴费"
        if lump
        else f"仅限{cutoff}前参保且延长缴费{extension.value}个月后仍不足的人员"
    )
    balance_text = f"（{balance}元）" if balance is not None else ""
    extend = f"继续缴费{shortfall}个月（无单位的可按灵活就业人员缴费），达到最低缴费年限后按月领取"
    resident = "转入城乡居民基本养老保险，按照国务院规定享受相应的养老保险待遇"
    terminate = (
        "未转入城乡居民养老保险的，可书面申请终止职工基本养老保险关系，"
        f"个人账户储存额{balance_text}一次性支付给本人"
    )
    return (
        ShortfallRoute(ShortfallOption.EXTEND, True, shortfall, extend, _EXTEND_BASIS),
        ShortfallRoute(ShortfallOption.LUMP_SUM, lump > 0, lump, lump_condition, lump_basis),
        ShortfallRoute(
            ShortfallOption.RESIDENT_SCHEME, True, 0, resident, "社会保险法第十六条第二款"
        ),
        ShortfallRoute(ShortfallOption.TERMINATE, True, 0, terminate, _TERMINATE_BASIS, balance),
    )
