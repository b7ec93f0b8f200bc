"""Use cases on partner files: import (validate while applying, all or nothing), list, read.

A file is recognised by the SHA-256 of its bytes: sent twice, it is applied once. A file with
any issue is rejected as a whole and stored with its issue report, so nothing of it is applied
and the report can be shown again later. Files are read as a stream, so a 2 GB file is
imported with memory flat in its size (``receiving.receive`` applies it chunk by chunk in one
transaction).
"""

from collections.abc import Callable, Iterator
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.exchange.catalogue import Catalogue
from retirelink.exchange.file_import import ChildRowStream, RowStream
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA
from retirelink.exchange.model import (
    FILE_DEDUPE_PREFIX,
    CatalogueItem,
    ExchangeJob,
    FieldKind,
    ImportOutcome,
    JobStatus,
    Transport,
)
from retirelink.exchange.ports import ExchangeUnitOfWork
from retirelink.exchange.receiving import (
    Transfer,
    TransferRows,
    find_earlier,
    receive,
    recognise_duplicate,
)
from retirelink.ledger.model import LedgerAction
from retirelink.security.crypto import DualDigest
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

# Catalogue fields that date the event a partner record reports; an item with one of them is
# an event item the partner-event file schema fits (deaths, cremations, imprisonments,
# medical settlements).
EVENT_DATE_FIELDS = frozenset(
    {"death_date", "death_time", "cremation_date", "detention_date", "settlement_date"}
)
MAX_FILENAME = 255
# From this size on, a file is read and validated in a second process (starting one costs
# about a second, which pays off on files of several hundred thousand rows).
PIPELINE_MIN_BYTES = 16 * 1024 * 1024
MAX_RECENT_FILES = 500
_READ_CHUNK = 1 << 20

Opener = Callable[[], BinaryIO]


def import_partner_file(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    item_code: str,
    catalogue: Catalogue,
    receipt_key: bytes,
) -> ImportOutcome:
    """Import an uploaded file held in memory (see :func:`import_partner_path`)."""
    return _import(uow, actor, data, filename, item_code, catalogue, receipt_key)


def import_partner_path(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    path: Path,
    item_code: str,
    catalogue: Catalogue,
    receipt_key: bytes,
) -> ImportOutcome:
    """Import a file on disk of any size: validated and applied whole, or rejected whole
    with a per-row report; ``receipt_key`` signs the receipt (回执) handed back.

    A file of ``PIPELINE_MIN_BYTES`` or more is read and validated in a second process while
    this one applies it (``prefetch``): the same outcome, with both cores at work.
    """
    return _import(uow, actor, path, path.name, item_code, catalogue, receipt_key)


def _import(
    uow: ExchangeUnitOfWork,
    actor: Actor,
    source: Path | bytes,
    filename: str,
    item_code: str,
    catalogue: Catalogue,
    receipt_key: bytes,
) -> ImportOutcome:
    require(actor, Permission.EXCHANGE_IMPORT)
    item = _event_item(catalogue, item_code)
    opener = _opener(source)
    sha256, sm3 = _digests(opener)
    name = (filename.strip() or "（未命名）")[-MAX_FILENAME:]
    transfer = Transfer(
        transport=Transport.FILE,
        item=item,
        reference=name,
        dedupe_key=FILE_DEDUPE_PREFIX + sha256,
        payload_digest=sm3,
        partner=item.department.value,
        receipt_key=receipt_key,
    )
    earlier = find_earlier(uow, transfer)
    if earlier is not None:
        return recognise_duplicate(uow, actor, transfer, earlier)
    rows = _rows(source, opener, uow.clock.today())
    return receive(uow, actor=actor, transfer=transfer, rows=rows, known_new=True)


def _opener(source: Path | bytes) -> Opener:
    if isinstance(source, bytes):
        return lambda: BytesIO(source)
    return lambda: source.open("rb")


def _rows(source: Path | bytes, opener: Opener, as_of: date) -> TransferRows:
    if isinstance(source, Path) and source.stat().st_size >= PIPELINE_MIN_BYTES:
        return ChildRowStream(source, as_of=as_of)
    return RowStream(opener, PARTNER_EVENT_SCHEMA, as_of=as_of)


def _digests(opener: Opener) -> tuple[str, str]:
    digest = DualDigest()
    with opener() as binary:
        for chunk in _chunks(binary):
            digest.update(chunk)
    return digest.hexdigests()


def _chunks(binary: BinaryIO) -> Iterator[bytes]:
    while chunk := binary.read(_READ_CHUNK):
        yield chunk


def recent_files(uow: ExchangeUnitOfWork, *, actor: Actor, limit: int = 20) -> list[ExchangeJob]:
    """The latest received files (no personal data: names, counts and status only)."""
    return recent_jobs(uow, actor=actor, limit=limit, transport=Transport.FILE)


def recent_jobs(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    limit: int = 20,
    transport: Transport | None = None,
    status: JobStatus | None = None,
) -> list[ExchangeJob]:
    """The latest transfers of every transport, or of one, optionally of one status
    (counts and status only)."""
    require(actor, Permission.EXCHANGE_IMPORT)
    if not 1 <= limit <= MAX_RECENT_FILES:
        raise InvalidInputError(f"条数须在1到{MAX_RECENT_FILES}之间", field="limit")
    return uow.exchange_jobs.recent(limit=limit, transport=transport, status=status)


def received_job(uow: ExchangeUnitOfWork, *, actor: Actor, job_id: int) -> ExchangeJob:
    """One transfer with its stored issue report. The report quotes rows of the transfer
    (ID numbers included), so reading it is ledgered like any personal-data read."""
    require(actor, Permission.EXCHANGE_IMPORT)
    found = uow.exchange_jobs.get(job_id)
    if found is None:
        raise NotFoundError("没有找到该数据交换的接收记录", field="job_id")
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_FILE_READ,
        subject=uow.ledger.subject("exchange_job", found.dedupe_key),
        purpose=f"查看数据交换接收报告（{found.item_code}）",
    )
    uow.commit()
    return found


def importable_items(catalogue: Catalogue) -> list[CatalogueItem]:
    """The catalogue's event items a partner file can be imported into, in catalogue order."""
    return [item for item in catalogue if is_event_item(item)]


def is_event_item(item: CatalogueItem) -> bool:
    dated = {spec.name for spec in item.fields if spec.kind in (FieldKind.DATE, FieldKind.DATETIME)}
    return bool(dated & EVENT_DATE_FIELDS)


def _event_item(catalogue: Catalogue, item_code: str) -> CatalogueItem:
    item = catalogue.item(item_code)
    if not is_event_item(item):
        raise InvalidInputError(
            f"{item.title}不是可按事件记录接收的数据项（仅支持死亡、火化、服刑、就医结算等记录）",
            field="item_code",
        )
    return item
