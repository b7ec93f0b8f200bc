"""Declarative base, naming convention and shared column types."""

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, DateTime, MetaData, String, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute
from sqlalchemy.types import TypeDecorator

# Every constraint gets a predictable name, so migrations can drop and alter them on
# both SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Bound parameters per IN (...) list, well below SQLite's limit.
IN_LIST_CHUNK = 500
# Values per ``= ANY(array)`` on PostgreSQL: one parameter whatever the count, so a whole chunk
# of an import goes in one query (500 separate parameters cost more to send than to run).
ARRAY_CHUNK = 5000


def one_of(column: QueryableAttribute[str], name: str, *, array: bool) -> ColumnElement[bool]:
    """``column IN (…)`` bound as ``name``: an array parameter on PostgreSQL (``array``),
    an expanding IN list elsewhere."""
    if array:
        return column == any_(bindparam(name, type_=ARRAY(String)))
    return column.in_(bindparam(name, expanding=True))


def chunk_size(dialect_name: str) -> int:
    return ARRAY_CHUNK if dialect_name == "postgresql" else IN_LIST_CHUNK


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC out, on SQLite (which keeps no zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC)

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sortable_text(length: int) -> String:
    """Text compared byte-wise (collation "C" on PostgreSQL), so prefix ranges use the index."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")
