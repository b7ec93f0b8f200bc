"""Statutory retirement age under the 2025 reform, and the minimum contribution behind it.

Legal basis: 《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》 (adopted 2024-09-13,
in force 2025-01-01) 第一条, and its annex 《国务院关于渐进式延迟法定退休年龄的办法》第一条 with
附件1–3 (age) and 第二条 with 附件4 (minimum contribution, and what a person short of it at the
statutory age may do). The schedule (original age, first affected birth month, step, cap per
category) is the parameter ``retirement_age.schedule``; this module applies the 办法第一条 rule
to it and never hard-codes a birth month. Parameters are looked up on ``on``, the date of the
determination. ``flexible`` re-exports the minimum-contribution functions.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.parameters import DatedValue, ParameterSet

SCHEDULE = "retirement_age.schedule"
MINIMUM = "eligibility.minimum_contribution_months"
LUMP_SUM_BEFORE = "eligibility.lump_sum_insured_before"
LUMP_SUM_EXTENSION = "eligibility.lump_sum_after_extension_months"


class RetirementCategory(StrEnum):
    """Who the schedule applies to; an explicit input backed by the archive's 岗位 record.

    Which of the two female categories applies follows the pre-2025 工人岗 / 干部·管理技术岗
    rules (policy-spec §1.2), so it is never inferred here.
    """

    MALE = "male"
    FEMALE55 = "female55"
    FEMALE50 = "female50"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    RetirementCategory.MALE: "男职工",
    RetirementCategory.FEMALE55: "原法定退休年龄为五十五周岁的女职工",
    RetirementCategory.FEMALE50: "原法定退休年龄为五十周岁的女职工",
}


def parse_category(value: RetirementCategory | str) -> RetirementCategory:
    """The category for an engine code; an unknown code is refused, never guessed."""
    try:
        return RetirementCategory(value)
    except ValueError:
        raise InvalidInputError(
            f"未知的退休人员类别“{value}”，应为 male（男职工）、female55 或 female50",
            field="category",
        ) from None


def check_birth(birth: YearMonth, on: date) -> None:
    """Refuse a birth month after the determination date."""
    if birth > YearMonth.of(on):
        raise InvalidInputError(f"出生年月{birth.label}晚于计算日期{on}", field="birth")


def check_months(value: int, field: str) -> None:
    """Refuse a negative month count (contribution months, period lengths)."""
    if value < 0:
        raise InvalidInputError(f"月数不能为负（{field}={value}）", field=field)


def cite(dated: DatedValue) -> str:
    """The reference of a parameter value, flagged when unconfirmed or a demo placeholder."""
    flags = ("［待核实U］" if dated.confidence == "U" else "") + (
        "［示例值］" if dated.illustrative else ""
    )
    return dated.reference + flags


def table_row(table: Any, key: object, name: str) -> Any:
    """One row of a table parameter; a missing row is an error naming the parameter."""
    if not isinstance(table, dict) or key not in table:
        raise InvalidInputError(f"参数{name}缺少“{key}”一行", field=name)
    return table[key]


@dataclass(frozen=True, slots=True)
class ReformSchedule:
    """One category's row of ``retirement_age.schedule`` (办法第一条, 附件1–3)."""

    original_age_months: int
    first_affected_birth: YearMonth
    step_birth_months: int
    max_delay_months: int
    reference: str

    def delay_months(self, birth: YearMonth) -> int:
        """办法第一条: one month of delay per ``step`` birth months from the first affected one."""
        since_first = birth - self.first_affected_birth
        if since_first < 0:
            return 0
        return min(since_first // self.step_birth_months + 1, self.max_delay_months)


def reform_schedule(
    category: RetirementCategory | str, *, on: date, params: ParameterSet
) -> ReformSchedule:
    """The schedule row in force on ``on`` for ``category`` (办法第一条, 附件1–3)."""
    code = parse_category(category)
    dated = params.get(SCHEDULE, on)
    row = table_row(dated.value, code.value, SCHEDULE)
    try:
        schedule = ReformSchedule(
            original_age_months=int(row["original_age_years"]) * 12,
            first_affected_birth=YearMonth.parse(str(row["first_affected_birth"]), field=SCHEDULE),
            step_birth_months=int(row["step_birth_months"]),
            max_delay_months=int(row["max_delay_months"]),
            reference=cite(dated),
        )
    except (KeyError, TypeError, ValueError):
        raise InvalidInputError(f"参数{SCHEDULE}中“{code}”一行不完整", field=SCHEDULE) from None
    if schedule.step_birth_months <= 0 or schedule.max_delay_months < 0:
        raise InvalidInputError(f"参数{SCHEDULE}中“{code}”的步长或上限无效", field=SCHEDULE)
    return schedule


@dataclass(frozen=True, slots=True)
class StatutoryRetirement:
    """Statutory retirement age and month of one person under the 2025 reform."""

    category: RetirementCategory
    birth: YearMonth
    original_age: YearsMonths
    delay_months: int
    statutory_age: YearsMonths
    retirement_month: YearMonth
    explanation: Explanation

    @property
    def original_retirement_month(self) -> YearMonth:
        """The month the original (pre-reform) age is reached."""
        return self.birth.plus(self.original_age.total_months)


def statutory_retirement(
    category: RetirementCategory | str, birth: YearMonth, *, on: date, params: ParameterSet
) -> StatutoryRetirement:
    """Statutory retirement age and month for a birth month and category.

    Legal basis: 《决定》第一条; 《办法》第一条 ("男职工和原法定退休年龄为五十五周岁的女职工，法定
    退休年龄每四个月延迟一个月…原法定退休年龄为五十周岁的女职工…每二个月延迟一个月") and 附件1–3.
    The retirement month is the calendar month in which the statutory age is reached.
    """
    code = parse_category(category)
    check_birth(birth, on)
    schedule = reform_schedule(code, on=on, params=params)
    refs = (schedule.reference,)
    trace = Trace()
    delay = trace.record(
        "delay_months",
        "延迟月数",
        "k = 出生年月 − 首个延迟出生年月；k < 0 ? 0 : min(floor(k / step) + 1, cap)",
        {
            "category": code.label,
            "birth": birth,
            "first": schedule.first_affected_birth,
            "k": birth - schedule.first_affected_birth,
            "step": schedule.step_birth_months,
            "cap": schedule.max_delay_months,
        },
        schedule.delay_months(birth),
        references=refs,
    )
    statutory_age = YearsMonths.of(schedule.original_age_months + delay)
    original_age = YearsMonths.of(schedule.original_age_months)
    trace.record(
        "statutory_age",
        "改革后法定退休年龄",
        "原法定退休年龄 + 延迟月数",
        {"original_age": original_age.age_label, "delay_months": delay},
        statutory_age.age_label,
        references=refs,
    )
    month = trace.record(
        "retirement_month",
        "改革后退休时间",
        "出生年月 + 法定退休年龄（月）",
        {"birth": birth, "statutory_age_months": statutory_age.total_months},
        birth.plus(statutory_age.total_months),
        references=refs,
    )
    return StatutoryRetirement(
        category=code,
        birth=birth,
        original_age=original_age,
        delay_months=delay,
        statutory_age=statutory_age,
        retirement_month=month,
        explanation=trace.explanation(),
    )


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
    retirement the reference year comes from ``flexible.minimum_for_retirement``.
    """
    dated = params.get(MINIMUM, on)
    rows = {int(key): int(value) for key, value in dated.value.items()}
    row = min(max(year, min(rows)), max(rows))
    required = table_row(rows, row, MINIMUM)
    trace = Trace()
    trace.record(
        "minimum_contribution",
        "按月领取基本养老金最低缴费年限",
        "附件4[参照年份]（早于首行取首行，晚于末行取末行）",
        {"year": year},
        YearsMonths.of(required).label,
        references=(cite(dated),),
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
    cutoff = date.fromisoformat(before.value)
    insured_early = first_insured.first_day() < cutoff
    lump = trace.record(
        "lump_sum_months",
        "可一次性缴费月数",
        "首次参保早于界限 ? max(0, 差额 − 延长缴费月数) : 0",
        {"first_insured": first_insured, "cutoff": cutoff, "extension": extension.value},
        max(0, shortfall - extension.value) if insured_early else 0,
        references=(cite(before), cite(extension)),
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
        ShortfallRoute(ShortfallOption.LUMP_SUM, lump > 0, lump, lump_condition, cite(before)),
        ShortfallRoute(
            ShortfallOption.RESIDENT_SCHEME, True, 0, resident, "社会保险法第十六条第二款"
        ),
        ShortfallRoute(ShortfallOption.TERMINATE, True, 0, terminate, _TERMINATE_BASIS, balance),
    )
