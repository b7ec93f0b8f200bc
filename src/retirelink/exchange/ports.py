"""What the exchange use cases need from storage."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol

from retirelink.clock import Clock
from retirelink.exchange.model import ExchangeFile, PartnerRecord
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
