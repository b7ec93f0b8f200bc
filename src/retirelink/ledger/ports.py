"""What the ledger needs from storage."""

from collections.abc import Iterator
from typing import Protocol

from retirelink.ledger.model import LedgerEntry, LedgerHead


class LedgerStore(Protocol):
    """Append-only storage of entries, in the caller's transaction."""

    def lock_head(self) -> LedgerHead | None:
        """The last entry's (seq, hash), locked until the transaction ends (None when empty)."""
        ...

    def append(self, entry: LedgerEntry) -> None:
        """Insert ``entry`` (the head moves only with ``set_head``)."""
        ...

    def set_head(self, head: LedgerHead) -> None:
        """Store the last entry's (seq, hash); done once per transaction, before commit."""
        ...

    def head(self) -> LedgerHead | None:
        """The stored head without locking."""
        ...

    def iter_entries(self, *, from_seq: int = 1) -> Iterator[LedgerEntry]:
        """Entries in seq order, streamed."""
        ...

    def recent(
        self,
        *,
        limit: int,
        offset: int = 0,
        action: str | None = None,
        subject_key: str | None = None,
    ) -> list[LedgerEntry]:
        """Newest first, for the audit page."""
        ...
