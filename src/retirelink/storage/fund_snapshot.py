"""The fund guard's snapshot (``fundcheck.snapshot``) written from the database into DuckDB.

Everything is read in the caller's one transaction, so a snapshot taken while others write is
consistent: PostgreSQL's REPEATABLE READ (set by the repository) and SQLite's single read
transaction both see one moment. Columns are copied in batches as arrays (``unnest``), which
DuckDB ingests far faster than row-by-row inserts.

Partner records come from the exchange's ``partner_records``: the catalogue item says which
department and which kind of event (a 医保 settlement is a sign of life); a 司法 record's
刑罚种类 (record_type) says whether the custody stops the pension (拘役、有期徒刑) or not
(管制、缓刑、监外执行).
"""

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from retirelink.fundcheck.snapshot import TABLES, create_statement
from retirelink.storage.rows import (
    LifeSignRow,
    PartnerRecordRow,
    PensionPaymentRow,
    PensionRollRow,
)

BATCH = 50_000
# Any SELECT: the queries differ in their columns; every row is copied as a plain tuple.
AnySelect = Select[*tuple[Any, ...]]

# Catalogue item → (department, event kind) of ``partner_events``.
EVENT_ITEMS: dict[str, tuple[str, str]] = {
    "public_security.death_cancellation": ("public_security", "death_cancellation"),
    "health.death_medical_certificate": ("health", "death_certificate"),
    "civil_affairs.cremation": ("civil_affairs", "cremation"),
    "justice.prisoners_in_custody": ("justice", "imprisonment"),
    "court.declared_death": ("court", "declared_dead"),
}
# 医保 settlement records: signs of life, not events to check.
SETTLEMENT_ITEM = "medical_insurance.enrolment_and_settlement"
_NON_CUSTODIAL = ("管制", "缓刑", "监外执行")
_PENDING = ("在押未决", "未决", "通缉")


def custody_kind(record_type: str | None) -> str:
    """The custody kind of a 司法 record from its 刑罚种类 (劳社厅函〔2001〕44号 distinguishes)."""
    text = record_type or ""
    if "无罪" in text:
        return "acquitted"
    if any(word in text for word in _NON_CUSTODIAL):
        return "non_custodial"
    if any(word in text for word in _PENDING):
        return "pending"
    return "imprisonment"


def write_snapshot(
    session: Session,
    connection: duckdb.DuckDBPyConnection,
    *,
    id_numbers: Sequence[str] | None = None,
) -> None:
    """Create the snapshot tables in ``connection`` and fill them from ``session``."""
    for table in TABLES:
        connection.execute(create_statement(table))
    roll = _roll_query(session, id_numbers)
    pension_ids: list[int] = []
    for rows in _batches(session, roll):
        pension_ids.extend(row[0] for row in rows)
        _insert(connection, "pensioners", rows)
    people = None if id_numbers is None else _people(connection)
    for rows in _batches(session, _payments_query(pension_ids if id_numbers is not None else None)):
        _insert(connection, "payments", rows)
    for rows in _batches(session, _events_query(people)):
        _insert(connection, "partner_events", [_event(row) for row in rows])
    for rows in _batches(session, _signs_query(people)):
        _insert(connection, "signs_of_life", rows)
    for rows in _batches(session, _settlements_query(people)):
        _insert(connection, "signs_of_life", [_settlement(row) for row in rows])


def export_to_file(session: Session, target: Path) -> None:
    connection = duckdb.connect(str(target))
    try:
        write_snapshot(session, connection)
        connection.execute("CHECKPOINT")
    finally:
        connection.close()


_ROLL_COLUMNS = [
    PensionRollRow.id,
    PensionRollRow.id_number,
    PensionRollRow.name,
    PensionRollRow.birth_date,
    PensionRollRow.sex,
    PensionRollRow.scheme,
    PensionRollRow.region,
    PensionRollRow.first_month,
    PensionRollRow.monthly_amount,
    PensionRollRow.basic_amount,
    PensionRollRow.status,
    PensionRollRow.paid_through,
    PensionRollRow.bank_account,
    PensionRollRow.payee_name,
    PensionRollRow.account_changed_on,
    PensionRollRow.payee_changed_on,
    PensionRollRow.previous_id_number,
    PensionRollRow.previous_name,
    PensionRollRow.last_certified_on,
    PensionRollRow.archive_birth_date,
]


def _roll_query(session: Session, id_numbers: Sequence[str] | None) -> AnySelect:
    query = select(*_ROLL_COLUMNS).order_by(PensionRollRow.id)
    if id_numbers is None:
        return query
    # The persons' rows, the rows naming them as a previous identity (双改), the rows they
    # name, and the rows paid into the same accounts: what the duplicate and shared-account
    # checks compare them with.
    ids = set(id_numbers)
    own = session.execute(
        select(PensionRollRow.previous_id_number, PensionRollRow.bank_account).where(
            PensionRollRow.id_number.in_(ids)
        )
    ).all()
    ids |= {previous for previous, _ in own if previous}
    accounts = {account for _, account in own if account}
    return query.where(
        or_(
            PensionRollRow.id_number.in_(ids),
            PensionRollRow.previous_id_number.in_(ids),
            PensionRollRow.bank_account.in_(accounts),
        )
    )


def _people(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0] for row in connection.execute("SELECT DISTINCT id_number FROM pensioners").fetchall()
    ]


def _payments_query(pension_ids: Sequence[int] | None) -> AnySelect:
    query = select(
        PensionPaymentRow.pension_id,
        PensionPaymentRow.first_month,
        PensionPaymentRow.last_month,
        PensionPaymentRow.monthly_amount,
    ).order_by(PensionPaymentRow.pension_id, PensionPaymentRow.first_month)
    if pension_ids is None:
        return query
    return query.where(PensionPaymentRow.pension_id.in_(pension_ids))


def _events_query(people: Sequence[str] | None) -> AnySelect:
    query = select(
        PartnerRecordRow.id,
        PartnerRecordRow.item_code,
        PartnerRecordRow.id_number,
        PartnerRecordRow.name,
        PartnerRecordRow.event_date,
        PartnerRecordRow.end_date,
        PartnerRecordRow.received_at,
        PartnerRecordRow.record_type,
    ).where(PartnerRecordRow.item_code.in_(EVENT_ITEMS))
    if people is not None:
        query = query.where(PartnerRecordRow.id_number.in_(people))
    return query.order_by(PartnerRecordRow.id)


def _event(row: Sequence[Any]) -> tuple[Any, ...]:
    record_id, item, id_number, name, day, end, received, record_type = row
    department, kind = EVENT_ITEMS[item]
    if kind == "imprisonment":
        kind = custody_kind(record_type)
    return (record_id, department, kind, id_number, name, day, end, received.date())


def _signs_query(people: Sequence[str] | None) -> AnySelect:
    query = select(
        LifeSignRow.id_number, LifeSignRow.source, LifeSignRow.seen_on, LifeSignRow.reference
    )
    if people is not None:
        query = query.where(LifeSignRow.id_number.in_(people))
    return query.order_by(LifeSignRow.id)


def _settlements_query(people: Sequence[str] | None) -> AnySelect:
    """医保 settlements the exchange received: each one a sign of life (寓认证于服务)."""
    query = select(PartnerRecordRow.id, PartnerRecordRow.id_number, PartnerRecordRow.event_date)
    query = query.where(PartnerRecordRow.item_code == SETTLEMENT_ITEM)
    if people is not None:
        query = query.where(PartnerRecordRow.id_number.in_(people))
    return query.order_by(PartnerRecordRow.id)


def _settlement(row: Sequence[Any]) -> tuple[Any, ...]:
    record_id, id_number, day = row
    return (id_number, "medical_settlement", day, f"医保结算（记录号{record_id}）")


def _batches(session: Session, query: AnySelect) -> Iterator[list[tuple[Any, ...]]]:
    result = session.execute(query.execution_options(yield_per=BATCH))
    for partition in result.partitions(BATCH):
        yield [tuple(row) for row in partition]


def _insert(connection: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows column-wise: one array per column, zipped back by ``unnest``."""
    if not rows:
        return
    columns = TABLES[table]
    arrays = [list(values) for values in zip(*rows, strict=True)]
    selects = ", ".join(f"unnest(?::{kind}[])" for _, kind in columns)
    connection.execute(f"INSERT INTO {table} SELECT {selects}", arrays)
