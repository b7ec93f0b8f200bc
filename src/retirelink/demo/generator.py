"""Synthetic demo district modelled on 峰峰矿区 (邯郸, 河北; GB/T 2260 code 130406).

Pure and deterministic: the same seed and arguments always give the same district. Nothing
reads the clock or the global ``random``; ``as_of`` is the "today" of the district and no
event (work, contribution, retirement, death, partner record) lies after it.

* :func:`generate_employers` — the district's employers (coal mines, ceramics works, ...).
* :func:`iter_persons` — a stream of persons, cheap enough for millions (see ``bulk.py``).
* :func:`generate_district` — employers, persons, partner-department records and the
  anomalies planted among them (``DemoDistrict.planted``: anomaly code -> ID numbers).
"""

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

from retirelink.archives.model import EmployerKind
from retirelink.demo.careers import base_cents, contribution_pieces
from retirelink.demo.employers import generate_employers
from retirelink.demo.model import (
    ANOMALY_CODES,
    ContributionYear,
    DemoDistrict,
    DemoEmployer,
    DemoPerson,
    EmploymentSpan,
    PartnerRecord,
    PartnerRecordKind,
    PersonStatus,
)
from retirelink.demo.persons import PersonDraft, iter_drafts
from retirelink.demo.timeline import month_date
from retirelink.rules.identifiers import Sex

__all__ = [
    "ContributionYear",
    "DemoDistrict",
    "DemoEmployer",
    "DemoPerson",
    "EmployerKind",
    "EmploymentSpan",
    "PartnerRecord",
    "PartnerRecordKind",
    "PersonStatus",
    "generate_district",
    "generate_employers",
    "iter_persons",
]


@lru_cache(maxsize=65536)
def yuan(cents: int) -> Decimal:
    """Cents (fen) as a two-place Decimal amount of yuan."""
    return Decimal(cents).scaleb(-2)


class _Builder:
    """Turns drafts into the public frozen dataclasses."""

    def __init__(self, employers: Sequence[DemoEmployer]) -> None:
        self._codes = tuple(employer.credit_code for employer in employers)

    def _careers(self, draft: PersonDraft) -> tuple[EmploymentSpan, ...]:
        codes = self._codes
        spans = [
            EmploymentSpan(
                codes[s.employer], month_date(s.start), month_date(s.end), s.post, s.underground
            )
            for s in draft.spans
        ]
        if draft.status is PersonStatus.INSURED:  # still working: the last span is open
            last = spans[-1]
            spans[-1] = EmploymentSpan(
                last.employer_credit_code, last.start, None, last.post, last.underground
            )
        return tuple(spans)

    def _contributions(self, draft: PersonDraft) -> tuple[ContributionYear, ...]:
        codes = self._codes
        return tuple(
            ContributionYear(year, months, yuan(base_cents(span.level, year)), codes[span.employer])
            for year, months, span in contribution_pieces(draft.spans)
        )

    def person(self, id_number: str, draft: PersonDraft) -> DemoPerson:
        return DemoPerson(
            id_number=id_number,
            name=draft.name,
            sex=Sex.MALE if draft.male else Sex.FEMALE,
            birth_date=date.fromordinal(draft.birth),
            ethnicity=draft.ethnicity,
            hukou_region=draft.hukou,
            phone=draft.phone,
            careers=self._careers(draft),
            contributions=self._contributions(draft),
            work_start=month_date(draft.work_start),
            status=draft.status,
            retirement_month=month_date(draft.retired) if draft.retired >= 0 else None,
            monthly_pension=yuan(draft.pension) if draft.pension >= 0 else None,
        )

    @staticmethod
    def records(id_number: str, draft: PersonDraft) -> list[PartnerRecord]:
        return [
            PartnerRecord(
                department=event.kind.department,
                kind=event.kind,
                id_number=id_number,
                name=draft.name,
                event_date=date.fromordinal(event.day),
                end_date=date.fromordinal(event.end) if event.end else None,
                planted_anomaly=event.anomaly,
            )
            for event in draft.events
        ]


def iter_persons(
    *, seed: int, count: int, as_of: date, employers: Sequence[DemoEmployer]
) -> Iterator[DemoPerson]:
    """Stream ``count`` persons; the same persons, in the same order, as the district's."""
    builder = _Builder(employers)
    for id_number, draft in iter_drafts(seed=seed, count=count, as_of=as_of, employers=employers):
        yield builder.person(id_number, draft)


def generate_district(*, seed: int, persons: int, as_of: date) -> DemoDistrict:
    """A complete demo district of ``persons`` persons as of ``as_of``."""
    employers = generate_employers(seed=seed)
    builder = _Builder(employers)
    people: list[DemoPerson] = []
    records: list[PartnerRecord] = []
    planted: dict[str, list[str]] = {code: [] for code in ANOMALY_CODES}
    for id_number, draft in iter_drafts(seed=seed, count=persons, as_of=as_of, employers=employers):
        people.append(builder.person(id_number, draft))
        records.extend(builder.records(id_number, draft))
        if draft.anomaly is not None:
            planted[draft.anomaly].append(id_number)
    return DemoDistrict(
        seed=seed,
        as_of=as_of,
        employers=employers,
        persons=tuple(people),
        partner_records=tuple(records),
        planted=MappingProxyType({code: tuple(ids) for code, ids in planted.items()}),
    )
