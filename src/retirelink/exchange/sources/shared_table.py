"""Table sync (库表同步): pulling a partner's shared table or view by a watermark column.

Two ways of ordering the table (``watermark_kind`` in the registry, docs/exchange.md):

- **integer** (the default): a sequence column that grows with every change (``seq``,
  ``xh``, an identity column); we read ``WHERE wm > :after ORDER BY wm LIMIT :n``.
- **timestamp** (更新时间水位): a change-timestamp column plus a unique tie-breaking key
  (usually the primary key). The cursor is the pair (timestamp, key) — text form in
  ``watermarks.py`` — and we read ``WHERE (ts, key) > (:t, :k) AND ts <= :horizon ORDER BY
  ts, key LIMIT :n``: rows sharing a timestamp are split across batches by the key, never
  skipped or repeated. ``:horizon`` is the injected clock's now minus the settle lag
  (稳定延迟): a change younger than that is left for a later pull, so a transaction that
  took its timestamp before, but commits after, a row we read has that long to commit.
  PostgreSQL and SQLite compare row values; another database gets the equivalent
  ``ts >= :t AND (ts > :t OR key > :k)``.

Timestamps: a value without a zone (``timestamp without time zone``, or SQLite text without
an offset) is in the partner's declared zone (default Asia/Shanghai); one with a zone is
taken as given; positions are UTC instants. On PostgreSQL (and other databases) the column
is compared as itself, bound as a naive local time or an aware instant to match its type, so
an index on (ts, key) serves the query. SQLite has no timestamp type: the column holds ISO
8601 text, which SQLite's ``strftime`` turns into UTC in SQL (a value without an offset gets
the declared zone's, which must then be fixed: no daylight saving) — so text with and without
offsets, with ``T`` or a space, with any number of fractional digits, orders correctly. That
normalises to milliseconds: rows within one millisecond are ordered by the key, and their
positions carry the millisecond. A value SQLite cannot read as a time counts as ``NULL``.
Rows whose timestamp or key is ``NULL`` are never delivered.

Values arrive as text, the partner's column names as field names. Typed values are taken
as the database driver returns them and written as: dates ``YYYY-MM-DD``, timestamps
``YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]``, decimals in plain notation, booleans
``true``/``false``. SQLite has no date, decimal or boolean types: there a value is the text
or number the partner stored (a date column holds whatever text the partner wrote), which we
pass on rather than guess at. ``NULL`` becomes a missing field — the same as an empty cell in
a file, which ``exchange/mapping.py`` treats as "not given". The watermark column (the
sequence, or the change timestamp) is the record's ``position``, not a field; a timestamp
table's tie-breaking key is part of the position and also a field when it is read.

Known limit of any watermark sync: a row whose sequence number (or timestamp) was taken
before, but committed after, a row we have already read is skipped — in timestamp mode only
when it commits more than the settle lag after its timestamp (a long transaction, or clock
skew between the partner and us). ``count_between`` lets the reconciliation job notice that
(the partner's count up to our watermark exceeds what we applied).
"""

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, NoSuchTableError, OperationalError
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import NullType

from retirelink.clock import Clock
from retirelink.errors import InvalidInputError, PartnerResponseError, UnavailableError
from retirelink.exchange.digests import batch_digest
from retirelink.exchange.model import ChangeBatch, SourceRecord
from retirelink.exchange.sources.watermarks import (
    MAX_CURSOR_LENGTH,
    TimestampOrder,
    format_timestamp_cursor,
    parse_timestamp_cursor,
    parse_watermark,
    partner_instant,
    watermark_value,
)


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


class _Fields:
    """Which columns become fields, and how each is turned into text (built once)."""

    def __init__(self, table: Table, chosen: Sequence[str], watermark: str) -> None:
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
        self.selected = [
            cast(c, Text) if _is_text(c) else type_coerce(c, NullType()) for c in fields
        ]


def _checked_columns(table: Table, needed: Sequence[str], columns: Sequence[str] | None) -> None:
    missing = [c for c in dict.fromkeys((*needed, *(columns or ()))) if c not in table.c]
    if missing:
        raise PartnerResponseError(f"共享表 {table.fullname} 中没有列 {'、'.join(missing)}")


class _Statements:
    """The queries of an integer-watermark source, built once so SQLAlchemy caches them."""

    def __init__(self, table: Table, watermark: str, columns: Sequence[str] | None) -> None:
        _checked_columns(table, (watermark,), columns)
        wm = table.c[watermark]
        chosen = columns if columns is not None else [c.name for c in table.c]
        self.fields = _Fields(table, chosen, watermark)
        # The watermark last: zip(names, row) then stops before it.
        base = select(*self.fields.selected, wm).order_by(wm).limit(bindparam("n"))
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


# SQLite's own normal form of a time, in UTC (strftime keeps milliseconds).
_SQLITE_FORMAT = "%Y-%m-%d %H:%M:%f"
# Databases whose row-value comparison ``(a, b) > (x, y)`` is native and can use an index.
_ROW_VALUES = frozenset({"postgresql", "sqlite"})


class _TimestampStatements:
    """The queries of a source read by (change timestamp, tie-breaking key)."""

    def __init__(
        self,
        table: Table,
        watermark: str,
        columns: Sequence[str] | None,
        order: TimestampOrder,
        *,
        dialect: str,
        year: int,
    ) -> None:
        _checked_columns(table, (watermark, order.tiebreak), columns)
        ts, key = table.c[watermark], table.c[order.tiebreak]
        chosen = columns if columns is not None else [c.name for c in table.c]
        self.fields = _Fields(table, chosen, watermark)
        self.key_type = _key_type(table, key)
        self.zone = order.zone
        self.on_sqlite = dialect == "sqlite"
        self.aware = False  # whether the column (not on SQLite) holds instants
        instant: ColumnElement[Any]
        if self.on_sqlite:
            offset = _fixed_offset(order.zone, year)
            instant = func.coalesce(
                func.strftime(_SQLITE_FORMAT, type_coerce(ts, Text) + literal(offset)),
                func.strftime(_SQLITE_FORMAT, type_coerce(ts, Text) + literal("T00:00" + offset)),
                func.strftime(_SQLITE_FORMAT, ts),
            )
            read: ColumnElement[Any] = instant
        else:
            if not isinstance(ts.type, DateTime):
                raise PartnerResponseError(
                    f"共享表 {table.fullname} 的更新时间列 {watermark} 不是时间类型"
                )
            instant, self.aware = ts, bool(ts.type.timezone)
            read = type_coerce(ts, NullType())

        def at(name: str) -> ColumnElement[Any]:
            if self.on_sqlite:
                return func.strftime(_SQLITE_FORMAT, bindparam(name, type_=Text))
            return bindparam(name, type_=ts.type)

        def after(t: str, k: str) -> ColumnElement[bool]:
            low, low_key = at(t), bindparam(k, type_=key.type)
            if dialect in _ROW_VALUES:
                return tuple_(instant, key) > tuple_(low, low_key)
            return and_(instant >= low, or_(instant > low, key > low_key))

        def upto(t: str, k: str) -> ColumnElement[bool]:
            high, high_key = at(t), bindparam(k, type_=key.type)
            if dialect in _ROW_VALUES:
                return tuple_(instant, key) <= tuple_(high, high_key)
            return and_(instant <= high, or_(instant < high, key <= high_key))

        # The timestamp and the key last: zip(names, row) then stops before them. A NULL
        # timestamp fails ``<= horizon``; a NULL key is excluded outright (a row value with
        # a NULL in it may still compare true).
        base = (
            select(*self.fields.selected, read, type_coerce(key, NullType()))
            .where(key.is_not(None), instant <= at("horizon"))
            .order_by(instant, key)
            .limit(bindparam("n"))
        )
        self.first = base
        self.next = base.where(after("t", "k"))
        counted = select(func.count()).select_from(table).where(key.is_not(None))
        self.count = counted.where(after("t", "k"), upto("u", "uk"))
        self.count_from_start = counted.where(upto("u", "uk"))

    def bind(self, instant: datetime) -> object:
        """A UTC instant as the column's own kind of value, for a comparison in SQL."""
        if self.on_sqlite:
            return instant.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")
        if self.aware:
            return instant.astimezone(UTC)
        return instant.astimezone(self.zone).replace(tzinfo=None)

    def instant(self, value: object, table: str, column: str) -> datetime:
        """The UTC instant of a row's timestamp as read."""
        if self.on_sqlite and isinstance(value, str):
            # strftime's output: UTC, without an offset.
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        if isinstance(value, datetime):
            return partner_instant(value, self.zone)
        if isinstance(value, str):
            try:
                return partner_instant(datetime.fromisoformat(value), self.zone)
            except ValueError:
                pass
        raise PartnerResponseError(f"共享表 {table} 的更新时间列 {column} 不是时间：{value!r}")


def _key_type(table: Table, key: Column[Any]) -> type[int] | type[str]:
    if isinstance(key.type, Integer):
        return int
    if isinstance(key.type, String):
        return str
    raise PartnerResponseError(f"共享表 {table.fullname} 的比对列 {key.name} 应为整数或文本列")


def _fixed_offset(zone: ZoneInfo, year: int) -> str:
    """The zone's UTC offset as ``+HH:MM``, for SQLite text without one; a zone with daylight
    saving has no single offset to give it, so it is refused there."""
    offsets = {
        zone.utcoffset(datetime(year, month, 1))  # noqa: DTZ001 - a wall time asked of the zone
        for month in (1, 4, 7, 10)
    }
    if len(offsets) != 1:
        raise InvalidInputError(
            f"SQLite 共享表只支持固定时差的时区（{zone.key} 有夏令时），请改用 PostgreSQL",
            field="timezone",
        )
    (offset,) = offsets
    minutes = int((offset or timedelta()).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _is_text(column: Column[Any]) -> bool:
    return isinstance(column.type, String)


class SharedTableSource:
    """A partner's shared table (or view) read incrementally by a watermark column.

    By default the watermark is an integer sequence column; with ``timestamp`` it is a change
    timestamp ordered with a tie-breaking key, and ``clock`` (required then) says what "now"
    is for the settle lag. ``columns`` limits the fields read (default: every column). The
    table is reflected on first use, not at construction, so a partner database that is
    down when we start does not stop the platform from starting.
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
        timestamp: TimestampOrder | None = None,
        clock: Clock | None = None,
    ) -> None:
        if timestamp is not None and clock is None:
            raise ValueError("a timestamp watermark needs the clock")
        self._engine = engine
        self._table_name = table_name
        self._schema = schema
        self._watermark = watermark_column
        self._columns = tuple(columns) if columns is not None else None
        self._name = name
        self._timestamp = timestamp
        self._clock = clock
        self._lock = threading.Lock()
        self._statements: _Statements | None = None
        self._timestamp_statements: _TimestampStatements | None = None

    @property
    def name(self) -> str:
        return self._name

    def fetch_changes(self, after: str | None, *, limit: int) -> ChangeBatch:
        if limit < 1:
            raise ValueError("limit must be positive")
        if self._timestamp is not None:
            return self._fetch_by_timestamp(after, limit)
        start = parse_watermark(after)
        statements = self._prepared()
        # One row more than asked tells whether more remain, without a second query.
        if start is None:
            query, params = statements.first, {"n": limit + 1}
        else:
            query, params = statements.next, {"n": limit + 1, "after": start}
        rows = self._read(query, params)
        records = self._records(rows[:limit], statements.fields, self._integer_position)
        return self._batch(after, records, has_more=len(rows) > limit)

    def count_between(self, after: str | None, upto: str) -> int:
        if self._timestamp is not None:
            return self._count_by_timestamp(after, upto)
        start, end = parse_watermark(after), watermark_value(upto)
        statements = self._prepared()
        if start is None:
            query, params = statements.count_from_start, {"upto": end}
        else:
            query, params = statements.count, {"after": start, "upto": end}
        with self._reading(), self._engine.connect() as conn:
            return int(conn.execute(query, params).scalar_one())

    def _fetch_by_timestamp(self, after: str | None, limit: int) -> ChangeBatch:
        assert self._timestamp is not None and self._clock is not None
        if after is not None:  # refuse a corrupt cursor before touching the partner database
            parse_timestamp_cursor(after, key_type=str)
        statements = self._prepared_by_timestamp()
        horizon = self._clock.now() - self._timestamp.settle
        params: dict[str, object] = {"n": limit + 1, "horizon": statements.bind(horizon)}
        query = statements.first
        if after is not None:
            start = parse_timestamp_cursor(after, key_type=statements.key_type)
            params |= {"t": statements.bind(start.at), "k": start.key}
            query = statements.next
        rows = self._read(query, params)

        def position(row: Sequence[Any]) -> str:
            return self._timestamp_position(row[-2], row[-1], statements)

        records = self._records(rows[:limit], statements.fields, position)
        return self._batch(after, records, has_more=len(rows) > limit)

    def _count_by_timestamp(self, after: str | None, upto: str) -> int:
        parse_timestamp_cursor(upto, key_type=str)
        if after is not None:
            parse_timestamp_cursor(after, key_type=str)
        statements = self._prepared_by_timestamp()
        end = parse_timestamp_cursor(upto, key_type=statements.key_type)
        params: dict[str, object] = {"u": statements.bind(end.at), "uk": end.key}
        query = statements.count_from_start
        if after is not None:
            start = parse_timestamp_cursor(after, key_type=statements.key_type)
            params |= {"t": statements.bind(start.at), "k": start.key}
            query = statements.count
        with self._reading(), self._engine.connect() as conn:
            return int(conn.execute(query, params).scalar_one())

    def _read(self, query: Executable, params: Mapping[str, object]) -> Sequence[Row[Any]]:
        with self._reading(), self._engine.connect() as conn:
            return conn.execute(query, params).fetchall()

    def _batch(
        self, after: str | None, records: tuple[SourceRecord, ...], *, has_more: bool
    ) -> ChangeBatch:
        return ChangeBatch(
            source=self._name,
            after=after,
            records=records,
            next_after=records[-1].position if records else after,
            has_more=has_more,
            digest=batch_digest(records),
        )

    def _records(
        self,
        rows: Sequence[Sequence[Any]],
        fields_of: _Fields,
        position: Callable[[Sequence[Any]], str],
    ) -> tuple[SourceRecord, ...]:
        names, nullable_text, typed = fields_of.names, fields_of.nullable_text, fields_of.typed
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
            records.append(SourceRecord(fields=fields, position=position(row)))
        return tuple(records)

    def _integer_position(self, row: Sequence[Any]) -> str:
        watermark = row[-1]
        if type(watermark) is not int:
            raise PartnerResponseError(
                f"共享表 {self._table_name} 的水位列 {self._watermark} 不是整数：{watermark!r}"
            )
        return str(watermark)

    def _timestamp_position(
        self, value: object, key: object, statements: _TimestampStatements
    ) -> str:
        assert self._timestamp is not None
        tiebreak = self._timestamp.tiebreak
        if type(key) is not statements.key_type:
            raise PartnerResponseError(
                f"共享表 {self._table_name} 的比对列 {tiebreak} 的值类型不符：{key!r}"
            )
        at = statements.instant(value, self._table_name, self._watermark)
        position = format_timestamp_cursor(at, key)
        if len(position) > MAX_CURSOR_LENGTH:
            raise PartnerResponseError(
                f"共享表 {self._table_name} 的比对列 {tiebreak} 的值过长，"
                f"无法作为同步水位（水位至多{MAX_CURSOR_LENGTH}个字符）：{key!r}"
            )
        return position

    def _table(self) -> Table:
        with self._reading(), self._engine.connect() as conn:
            return Table(self._table_name, MetaData(), schema=self._schema, autoload_with=conn)

    def _prepared(self) -> _Statements:
        with self._lock:
            if self._statements is None:
                self._statements = _Statements(self._table(), self._watermark, self._columns)
            return self._statements

    def _prepared_by_timestamp(self) -> _TimestampStatements:
        assert self._timestamp is not None and self._clock is not None
        with self._lock:
            if self._timestamp_statements is None:
                self._timestamp_statements = _TimestampStatements(
                    self._table(),
                    self._watermark,
                    self._columns,
                    self._timestamp,
                    dialect=self._engine.dialect.name,
                    year=self._clock.now().year,
                )
            return self._timestamp_statements

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
