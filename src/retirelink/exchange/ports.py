"""What the exchange use cases need from storage."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol

from retirelink.clock import Clock
from retirelink.exchange.model import ChangeBatch, ExchangeFile, PartnerRecord
from retirelink.ledger.services import Ledger


class ExchangeFileRepository(Protocol):
    def add(self, file: ExchangeFile) -> ExchangeFile:
        """Store a received file and return it with its id."""
        ...

    def get_by_digest(self, digest_sha256: str) -> ExchangeFile | None: ...

    def get(self, file_id: int) -> ExchangeFile | None: ...

    def recent(self, *, limit: int) -> list[ExchangeFile]:
        """The latest received files, newest first."""
        ...


class PartnerRecordRepository(Protocol):
    def existing_keys(self, item_code: str, id_numbers: Iterable[str]) -> set[tuple[str, date]]:
        """``(id_number, event_date)`` of stored records of ``item_code`` for these IDs."""
        ...

    def add_all(self, records: Sequence[PartnerRecord]) -> None: ...

    def count(self, item_code: str | None = None) -> int: ...


class ExchangeUnitOfWork(Protocol):
    @property
    def exchange_files(self) -> ExchangeFileRepository: ...
    @property
    def partner_records(self) -> PartnerRecordRepository: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def clock(self) -> Clock: ...

    def commit(self) -> None: ...


class DepartmentSource(Protocol):
    """One partner feed (an HTTP API or a shared table), pulled incrementally by watermark.

    Implementations live in ``exchange/sources/``, one module per transport.
    """

    @property
    def name(self) -> str:
        """Stable name, e.g. ``justice.prisoners_in_custody@table``; keys the sync cursor."""
        ...

    def fetch_changes(self, after: str | None, *, limit: int) -> ChangeBatch:
        """At most ``limit`` records strictly after the watermark ``after`` (None: from the start).

        Raises ``UnavailableError`` when the partner cannot be reached or times out, and
        ``PartnerResponseError`` when it answers something we cannot read.
        """
        ...

    def count_between(self, after: str | None, upto: str) -> int:
        """How many records the source holds with ``after < position <= upto`` (reconciliation)."""
        ...
