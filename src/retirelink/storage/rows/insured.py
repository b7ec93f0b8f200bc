"""Rows of the insured record (参保记录): status and category, employment spans and
contribution years. Months are stored as the first day of the month."""

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from retirelink.storage.base import Base


class InsuranceRecordRow(Base):
    __tablename__ = "insurance_records"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    # rules.RetirementCategory: 'male', 'female55', 'female50'
    category: Mapped[str] = mapped_column(String(16))
    # 'insured', 'retired', 'deceased'
    status: Mapped[str] = mapped_column(String(16))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    retirement_month: Mapped[date | None] = mapped_column(Date)
    # 个人账户储存额 at the end of ``account_balance_year`` (after that year's interest): the
    # balances before 2016 were credited at provincial rates the engine does not hold.
    account_balance: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    account_balance_year: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_insurance_records_status", "status"),)


class EmploymentSpanRow(Base):
    __tablename__ = "employment_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    start_month: Mapped[date] = mapped_column(Date)
    end_month: Mapped[date | None] = mapped_column(Date)
    post: Mapped[str] = mapped_column(String(30))
    # rules.SpecialJobType or NULL
    special_job: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_employment_spans_person_id", "person_id"),)


class ContributionYearRow(Base):
    __tablename__ = "contribution_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    year: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)
    base_wage: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))

    __table_args__ = (Index("ix_contribution_years_person_id_year", "person_id", "year"),)
