"""Deadlines of the written notice and agreement of flexible retirement, by reference day.

人社部发〔2024〕94号《实施弹性退休制度暂行办法》: an early retiree notifies the employer in writing
at least 3 months before the chosen retirement time; for a late retirement the employer and the
worker fix the delayed time in writing at least 1 month before the statutory time (policy-spec
§1.5, [C] for the months). The engine decides retirement by month, and from which day of that
month the months count back is not in the material read — the day-level retirement date is
provincial (policy-spec §9 item 4). ``retirement_age.notice_reference_day`` ([U]) chooses the
day from ``REFERENCE_DAYS``; ``flexible`` uses the deadline.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from retirelink.rules.calendar import YearMonth
from retirelink.rules.explanation import Trace
from retirelink.rules.parameters import ParameterSet, choose

NOTICE_REFERENCE_DAY = "retirement_age.notice_reference_day"
EARLY_NOTICE = "retirement_age.flexible_early_notice_months"
LATE_AGREEMENT = "retirement_age.flexible_late_agreement_months"


def from_first_day_of_month(month: YearMonth, months_before: int) -> date:
    """Counted back from the first day of ``month``: the first day of the month
    ``months_before`` earlier. The strict reading — a notice in time by it is in time whatever
    day of the month the person actually retires on (policy-spec §1.5; [U]).

    >>> from_first_day_of_month(YearMonth(2027, 5), 3)
    datetime.date(2027, 2, 1)
    """
    return month.plus(-months_before).first_day()


def from_last_day_of_month(month: YearMonth, months_before: int) -> date:
    """Counted back from the last day of ``month``: the last day of the month ``months_before``
    earlier (any day d of that month plus the months is still within ``month``, 《民法典》第二百零
    三条 counting). For a province that dates retirement at the end of the retirement month,
    the pension starting the next month (policy-spec §1.5, §9 item 4; [U]).

    >>> from_last_day_of_month(YearMonth(2027, 5), 3)
    datetime.date(2027, 2, 28)
    """
    return month.plus(-months_before).last_day()


@dataclass(frozen=True, slots=True)
class ReferenceDay:
    """A reference day as the explanation names it, and the deadline it gives."""

    label: str
    deadline: Callable[[YearMonth, int], date]


REFERENCE_DAYS = {
    "first_day_of_month": ReferenceDay("1日", from_first_day_of_month),
    "last_day_of_month": ReferenceDay("末日", from_last_day_of_month),
}


_STEPS = {  # parameter giving the months: step key, 中文 label, the month counted back from
    EARLY_NOTICE: ("notice_deadline", "弹性提前退休书面告知截止日", "申请退休月份"),
    LATE_AGREEMENT: ("agreement_deadline", "弹性延迟退休书面约定截止日", "法定退休月份"),
}


@dataclass(frozen=True, slots=True)
class Deadline:
    """The last day a notice (agreement) is in time, its months and their citation."""

    day: date
    months: int
    reference: str


def notice_deadline(
    month: YearMonth, name: str, *, on: date, params: ParameterSet, trace: Trace
) -> Deadline:
    """The deadline ``name`` (``EARLY_NOTICE`` or ``LATE_AGREEMENT``) gives for ``month``,
    recorded as a step citing the months and ``retirement_age.notice_reference_day``."""
    key, label, month_label = _STEPS[name]
    months, reference = params.get(name, on), params.get(NOTICE_REFERENCE_DAY, on)
    day = choose(REFERENCE_DAYS, reference, NOTICE_REFERENCE_DAY)
    deadline = trace.record(
        key,
        label,
        f"{month_label}的{day.label}前推{months.value}个月",
        {month_label: month, "提前月数": months.value, "起算日": day.label},
        day.deadline(month, months.value),
        references=(months.citation(name), reference.citation(NOTICE_REFERENCE_DAY)),
    )
    return Deadline(deadline, months.value, months.citation(name))
