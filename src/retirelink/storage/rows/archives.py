from datetime import date

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from retirelink.storage.base import Base, sortable_text


class PersonRow(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 公民身份号码 as text, 18 upper-case characters (never a number: Excel would float it).
    id_number: Mapped[str] = mapped_column(sortable_text(18), unique=True)
    name: Mapped[str] = mapped_column(sortable_text(30))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(2))
    hukou_region: Mapped[str] = mapped_column(String(6))
    phone: Mapped[str | None] = mapped_column(String(11))

    __table_args__ = (Index("ix_persons_name_id_number", "name", "id_number"),)


class EmployerRow(Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(6))


class DepartmentRow(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(6))
