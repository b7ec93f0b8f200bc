from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from retirelink.storage.base import Base, UtcDateTime


class ExchangeFileRow(Base):
    """A partner file received once (by SHA-256), applied or rejected with its issue report."""

    __tablename__ = "exchange_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    item_code: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(8))
    encoding: Mapped[str] = mapped_column(String(32))
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_applied: Mapped[int] = mapped_column(Integer)
    issue_count: Mapped[int] = mapped_column(Integer)
    # 'applied' or 'rejected'
    status: Mapped[str] = mapped_column(String(16))
    # JSON list of {row, field, message, value}, at most MAX_STORED_ISSUES entries.
    issues_json: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(32))


class PartnerRecordRow(Base):
    """One event a partner reported; the same (item, person, date) is stored once."""

    __tablename__ = "partner_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_code: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(50))
    event_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    record_type: Mapped[str | None] = mapped_column(Text)
    file_id: Mapped[int] = mapped_column(ForeignKey("exchange_files.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (
        UniqueConstraint(
            "item_code",
            "id_number",
            "event_date",
            name="uq_partner_records_item_code_id_number_event_date",
        ),
    )
