"""CSV row formatting for bulk demo files (see ``bulk.py``).

Rows are formatted by hand for speed. That is safe because every text value comes from the
generator's own tables (names, posts, codes): none contains a comma, quote or line break.
Contributions are summarised per person (first year, months, latest base) instead of being
written year by year.
"""

from collections.abc import Sequence
from datetime import date

from retirelink.demo.careers import FIRST_CONTRIBUTION_YEAR, base_cents, contributed_months
from retirelink.demo.model import DemoEmployer
from retirelink.demo.persons import PersonDraft
from retirelink.demo.timeline import BIRTH_BASE, birth_tables, month_text

# (column, DuckDB type) per table; the types are used when converting to Parquet.
PERSON_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id_number", "VARCHAR"),
    ("name", "VARCHAR"),
    ("sex", "VARCHAR"),
    ("birth_date", "DATE"),
    ("ethnicity", "VARCHAR"),
    ("hukou_region", "VARCHAR"),
    ("phone", "VARCHAR"),
    ("work_start", "DATE"),
    ("status", "VARCHAR"),
    ("retirement_month", "DATE"),
    ("monthly_pension", "DECIMAL(10,2)"),
    ("employer_credit_code", "VARCHAR"),
    ("post", "VARCHAR"),
    ("underground_months", "INTEGER"),
    ("career_spans", "INTEGER"),
    ("first_contribution_year", "INTEGER"),
    ("contribution_months", "INTEGER"),
    ("last_base_wage", "DECIMAL(10,2)"),
)
EMPLOYER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("credit_code", "VARCHAR"),
    ("name", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("region_code", "VARCHAR"),
)
PARTNER_RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("department", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("id_number", "VARCHAR"),
    ("name", "VARCHAR"),
    ("event_date", "DATE"),
    ("end_date", "DATE"),
    ("planted_anomaly", "VARCHAR"),
)
PLANTED_COLUMNS: tuple[tuple[str, str], ...] = (("anomaly", "VARCHAR"), ("id_number", "VARCHAR"))


def header(columns: Sequence[tuple[str, str]]) -> str:
    return ",".join(name for name, _ in columns) + "\n"


def _yuan_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def employer_line(employer: DemoEmployer) -> str:
    return f"{employer.credit_code},{employer.name},{employer.kind},{employer.region_code}\n"


class PersonLines:
    """Formats persons and their partner records as CSV lines."""

    def __init__(self, employers: Sequence[DemoEmployer]) -> None:
        self._codes = tuple(employer.credit_code for employer in employers)
        self._birth_iso = birth_tables()[2]

    def person(self, id_number: str, draft: PersonDraft) -> str:
        spans = draft.spans
        last = spans[-1]
        underground = sum(s.end - s.start for s in spans if s.underground)
        first_year = max(FIRST_CONTRIBUTION_YEAR, spans[0].start // 12)
        retired = month_text(draft.retired) if draft.retired >= 0 else ""
        pension = _yuan_text(draft.pension) if draft.pension >= 0 else ""
        base = _yuan_text(base_cents(last.level, (last.end - 1) // 12))
        return (
            f"{id_number},{draft.name},{1 if draft.male else 2},"
            f"{self._birth_iso[draft.birth - BIRTH_BASE]},{draft.ethnicity},{draft.hukou},"
            f"{draft.phone},{month_text(draft.work_start)},{draft.status},{retired},{pension},"
            f"{self._codes[last.employer]},{last.post},{underground},{len(spans)},"
            f"{first_year},{contributed_months(spans)},{base}\n"
        )

    @staticmethod
    def records(id_number: str, draft: PersonDraft) -> list[str]:
        return [
            f"{event.kind.department},{event.kind},{id_number},{draft.name},"
            f"{date.fromordinal(event.day).isoformat()},"
            f"{date.fromordinal(event.end).isoformat() if event.end else ''},"
            f"{event.anomaly or ''}\n"
            for event in draft.events
        ]
