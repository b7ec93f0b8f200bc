"""Statutory and flexible retirement in one answer, for the CLI and the API.

《国务院关于渐进式延迟法定退休年龄的办法》第一条 (statutory age and month), 第二条 (minimum
contribution) and 第三条 (flexible window), with 人社部发〔2024〕94号 for a requested month: the
figures of ``retirement_age``, ``flexible`` and ``eligibility`` gathered into one flat result.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from retirelink.errors import InvalidInputError
from retirelink.rules.calendar import YearMonth, YearsMonths
from retirelink.rules.eligibility import MinimumContribution
from retirelink.rules.explanation import Explanation
from retirelink.rules.flexible import (
    FlexibleDirection,
    FlexibleRequest,
    Refusal,
    flexible_window,
    minimum_for_retirement,
    validate_flexible_request,
)
from retirelink.rules.parameters import ParameterSet
from retirelink.rules.retirement_age import RetirementCategory


@dataclass(frozen=True, slots=True)
class RetirementQuery:
    """Category and birth month; with ``requested`` also a flexible-retirement request."""

    category: RetirementCategory
    birth: YearMonth
    requested: YearMonth | None = None
    contribution_months: int | None = None
    notice_date: date | None = None
    employer_agreed: bool = False
    agreement_date: date | None = None


@dataclass(frozen=True, slots=True)
class RetirementOverview:
    """Statutory age and month (办法第一条), flexible window (第三条), the minimum contribution
    (第二条) and, for a requested month, whether it is allowed and why not."""

    category: RetirementCategory
    birth: YearMonth
    original_age: YearsMonths
    delay_months: int
    statutory_age: YearsMonths
    retirement_month: YearMonth
    earliest_age: YearsMonths
    earliest_month: YearMonth
    latest_age: YearsMonths
    latest_month: YearMonth
    minimum: MinimumContribution
    explanation: Explanation
    requested: YearMonth | None = None
    direction: FlexibleDirection | None = None
    allowed: bool | None = None
    refusals: tuple[Refusal, ...] = ()


def retirement_overview(
    query: RetirementQuery, *, on: date, params: ParameterSet
) -> RetirementOverview:
    """Statutory retirement, the flexible window and the minimum (办法第一条至第三条).

    Without ``requested`` the minimum is that of the statutory retirement year; with it, the
    request is judged by ``validate_flexible_request`` (人社部发〔2024〕94号).
    """
    window = flexible_window(query.category, query.birth, on=on, params=params)
    statutory = window.statutory
    request: dict[str, Any] = {}
    if query.requested is None:
        retiring = statutory.retirement_month
        minimum = minimum_for_retirement(window, retiring, on=on, params=params)
        explanation = window.explanation + minimum.explanation
    else:
        decision = validate_flexible_request(
            _flexible(query, query.requested), on=on, params=params
        )
        minimum, explanation = decision.minimum, decision.explanation
        request = {
            "requested": decision.requested,
            "direction": decision.direction,
            "allowed": decision.allowed,
            "refusals": decision.refusals,
        }
    return RetirementOverview(
        category=statutory.category,
        birth=statutory.birth,
        original_age=statutory.original_age,
        delay_months=statutory.delay_months,
        statutory_age=statutory.statutory_age,
        retirement_month=statutory.retirement_month,
        earliest_age=window.earliest_age,
        earliest_month=window.earliest_month,
        latest_age=window.latest_age,
        latest_month=window.latest_month,
        minimum=minimum,
        explanation=explanation,
        **request,
    )


def _flexible(query: RetirementQuery, requested: YearMonth) -> FlexibleRequest:
    if query.contribution_months is None:
        message = "审核弹性退休申请须填写累计缴费月数（含视同缴费）"
        raise InvalidInputError(message, field="contribution_months")
    return FlexibleRequest(
        category=query.category,
        birth=query.birth,
        requested=requested,
        contribution_months=query.contribution_months,
        notice_date=query.notice_date,
        employer_agreed=query.employer_agreed,
        agreement_date=query.agreement_date,
    )
