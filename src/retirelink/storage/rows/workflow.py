"""Rows of the retirement "one thing" (退休一件事): pre-review checklists, the notification
outbox, applications and their parallel tasks."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from retirelink.storage.base import Base, UtcDateTime


class PrereviewChecklistRow(Base):
    """The current pre-review of one person: kept across runs until resolved."""

    __tablename__ = "prereview_checklists"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    retirement_month: Mapped[date] = mapped_column(Date)
    # 'statutory' or 'special_job'
    route: Mapped[str] = mapped_column(String(16))
    # 'open' (items to act on), 'ready' (nothing missing), 'resolved' (items all cleared)
    status: Mapped[str] = mapped_column(String(16))
    # JSON: the items of the last run (code, owner, text, evidence)
    items: Mapped[str] = mapped_column(Text)
    # JSON: the determination summary (birth date, category, months, minimum …)
    summary: Mapped[str] = mapped_column(Text)
    first_flagged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("ix_prereview_checklists_status_month", "status", "retirement_month"),)


class NotificationRow(Base):
    """A message to a person or an employer, sent by a notifier (SMS, e-mail, file)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same message is queued once: e.g. 'prereview:123:<digest of the items>'
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    # 'person' or 'employer'
    recipient_kind: Mapped[str] = mapped_column(String(16))
    # phone number, e-mail address or employer credit code
    recipient: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # 'pending', 'sent', 'failed'
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_notifications_status_id", "status", "id"),)


class RetirementApplicationRow(Base):
    """退休申请: one per person and retirement month (a second submission returns this one)."""

    __tablename__ = "retirement_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 受理编号, e.g. TX130406-20261204-000012
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    retirement_month: Mapped[date] = mapped_column(Date)
    # workflow.applications.ApplicationRoute / Channel
    route: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(16))
    bank_name: Mapped[str] = mapped_column(String(60))
    bank_account: Mapped[str] = mapped_column(String(24))
    employer_agrees: Mapped[bool] = mapped_column(Boolean)
    # 因病提前退休: the 劳动能力鉴定 conclusion (rules.WorkCapacity), its number and date
    appraisal_capacity: Mapped[str | None] = mapped_column(String(16))
    appraisal_reference: Mapped[str | None] = mapped_column(String(40))
    appraisal_date: Mapped[date | None] = mapped_column(Date)
    materials_asked: Mapped[int] = mapped_column(Integer)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint("person_id", "retirement_month", name="uq_retirement_applications_month"),
        Index("ix_retirement_applications_submitted_at", "submitted_at"),
    )


class ApplicationTaskRow(Base):
    """One parallel task of an application; the rows are also the work queue (claimed with
    SKIP LOCKED on PostgreSQL), so a crash between tasks resumes from their states."""

    __tablename__ = "application_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("retirement_applications.id"))
    kind: Mapped[str] = mapped_column(String(32))
    # workflow.applications.TaskStatus
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    summary: Mapped[str] = mapped_column(Text)
    # JSON list of evidence ids and JSON object of figures / the rules' explanation
    evidence: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("application_id", "kind", name="uq_application_tasks_kind"),
        Index("ix_application_tasks_status_next", "status", "next_attempt_at"),
    )


class ApplicationDecisionRow(Base):
    """核定 and 复核 of one application (maker-checker: two different people)."""

    __tablename__ = "application_decisions"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("retirement_applications.id"), primary_key=True
    )
    # 'determined', 'approved', 'returned'
    status: Mapped[str] = mapped_column(String(16))
    # The determination's conclusion: retire (true) or not
    grant: Mapped[bool] = mapped_column(Boolean)
    determined_by: Mapped[str] = mapped_column(String(64))
    determined_at: Mapped[datetime] = mapped_column(UtcDateTime())
    determination_note: Mapped[str] = mapped_column(Text)
    # JSON: the rules' explanation and every task's summary and evidence at determination
    basis: Mapped[str] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    review_note: Mapped[str] = mapped_column(Text)


class SuppliedMaterialRow(Base):
    """补充材料: a scan the person or the employer handed in online, waiting for the archive
    to receive it (or returned with a reason)."""

    __tablename__ = "supplied_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    archive_id: Mapped[int] = mapped_column(ForeignKey("archives.id"))
    # archives.MaterialType
    material_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(60))
    formation_date: Mapped[date] = mapped_column(Date)
    file_name: Mapped[str] = mapped_column(String(200))
    # The file in the blob store
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer)
    # security.PrincipalKind: 'person' or 'employer'
    channel: Mapped[str] = mapped_column(String(16))
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # workflow.supplements.SupplementStatus
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str] = mapped_column(Text)
    material_id: Mapped[int | None] = mapped_column(ForeignKey("materials.id"))

    __table_args__ = (
        # The same file for the same person is one submission (a repeat returns it) unless
        # it was returned: then it may be handed in again.
        Index(
            "uq_supplied_materials_file",
            "person_id",
            "sha256",
            unique=True,
            sqlite_where=text("status != 'returned'"),
            postgresql_where=text("status != 'returned'"),
        ),
        Index("ix_supplied_materials_status_id", "status", "id"),
    )


class PensionRecalculationRow(Base):
    """重新核定 of a pension paid on provisional figures, once they are published."""

    __tablename__ = "pension_recalculations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("retirement_applications.id"), index=True
    )
    recalculated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recalculated_by: Mapped[str] = mapped_column(String(64))
    previous_monthly: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    monthly: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    months_paid: Mapped[int] = mapped_column(Integer)
    start_month: Mapped[date] = mapped_column(Date)
    # JSON list of the figures still unpublished (empty: final)
    still_provisional: Mapped[str] = mapped_column(Text)
    # JSON: the rules' pension result with its explanation
    pension: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        # One recalculation per application and state of publication: runs at once record one.
        UniqueConstraint(
            "application_id", "still_provisional", name="uq_pension_recalculations_state"
        ),
    )
