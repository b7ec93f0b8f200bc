"""Table sync (库表同步): pulling a partner's shared table or view by a watermark column.

The partner exposes a table or view with an integer sequence column that grows with every
change (``seq``, ``xh``, an identity column); we read ``WHERE wm > :after ORDER BY wm
LIMIT :n`` with SQLAlchemy Core, so each pull touches one batch, never the whole table.

Values arrive as text, the partner's column names as field names. Typed values are taken
as the database driver returns them and written as: dates ``YYYY-MM-DD``, timestamps
``YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]``, decimals in plain notation, booleans
``true``/``false``. SQLite has no date, decimal or boolean types: there a value is the text
or number the partner stored (a date column holds whatever text the partner wrote), which we
pass on rather than guess at. ``NULL`` becomes a missing field — the same as an empty cell in
a file, which ``exchange/mapping.py`` treats as "not given". The watermark column is the
record's ``position``, not a field; rows whose watermark is ``NULL`` are never delivered.

Known limit of any watermark sync: a row whose sequence number was taken before, but
committed after, a row we have already read is skipped. ``count_between`` lets the
reconciliation job notice that (the partner's count for a range exceeds what we applied).
"""

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, NoSuchTableError, OperationalError
from sqlalchemy.types import NullType

from retirelink.errors import PartnerResponseError, UnavailableError
from retirelink.exchange.digests import batch_digest
from retirelink.exchange.model import ChangeBatch, SourceRecord
from retirelink.exchange.sources.watermarks import parse_watermark, watermark_value


def _iso_datetime(value: datetime) -> str:
    return value.isoformat(sep=" ")


def _plain_decimal(value: Decimal) -> str:
    return format(value, "f")


def _boolean(value: bool) -> str:
    return "true" if value else "false"


# Looked up by exact type, once per typed cell: faster than an isinstance chain on the
# million-row path. Anything else (subclasses, UUID, bytes) goes through ``_as_text``.
_RENDER: dict[type, Callable[[Any], str]] = {
    str: str,
    date: date.isoformat,
    datetime: _iso_datetime,
    time: time.isoformat,
    Decimal: _plain_decimal,
    int: str,
    float: str,
    bool: _boolean,
}


# Subclasses before their bases: a datetime is a date, a bool an int.
_SUBCLASS_ORDER = (bool, datetime, date, time, Decimal, int, float, str)


def _as_text(column: str, value: object) -> str:
    for kind in _SUBCLASS_ORDER:
        if isinstance(value, kind):
            return _RENDER[kind](value)
    if isinstance(value, UUID):
        return str(value)
    kind_name = type(value).__name__
    raise PartnerResponseError(f"共享表字段 {column} 的值无法作为文本读取（{kind_name}）")


class _Statements:
    """The queries of one source, built once so SQLAlchemy caches their compilation."""

    def __init__(self, table: Table, watermark: str, columns: Sequence[str] | None) -> None:
        missing = [c for c in (watermark, *(columns or ())) if c not in table.c]
        if missing:
            raise PartnerResponseError(f"共享表 {table.fullname} 中没有列 {'、'.join(missing)}")
        wm = table.c[watermark]
        chosen = columns if columns is not None else [c.name for c in table.c]
        fields = [table.c[c] for c in chosen if c != watermark]
        self.names = tuple(c.name for c in fields)
        # Per-cell Python work only where it can be needed: NULLs in nullable text columns,
        # conversion of typed ones. Text columns are cast in SQL, because SQLite lets a
        # VARCHAR column hold a number; the cast makes every value text at C speed.
        self.nullable_text = tuple(c.name for c in fields if _is_text(c) and c.nullable)
        self.typed = tuple(c.name for c in fields if not _is_text(c))
        # Typed columns are read raw (no SQLAlchemy result processing): on PostgreSQL the
        # driver already returns dates and decimals, and on SQLite SQLAlchemy would parse the
        # stored text as if SQLAlchemy had written it — costly, and wrong for other writers.
        selected = [cast(c, Text) if _is_text(c) else type_coerce(c, NullType()) for c in fields]
        # The watermark last: zip(names, row) then stops before it.
        base = select(*selected, wm).order_by(wm).limit(bindparam("n"))
        self.first = base.where(wm.is_not(None))
        self.next = base.where(wm > bindparam("after"))
        self.count = (
            select(func.count())
            .select_from(table)
            .where(wm > bindparam("after"), wm <= bindparam("upto"))
        )
        self.count_from_start = (
            select(func.count()).select_from(table).where(wm <= bindparam("upto"))
        )


def _is_text(column: Column[Any]) -> bool:
    return isinstance(column.type, String)


class SharedTableSource:
    """A partner's shared table (or view) read incrementally by an integer watermark column.

    ``columns`` limits the fields read (default: every column). The table is reflected on
    first use, not at construction, so a partner database that is down when we start does
    not stop the platform from starting.
    """

    def __init__(
        self,
        engine: Engine,
        table_name: str,
        *,
        watermark_column: str,
        name: str,
        columns: Sequence[str] | None = None,
        schema: str | None = None,
    ) -> None:
        self._engine = engine
        self._table_name = table_name
        self._schema = schema
        self._watermark = watermark_column
        self._columns = tuple(columns) if columns is not None else None
        self._name = name
        self._lock = threading.Lock()
        self._statements: _Statements | None = None

    @property
    def name(self) -> str:
        return self._name

    def fetch_changes(self, after: str | None, *, limit: int) -> ChangeBatch:
        if limit < 1:
            raise ValueError("limit must be positive")
        start = parse_watermark(after)
        statements = self._prepared()
        # One row more than asked tells whether more remain, without a second query.
        if start is None:
            query, params = statements.first, {"n": limit + 1}
        else:
            query, params = statements.next, {"n": limit + 1, "after": start}
        with self._reading(), self._engine.connect() as conn:
            rows = conn.execute(query, params).fetchall()
        records = self._records(rows[:limit], statements)
        return ChangeBatch(
            source=self._name,
            after=after,
            records=records,
            next_after=records[-1].position if records else after,
            has_more=len(rows) > limit,
            digest=batch_digest(records),
        )

    def count_between(self, after: str | None, upto: str) -> int:
        start, end = parse_watermark(after), watermark_value(upto)
        statements = self._prepared()
        if start is None:
            query, params = statements.count_from_start, {"upto": end}
        else:
            query, params = statements.count, {"after": start, "upto": end}
        with self._reading(), self._engine.connect() as conn:
            return int(conn.execute(query, params).scalar_one())

    def _records(
        self, rows: Sequence[Sequence[Any]], statements: _Statements
    ) -> tuple[SourceRecord, ...]:
        names, nullable_text, typed = statements.names, statements.nullable_text, statements.typed
        records: list[SourceRecord] = []
        for row in rows:
            fields: dict[str, Any] = dict(zip(names, row, strict=False))
            for name in nullable_text:
                if fields[name] is None:
                    del fields[name]
            for name in typed:
                value = fields[name]
                if value is None:
                    del fields[name]
                else:
                    render = _RENDER.get(type(value))
                    fields[name] = render(value) if render else _as_text(name, value)
            records.append(SourceRecord(fields=fields, position=self._position(row[-1])))
        return tuple(records)

    def _position(self, watermark: object) -> str:
        if type(watermark) is not int:
            raise PartnerResponseError(
                f"共享表 {self._table_name} 的水位列 {self._watermark} 不是整数：{watermark!r}"
            )
        return str(watermark)

    def _prepared(self) -> _Statements:
        with self._lock:
            if self._statements is None:
                with self._reading(), self._engine.connect() as conn:
                    table = Table(
                        self._table_name, MetaData(), schema=self._schema, autoload_with=conn
                    )
                self._statements = _Statements(table, self._watermark, self._columns)
            return self._statements

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except NoSuchTableError:
            raise PartnerResponseError(
                f"{self._name}：合作部门数据库中没有共享表 {self._table_name}"
            ) from None
        except (OperationalError, InterfaceError) as error:
            raise UnavailableError(
                f"{self._name}：无法连接合作部门数据库，"
                f"读取共享表 {self._table_name} 失败，请稍后重试"
            ) from error
        except DBAPIError as error:
            raise UnavailableError(
                f"{self._name}：读取合作部门共享表 {self._table_name} 时数据库报错，请稍后重试"
            ) from error
