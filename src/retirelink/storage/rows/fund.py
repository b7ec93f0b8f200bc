"""Rows of the fund guard (基金安全): the pension roll and its payments, shared signs of life,
check runs and findings with their history. Months are stored as the first day of the month."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from retirelink.storage.base import Base, UtcDateTime


class PensionRollRow(Base):
    """One pension on the roll (待遇发放名册); the id is the 待遇号 findings cite."""

    __tablename__ = "pension_roll"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    scheme: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(6))
    first_month: Mapped[date] = mapped_column(Date)
    monthly_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    basic_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(16))
    paid_through: Mapped[date | None] = mapped_column(Date)
    bank_account: Mapped[str] = mapped_column(String(32))
    payee_name: Mapped[str] = mapped_column(String(50))
    account_changed_on: Mapped[date | None] = mapped_column(Date)
    payee_changed_on: Mapped[date | None] = mapped_column(Date)
    previous_id_number: Mapped[str | None] = mapped_column(String(18))
    previous_name: Mapped[str | None] = mapped_column(String(50))
    last_certified_on: Mapped[date | None] = mapped_column(Date)
    archive_birth_date: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_pension_roll_id_number", "id_number"),
        Index("ix_pension_roll_previous_id_number", "previous_id_number"),
        Index("ix_pension_roll_bank_account", "bank_account"),
        # The payroll month (max) is read every continuous round: an index answers it at once.
        Index("ix_pension_roll_paid_through", "paid_through"),
    )


class PensionPaymentRow(Base):
    """Months ``first_month``..``last_month`` paid at one amount."""

    __tablename__ = "pension_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pension_id: Mapped[int] = mapped_column(ForeignKey("pension_roll.id"))
    first_month: Mapped[date] = mapped_column(Date)
    last_month: Mapped[date] = mapped_column(Date)
    monthly_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    __table_args__ = (Index("ix_pension_payments_pension_id", "pension_id"),)


class LifeSignRow(Base):
    """A sign of life shared by another department (无感认证), or an active certification."""

    __tablename__ = "life_signs"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18))
    source: Mapped[str] = mapped_column(String(32))
    seen_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_life_signs_id_number_seen_on", "id_number", "seen_on"),)


class FundRunRow(Base):
    """A batch run, or the continuous mode's cursor (kind 'continuous', one row)."""

    __tablename__ = "fund_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # 'running', 'done', 'failed'
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    started_by: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    snapshot_path: Mapped[str | None] = mapped_column(Text)
    # Resume point: the last pension id done (batch), the last partner record read (continuous).
    checkpoint: Mapped[int] = mapped_column(Integer, default=0)
    persons: Mapped[int] = mapped_column(Integer, default=0)
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    new_findings: Mapped[int] = mapped_column(Integer, default=0)
    seen_findings: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="{}")


class FundFindingRow(Base):
    """A finding, kept across runs by its key; the status moves through the lifecycle."""

    __tablename__ = "fund_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(96), unique=True)
    check_code: Mapped[str] = mapped_column(String(32))
    pension_id: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    confidence: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    months: Mapped[int] = mapped_column(Integer)
    from_month: Mapped[str | None] = mapped_column(String(7))
    suspend: Mapped[bool] = mapped_column(Boolean)
    owed_to_person: Mapped[bool] = mapped_column(Boolean)
    related_pension_id: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("fund_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("fund_runs.id"))
    found_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Recovery (追回): amount, survivor-benefit offset, fine, repayment plan (JSON).
    recovery: Mapped[str | None] = mapped_column(Text)
    # Repaid so far (also in ``recovery``), a column so totals are one SUM.
    recovered: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))

    __table_args__ = (
        Index("ix_fund_findings_status_check_code", "status", "check_code"),
        Index("ix_fund_findings_id_number", "id_number"),
    )


class FundFindingEventRow(Base):
    """One step of a finding's lifecycle: who moved it, from what to what, and why."""

    __tablename__ = "fund_finding_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("fund_findings.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_fund_finding_events_finding_id", "finding_id"),)
