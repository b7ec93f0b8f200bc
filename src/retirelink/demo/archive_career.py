"""A demo person's career as their archive's planner reads it: the spans with employers
resolved, the archive kind it makes (cadre or enterprise worker), the employer and post in a
given month, the history up to a month; and the month arithmetic the planner uses.
"""

from collections.abc import Mapping
from datetime import date

from retirelink.archives.material_classes import ArchiveKind
from retirelink.archives.model import EmployerKind
from retirelink.demo.form_filling import Period
from retirelink.demo.model import DemoEmployer, DemoPerson

CADRE_KINDS = frozenset({EmployerKind.GOVERNMENT, EmployerKind.PUBLIC_INSTITUTION})


class Career:
    """A person's spans with employers resolved, and the questions the planner asks of them."""

    def __init__(
        self, person: DemoPerson, employers: Mapping[str, DemoEmployer], as_of: date
    ) -> None:
        self.as_of = as_of
        self.spans = tuple(
            (
                Period(span.start, span.end),
                employers[span.employer_credit_code],
                span.post,
                span.underground,
            )
            for span in person.careers
        )
        self.end = min(person.careers[-1].end or as_of, as_of)
        self.kind = (
            ArchiveKind.CADRE
            if self.spans[-1][1].kind in CADRE_KINDS
            else ArchiveKind.ENTERPRISE_WORKER
        )

    def at(self, month: date) -> tuple[DemoEmployer, str]:
        """Employer and post in ``month`` (the last span's when past the career)."""
        for period, employer, post, _ in self.spans:
            if period.start <= month and (period.end is None or month < period.end):
                return employer, post
        return self.spans[-1][1], self.spans[-1][2]

    def history(self, until: date) -> tuple[tuple[Period, str, str], ...]:
        """(period, employer name, post) of the spans begun by ``until``, cut at it."""
        rows = []
        for period, employer, post, _ in self.spans:
            if period.start > until:
                break
            open_end = period.end is None or period.end > until
            rows.append(
                (Period(period.start, None if open_end else period.end), employer.name, post)
            )
        return tuple(rows)


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date) -> date:
    return date(day.year, day.month, 1)
