"""Rows of the retirement "one thing" (退休一件事): pre-review checklists and the
notification outbox."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
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
