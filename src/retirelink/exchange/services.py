"""Use cases on partner files: import (validate, then apply all-or-nothing), list received files.

A file is recognised by the SHA-256 of its bytes: sent twice, it is applied once. A file with
any issue is rejected as a whole and stored with its issue report, so nothing of it is applied
and the report can be shown again later.
"""

from datetime import date, datetime

from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.exchange.catalogue import Catalogue
from retirelink.exchange.file_import import ImportPreview, ParsedRow, preview_bytes
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA
from retirelink.exchange.model import (
    CatalogueItem,
    ExchangeFile,
    FieldKind,
    FileStatus,
    ImportOutcome,
    PartnerRecord,
)
from retirelink.exchange.ports import ExchangeUnitOfWork
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

# Catalogue fields that date the event a partner record reports; an item with one of them is
# a record item the partner-event file schema fits (deaths, cremations, imprisonments).
EVENT_DATE_FIELDS = frozenset({"death_date", "cremation_date", "detention_date"})
MAX_STORED_ISSUES = 1000
MAX_FILENAME = 255
MAX_RECENT_FILES = 500
_PURPOSE_LENGTH = 200


def import_partner_file(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    item_code: str,
    catalogue: Catalogue,
) -> ImportOutcome:
    """Validate a partner file and apply it whole, or reject it whole with a per-row report."""
    require(actor, Permission.EXCHANGE_IMPORT)
    item = _record_item(catalogue, item_code)
    preview = preview_bytes(data, PARTNER_EVENT_SCHEMA, as_of=uow.clock.today())
    earlier = uow.exchange_files.get_by_digest(preview.file_digest_sha256)
    if earlier is not None:
        return _recognise_duplicate(uow, actor, earlier, item)
    now = uow.clock.now()
    if not preview.applicable:
        stored = uow.exchange_files.add(_file(preview, item, filename, actor, now, applied=0))
        _ledger(uow, actor, LedgerAction.EXCHANGE_FILE_REJECTED, stored, item)
        uow.commit()
        return ImportOutcome(stored)
    return _apply(uow, actor, preview, item, filename, now)


def recent_files(uow: ExchangeUnitOfWork, *, actor: Actor, limit: int = 20) -> list[ExchangeFile]:
    """The latest received files (no personal data: names, counts and status only)."""
    require(actor, Permission.EXCHANGE_IMPORT)
    if not 1 <= limit <= MAX_RECENT_FILES:
        raise InvalidInputError(f"条数须在1到{MAX_RECENT_FILES}之间", field="limit")
    return uow.exchange_files.recent(limit=limit)


def received_file(uow: ExchangeUnitOfWork, *, actor: Actor, file_id: int) -> ExchangeFile:
    """One received file with its stored issue report. The report quotes rows of the file
    (ID numbers included), so reading it is ledgered like any personal-data read."""
    require(actor, Permission.EXCHANGE_IMPORT)
    found = uow.exchange_files.get(file_id)
    if found is None:
        raise NotFoundError("没有找到该数据文件的接收记录", field="file_id")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_FILE_READ,
        subject=uow.ledger.subject("exchange_file", found.digest_sha256),
        purpose=f"查看数据文件接收报告（{found.item_code}）",
    )
    uow.commit()
    return found


def importable_items(catalogue: Catalogue) -> list[CatalogueItem]:
    """The catalogue's event items a partner file can be imported into, in catalogue order."""
    return [item for item in catalogue if _is_event_item(item)]


def _is_event_item(item: CatalogueItem) -> bool:
    dated = {spec.name for spec in item.fields if spec.kind is FieldKind.DATE}
    return bool(dated & EVENT_DATE_FIELDS)


def _record_item(catalogue: Catalogue, item_code: str) -> CatalogueItem:
    item = catalogue.item(item_code)
    if not _is_event_item(item):
        raise InvalidInputError(
            f"{item.title}不是可按文件导入的事件类数据项（仅支持死亡、火化、服刑等记录）",
            field="item_code",
        )
    return item


def _recognise_duplicate(
    uow: ExchangeUnitOfWork, actor: Actor, earlier: ExchangeFile, item: CatalogueItem
) -> ImportOutcome:
    _ledger(uow, actor, LedgerAction.EXCHANGE_FILE_DUPLICATE, earlier, item)
    uow.commit()
    return ImportOutcome(earlier, duplicate=True)


def _apply(
    uow: ExchangeUnitOfWork,
    actor: Actor,
    preview: ImportPreview,
    item: CatalogueItem,
    filename: str,
    now: datetime,
) -> ImportOutcome:
    rows = preview.valid_rows
    held = uow.partner_records.existing_keys(item.code, (str(row["id_number"]) for row in rows))
    fresh = [row for row in rows if _key(row) not in held]
    stored = uow.exchange_files.add(_file(preview, item, filename, actor, now, applied=len(fresh)))
    assert stored.id is not None
    uow.partner_records.add_all([_record(row, item, stored.id, now) for row in fresh])
    _ledger(uow, actor, LedgerAction.EXCHANGE_FILE_IMPORTED, stored, item)
    uow.commit()
    return ImportOutcome(stored)


def _key(row: ParsedRow) -> tuple[str, date]:
    event_date = row["event_date"]
    assert isinstance(event_date, date)
    return (str(row["id_number"]), event_date)


def _record(row: ParsedRow, item: CatalogueItem, file_id: int, now: datetime) -> PartnerRecord:
    id_number, event_date = _key(row)
    end_date = row.get("end_date")
    record_type = row.get("record_type")
    return PartnerRecord(
        id=None,
        item_code=item.code,
        department=item.department.value,
        id_number=id_number,
        name=str(row["name"]),
        event_date=event_date,
        end_date=end_date if isinstance(end_date, date) else None,
        record_type=str(record_type) if record_type else None,
        file_id=file_id,
        received_at=now,
    )


def _file(
    preview: ImportPreview,
    item: CatalogueItem,
    filename: str,
    actor: Actor,
    now: datetime,
    *,
    applied: int,
) -> ExchangeFile:
    name = filename.strip() or "（未命名）"
    return ExchangeFile(
        id=None,
        digest_sha256=preview.file_digest_sha256,
        filename=name[-MAX_FILENAME:],
        item_code=item.code,
        department=item.department.value,
        format=preview.format.value if preview.format else "",
        encoding=preview.encoding,
        rows_total=preview.rows_total,
        rows_applied=applied,
        issue_count=len(preview.issues),
        status=FileStatus.APPLIED if preview.applicable else FileStatus.REJECTED,
        issues=tuple(preview.issues[:MAX_STORED_ISSUES]),
        received_at=now,
        actor=actor.username,
    )


def _ledger(
    uow: ExchangeUnitOfWork,
    actor: Actor,
    action: LedgerAction,
    file: ExchangeFile,
    item: CatalogueItem,
) -> None:
    purpose = f"{item.code}；依据：{' '.join(item.legal_basis.split())}"
    if len(purpose) > _PURPOSE_LENGTH:
        purpose = purpose[: _PURPOSE_LENGTH - 1] + "…"
    uow.ledger.record(
        actor=actor,
        action=action,
        subject=uow.ledger.subject("exchange_file", file.digest_sha256),
        purpose=purpose,
        after={
            "filename": file.filename,
            "item_code": file.item_code,
            "status": file.status.value,
            "rows_total": file.rows_total,
            "rows_applied": file.rows_applied,
            "issue_count": file.issue_count,
        },
    )
