"""The insured record (参保记录) in SQL: status and category, employment spans, contribution
years; the candidate query of pre-review."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.orm import Session

from retirelink.archives.insured import (
    ContributionYear,
    EmploymentSpan,
    InsuranceRecord,
    InsuranceStatus,
)
from retirelink.rules import RetirementCategory, SpecialJobType, YearMonth
from retirelink.storage.base import chunk_size
from retirelink.storage.rows import (
    ArchiveFactRow,
    ContributionYearRow,
    EmployerRow,
    EmploymentSpanRow,
    InsuranceRecordRow,
    PersonRow,
)
from retirelink.workflow.ports import InsuredCandidate, InsuredDetail

_TRUSTED_FACTS = ("confirmed", "corrected")


class SqlAlchemyInsuredRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def put(self, record: InsuranceRecord) -> None:
        """Store (or replace) a person's record, spans and contribution years."""
        self.put_many([record])

    def put_many(self, records: Sequence[InsuranceRecord]) -> None:
        """Bulk form of :meth:`put` (the demo loader): Core inserts, replaced per person."""
        ids = [record.person_id for record in records]
        for table in (ContributionYearRow, EmploymentSpanRow, InsuranceRecordRow):
            self._session.execute(delete(table).where(table.person_id.in_(ids)))
        self._insert(InsuranceRecordRow, [_record_columns(record) for record in records])
        self._insert(
            EmploymentSpanRow,
            [_span_columns(r.person_id, span) for r in records for span in r.employments],
        )
        self._insert(
            ContributionYearRow,
            [_year_columns(r.person_id, year) for r in records for year in r.contributions],
        )

    def _insert(self, table: type, rows: list[dict[str, object]]) -> None:
        if rows:
            self._session.execute(insert(table), rows)

    def get(self, person_id: int) -> InsuranceRecord | None:
        row = self._session.get(InsuranceRecordRow, person_id)
        if row is None:
            return None
        spans = self._session.scalars(
            select(EmploymentSpanRow)
            .where(EmploymentSpanRow.person_id == person_id)
            .order_by(EmploymentSpanRow.start_month, EmploymentSpanRow.id)
        )
        years = self._session.scalars(
            select(ContributionYearRow)
            .where(ContributionYearRow.person_id == person_id)
            .order_by(ContributionYearRow.year, ContributionYearRow.id)
        )
        return InsuranceRecord(
            person_id=person_id,
            category=RetirementCategory(row.category),
            status=InsuranceStatus(row.status),
            employer_id=row.employer_id,
            retirement_month=_month(row.retirement_month),
            employments=tuple(_span(span) for span in spans),
            contributions=tuple(
                ContributionYear(y.year, y.months, y.base_wage, y.employer_id) for y in years
            ),
            account_balance=row.account_balance,
            account_balance_year=row.account_balance_year,
        )

    def mark_retired(self, person_id: int, month: YearMonth) -> None:
        """The approved retirement: status retired from ``month`` (the pension roll's entry)."""
        self._session.execute(
            update(InsuranceRecordRow)
            .where(InsuranceRecordRow.person_id == person_id)
            .values(status=InsuranceStatus.RETIRED.value, retirement_month=month.first_day())
        )

    def insured_born_between(self, first: date, last: date) -> list[InsuredCandidate]:
        special = (
            select(EmploymentSpanRow.person_id)
            .where(EmploymentSpanRow.special_job.is_not(None))
            .distinct()
            .subquery()
        )
        births = (
            select(
                ArchiveFactRow.person_id,
                func.min(ArchiveFactRow.start_date).label("earliest"),
                func.max(ArchiveFactRow.start_date).label("latest"),
            )
            .where(
                ArchiveFactRow.kind == "birth_date",
                ArchiveFactRow.status.in_(_TRUSTED_FACTS),
                ArchiveFactRow.start_date.is_not(None),
            )
            .group_by(ArchiveFactRow.person_id)
            .subquery()
        )
        rows = self._session.execute(
            select(
                PersonRow.id,
                PersonRow.birth_date,
                InsuranceRecordRow.category,
                special.c.person_id.is_not(None).label("special"),
                births.c.earliest,
                births.c.latest,
            )
            .join(InsuranceRecordRow, InsuranceRecordRow.person_id == PersonRow.id)
            .outerjoin(special, special.c.person_id == PersonRow.id)
            .outerjoin(births, births.c.person_id == PersonRow.id)
            .where(
                InsuranceRecordRow.status == InsuranceStatus.INSURED.value,
                and_(PersonRow.birth_date >= first, PersonRow.birth_date <= last),
            )
            .order_by(PersonRow.id)
        )
        return [
            InsuredCandidate(
                person_id=row.id,
                id_card_birth=row.birth_date,
                category=RetirementCategory(row.category),
                has_special_job=bool(row.special),
                archive_births=(row.earliest, row.latest) if row.earliest else None,
            )
            for row in rows
        ]

    def details(self, person_ids: Sequence[int]) -> dict[int, InsuredDetail]:
        months: dict[int, list[tuple[int, int]]] = {}
        spans: dict[int, list[EmploymentSpan]] = {}
        employers: dict[int, tuple[str, str]] = {}
        size = chunk_size(self._session.get_bind().dialect.name)
        for start in range(0, len(person_ids), size):
            chunk = list(person_ids[start : start + size])
            months.update(self._months(chunk))
            for row in self._session.scalars(
                select(EmploymentSpanRow)
                .where(EmploymentSpanRow.person_id.in_(chunk))
                .order_by(EmploymentSpanRow.person_id, EmploymentSpanRow.start_month)
            ):
                spans.setdefault(row.person_id, []).append(_span(row))
            employers.update(self._employers(chunk))
        return {
            person_id: InsuredDetail(
                contribution_months=sum(paid for _, paid in months.get(person_id, ())),
                paid_by_year=tuple(months.get(person_id, ())),
                employments=tuple(spans.get(person_id, ())),
                employer=employers.get(person_id),
            )
            for person_id in person_ids
        }

    def _months(self, chunk: list[int]) -> dict[int, list[tuple[int, int]]]:
        rows = self._session.execute(
            select(
                ContributionYearRow.person_id,
                ContributionYearRow.year,
                func.sum(ContributionYearRow.months),
            )
            .where(ContributionYearRow.person_id.in_(chunk))
            .group_by(ContributionYearRow.person_id, ContributionYearRow.year)
            .order_by(ContributionYearRow.person_id, ContributionYearRow.year)
        )
        found: dict[int, list[tuple[int, int]]] = {}
        for person_id, year, total in rows:
            found.setdefault(person_id, []).append((int(year), int(total or 0)))
        return found

    def _employers(self, chunk: list[int]) -> dict[int, tuple[str, str]]:
        rows = self._session.execute(
            select(InsuranceRecordRow.person_id, EmployerRow.credit_code, EmployerRow.name)
            .join(EmployerRow, EmployerRow.id == InsuranceRecordRow.employer_id)
            .where(InsuranceRecordRow.person_id.in_(chunk))
        )
        return {row.person_id: (row.credit_code, row.name) for row in rows}


def _month(value: date | None) -> YearMonth | None:
    return YearMonth.of(value) if value else None


def _first_day(month: YearMonth | None) -> date | None:
    return month.first_day() if month else None


def _span(row: EmploymentSpanRow) -> EmploymentSpan:
    return EmploymentSpan(
        employer_id=row.employer_id,
        start=YearMonth.of(row.start_month),
        end=_month(row.end_month),
        post=row.post,
        special_job=SpecialJobType(row.special_job) if row.special_job else None,
    )


def _record_columns(record: InsuranceRecord) -> dict[str, object]:
    return {
        "person_id": record.person_id,
        "category": record.category.value,
        "status": record.status.value,
        "employer_id": record.employer_id,
        "retirement_month": _first_day(record.retirement_month),
        "account_balance": record.account_balance,
        "account_balance_year": record.account_balance_year,
    }


def _span_columns(person_id: int, span: EmploymentSpan) -> dict[str, object]:
    return {
        "person_id": person_id,
        "employer_id": span.employer_id,
        "start_month": span.start.first_day(),
        "end_month": _first_day(span.end),
        "post": span.post,
        "special_job": span.special_job.value if span.special_job else None,
    }


def _year_columns(person_id: int, year: ContributionYear) -> dict[str, object]:
    return {
        "person_id": person_id,
        "year": year.year,
        "months": year.months,
        "base_wage": year.base_wage,
        "employer_id": year.employer_id,
    }
