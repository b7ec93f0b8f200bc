"""Flexible retirement (弹性退休): the window, the minimum-contribution reference year, requests.

Legal basis: 《国务院关于渐进式延迟法定退休年龄的办法》第二条 (minimum 15 → 20 years, 附件4) and
第三条 (flexible early/late retirement, at most 3 years either way, never below the original
age); 人社部发〔2024〕94号《实施弹性退休制度暂行办法》 (written notice, employer agreement, the
minimum-contribution reference year); 社会保险法第十六条 and 人社部令第13号第二条、第三条 (options
of a person short of the minimum). The 暂行办法 took effect on 2025-01-01
(``retirement_age.flexible_from_month``): a person whose statutory month is earlier cannot
request flexible retirement at all. Parameters are looked up on ``on``, the determination date.
The minimum by year and the shortfall options live in ``eligibility`` and are re-exported.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from retirelink.rules.calendar import YearMonth, YearsMonths, check_months
from retirelink.rules.eligibility import (
    ContributionShortfall,
    MinimumContribution,
    ShortfallOption,
    ShortfallRoute,
    contribution_shortfall,
    minimum_contribution,
)
from retirelink.rules.explanation import Explanation, Trace
from retirelink.rules.flexible_notice import EARLY_NOTICE, LATE_AGREEMENT, notice_deadline
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.retirement_age import (
    RetirementCategory,
    StatutoryRetirement,
    statutory_retirement,
)

__all__ = [
    "ContributionShortfall",
    "FlexibleDirection",
    "FlexibleRequest",
    "FlexibleRequestDecision",
    "FlexibleWindow",
    "MinimumContribution",
    "Refusal",
    "RequestProblem",
    "ShortfallOption",
    "ShortfallRoute",
    "contribution_shortfall",
    "flexible_in_force",
    "flexible_window",
    "minimum_contribution",
    "minimum_for_retirement",
    "validate_flexible_request",
]

FLEXIBLE_FROM = "retirement_age.flexible_from_month"
EARLY_MAX = "retirement_age.flexible_early_max_months"
LATE_MAX = "retirement_age.flexible_late_max_months"
REFERENCE_YEAR = {
    "early": "eligibility.early_retirement_reference_year",
    "late": "eligibility.late_retirement_reference_year",
}


class FlexibleDirection(StrEnum):
    """Whether a requested month is before, at or after the statutory one."""

    EARLY = "early"
    STATUTORY = "statutory"
    LATE = "late"

    @property
    def label(self) -> str:
        return {"early": "弹性提前退休", "statutory": "按法定退休年龄退休", "late": "弹性延迟退休"}[
            self.value
        ]


@dataclass(frozen=True, slots=True)
class FlexibleWindow:
    """Earliest and latest retirement under 办法第三条 around the statutory age."""

    statutory: StatutoryRetirement
    earliest_age: YearsMonths
    earliest_month: YearMonth
    latest_age: YearsMonths
    latest_month: YearMonth
    explanation: Explanation

    def direction_of(self, requested: YearMonth) -> FlexibleDirection:
        statutory = self.statutory.retirement_month
        if requested < statutory:
            return FlexibleDirection.EARLY
        return FlexibleDirection.LATE if requested > statutory else FlexibleDirection.STATUTORY


def flexible_window(
    category: RetirementCategory | str, birth: YearMonth, *, on: date, params: ParameterSet
) -> FlexibleWindow:
    """The flexible retirement window of a person.

    Legal basis: 办法第三条 — early at most 3 years before the statutory age and never below the
    original age (女50/女55/男60): earliest = max(statutory − 36, original); late (only with the
    employer's agreement) at most 3 years after: latest = statutory + 36.
    """
    statutory = statutory_retirement(category, birth, on=on, params=params)
    early, late = params.get(EARLY_MAX, on), params.get(LATE_MAX, on)
    trace = Trace()
    trace.extend(statutory.explanation)
    age, original = statutory.statutory_age, statutory.original_age
    earliest = YearsMonths.of(max(age.total_months - early.value, original.total_months))
    latest = YearsMonths.of(age.total_months + late.value)
    trace.record(
        "flexible_earliest_age",
        "弹性提前退休最早年龄",
        "max(法定退休年龄 − 最长提前月数, 原法定退休年龄)",
        {"statutory_age": age.age_label, "early_max": early.value, "original": original.age_label},
        earliest.age_label,
        references=(early.citation(EARLY_MAX),),
    )
    trace.record(
        "flexible_latest_age",
        "弹性延迟退休最晚年龄",
        "法定退休年龄 + 最长延迟月数",
        {"statutory_age": age.age_label, "late_max": late.value},
        latest.age_label,
        references=(late.citation(LATE_MAX),),
    )
    return FlexibleWindow(
        statutory=statutory,
        earliest_age=earliest,
        earliest_month=birth.plus(earliest.total_months),
        latest_age=latest,
        latest_month=birth.plus(latest.total_months),
        explanation=trace.explanation(),
    )


def flexible_in_force(window: FlexibleWindow, *, on: date, params: ParameterSet) -> bool:
    """Whether the person may choose flexible retirement at all.

    Legal basis: 人社部发〔2024〕94号《实施弹性退休制度暂行办法》, in force from 2025-01-01
    (``retirement_age.flexible_from_month``): a statutory retirement month before it fell under
    the rules then in force, which knew no flexible early or late retirement — only the
    statutory month is open to that person.
    """
    return window.statutory.retirement_month >= _flexible_from(on, params)


def _flexible_from(on: date, params: ParameterSet) -> YearMonth:
    return YearMonth.parse(params.value(FLEXIBLE_FROM, on))


def minimum_for_retirement(
    window: FlexibleWindow, retirement: YearMonth, *, on: date, params: ParameterSet
) -> MinimumContribution:
    """The minimum that applies to retiring in ``retirement``, by the flexible reference year.

    Legal basis: 人社部发〔2024〕94号 第七条 (as quoted by secondary sources) — early: the year
    of the actual retirement; late: the year the statutory age is reached. Both are parameters
    (``eligibility.early/late_retirement_reference_year``).
    """
    direction = window.direction_of(retirement)
    statutory_year = window.statutory.retirement_month.year
    year, reference = statutory_year, "办法第二条"
    if direction is not FlexibleDirection.STATUTORY:
        dated = params.get(REFERENCE_YEAR[direction.value], on)
        year = retirement.year if dated.value == "retirement_year" else statutory_year
        reference = dated.citation(REFERENCE_YEAR[direction.value])
    trace = Trace()
    trace.record(
        "reference_year",
        "最低缴费年限参照年份",
        "提前：实际退休年份；延迟：达到法定退休年龄年份（按参数）",
        {"direction": direction.label, "retirement": retirement, "statutory_year": statutory_year},
        year,
        references=(reference,),
    )
    minimum = minimum_contribution(year, on=on, params=params)
    return MinimumContribution(
        year=year,
        required_months=minimum.required_months,
        explanation=trace.explanation() + minimum.explanation,
    )


class RequestProblem(StrEnum):
    """Why a flexible-retirement request is refused (codes with 中文 labels)."""

    FLEXIBLE_NOT_IN_FORCE = "flexible_not_in_force"
    BEFORE_EARLIEST = "before_earliest"
    AFTER_LATEST = "after_latest"
    LATE_WITHOUT_AGREEMENT = "late_without_agreement"
    EARLY_BELOW_MINIMUM = "early_below_minimum"
    EARLY_NOTICE = "early_notice"
    LATE_AGREEMENT_TIMING = "late_agreement_timing"

    @property
    def label(self) -> str:
        return _PROBLEM_LABELS[self]


_PROBLEM_LABELS = {
    RequestProblem.FLEXIBLE_NOT_IN_FORCE: "法定退休时间早于弹性退休制度施行时间",
    RequestProblem.BEFORE_EARLIEST: "早于弹性提前退休最早时间",
    RequestProblem.AFTER_LATEST: "晚于弹性延迟退休最晚时间",
    RequestProblem.LATE_WITHOUT_AGREEMENT: "弹性延迟退休未经所在单位同意",
    RequestProblem.EARLY_BELOW_MINIMUM: "弹性提前退休未达到最低缴费年限",
    RequestProblem.EARLY_NOTICE: "弹性提前退休未按时书面告知所在单位",
    RequestProblem.LATE_AGREEMENT_TIMING: "弹性延迟退休未按时书面约定",
}


@dataclass(frozen=True, slots=True)
class Refusal:
    """One reason a requested month cannot be approved (中文 message with the figures)."""

    problem: RequestProblem
    message: str
    reference: str


@dataclass(frozen=True, slots=True)
class FlexibleRequest:
    """A requested retirement month with the facts the 暂行办法 conditions need.

    ``contribution_months`` counts contributions (含视同) up to the requested month;
    ``notice_date`` is the written notice to the employer (early); ``agreement_date`` the
    written employer–worker agreement on the delayed month (late).
    """

    category: RetirementCategory | str
    birth: YearMonth
    requested: YearMonth
    contribution_months: int
    notice_date: date | None = None
    employer_agreed: bool = False
    agreement_date: date | None = None


@dataclass(frozen=True, slots=True)
class FlexibleRequestDecision:
    """Whether a requested month is allowed, with every reason it is not."""

    requested: YearMonth
    direction: FlexibleDirection
    window: FlexibleWindow
    minimum: MinimumContribution
    refusals: tuple[Refusal, ...]
    explanation: Explanation

    @property
    def allowed(self) -> bool:
        return not self.refusals


def validate_flexible_request(
    request: FlexibleRequest, *, on: date, params: ParameterSet
) -> FlexibleRequestDecision:
    """Check a requested retirement month against the flexible-retirement rules; list every reason.

    Legal basis: 办法第三条 (bounds; early needs the minimum contribution; late needs the
    employer's agreement); 人社部发〔2024〕94号 (in force 2025-01-01: no flexible retirement for
    a statutory month before it; early: written notice ≥ 3 months before the chosen time; late:
    written agreement ≥ 1 month before the statutory time — counted back from the day of the
    month ``retirement_age.notice_reference_day`` names, ``flexible_notice``; reference year).
    """
    check_months(request.contribution_months, "contribution_months")
    window = flexible_window(request.category, request.birth, on=on, params=params)
    minimum = minimum_for_retirement(window, request.requested, on=on, params=params)
    direction = window.direction_of(request.requested)
    trace = Trace()
    trace.extend(window.explanation + minimum.explanation)
    refusals = _in_force_refusals(window, direction, on, params)
    refusals += _bound_refusals(window, request.requested, on, params)
    if direction is FlexibleDirection.EARLY:
        refusals += _early_refusals(request, minimum, on, params, trace)
    elif direction is FlexibleDirection.LATE:
        refusals += _late_refusals(request, window, on, params, trace)
    trace.record(
        "flexible_request",
        "弹性退休申请审核",
        "法定退休时间不早于弹性退休施行时间；最早 ≤ 申请月份 ≤ 最晚；"
        "提前：缴费 ≥ 最低且提前书面告知；延迟：单位同意且按时约定",
        {"requested": request.requested, "direction": direction.label},
        "；".join(item.message for item in refusals) or "符合",
        references=tuple(dict.fromkeys(item.reference for item in refusals)),
    )
    return FlexibleRequestDecision(
        requested=request.requested,
        direction=direction,
        window=window,
        minimum=minimum,
        refusals=refusals,
        explanation=trace.explanation(),
    )


def _in_force_refusals(
    window: FlexibleWindow, direction: FlexibleDirection, on: date, params: ParameterSet
) -> tuple[Refusal, ...]:
    if direction is FlexibleDirection.STATUTORY or flexible_in_force(window, on=on, params=params):
        return ()
    start = _flexible_from(on, params)
    message = (
        f"法定退休时间{window.statutory.retirement_month.label}早于弹性退休制度施行时间"
        f"{start.label}，不能申请{direction.label}"
    )
    reference = params.get(FLEXIBLE_FROM, on).citation(FLEXIBLE_FROM)
    return (Refusal(RequestProblem.FLEXIBLE_NOT_IN_FORCE, message, reference),)


def _bound_refusals(
    window: FlexibleWindow, requested: YearMonth, on: date, params: ParameterSet
) -> tuple[Refusal, ...]:
    if requested < window.earliest_month:
        message = f"申请退休时间{requested.label}早于最早可退休时间{window.earliest_month.label}"
        reference = params.get(EARLY_MAX, on).citation(EARLY_MAX)
        return (Refusal(RequestProblem.BEFORE_EARLIEST, message, reference),)
    if requested > window.latest_month:
        message = f"申请退休时间{requested.label}晚于最晚可退休时间{window.latest_month.label}"
        reference = params.get(LATE_MAX, on).citation(LATE_MAX)
        return (Refusal(RequestProblem.AFTER_LATEST, message, reference),)
    return ()


def _early_refusals(
    request: FlexibleRequest,
    minimum: MinimumContribution,
    on: date,
    params: ParameterSet,
    trace: Trace,
) -> tuple[Refusal, ...]:
    refusals: list[Refusal] = []
    if request.contribution_months < minimum.required_months:
        message = (
            f"累计缴费{YearsMonths.of(request.contribution_months).label}，"
            f"未达到{minimum.year}年最低缴费年限{minimum.required.label}，不能弹性提前退休"
        )
        refusals.append(Refusal(RequestProblem.EARLY_BELOW_MINIMUM, message, "办法第三条"))
    notice = notice_deadline(request.requested, EARLY_NOTICE, on=on, params=params, trace=trace)
    if request.notice_date is None or request.notice_date > notice.day:
        given = f"于{request.notice_date}告知" if request.notice_date else "未提供书面告知日期"
        message = f"应至少提前{notice.months}个月（{notice.day}前）书面告知所在单位，{given}"
        refusals.append(Refusal(RequestProblem.EARLY_NOTICE, message, notice.reference))
    return tuple(refusals)


def _late_refusals(
    request: FlexibleRequest, window: FlexibleWindow, on: date, params: ParameterSet, trace: Trace
) -> tuple[Refusal, ...]:
    if not request.employer_agreed:
        message = "弹性延迟退休须所在单位与职工协商一致，未见单位同意"
        return (Refusal(RequestProblem.LATE_WITHOUT_AGREEMENT, message, "办法第三条"),)
    statutory = window.statutory.retirement_month
    agreement = notice_deadline(statutory, LATE_AGREEMENT, on=on, params=params, trace=trace)
    if request.agreement_date is None or request.agreement_date > agreement.day:
        given = f"于{request.agreement_date}约定" if request.agreement_date else "未提供约定日期"
        message = (
            f"应至少在法定退休时间前{agreement.months}个月（{agreement.day}前）书面约定，{given}"
        )
        return (Refusal(RequestProblem.LATE_AGREEMENT_TIMING, message, agreement.reference),)
    return ()
