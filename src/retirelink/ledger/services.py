"""Recording to and verifying the ledger."""

from collections.abc import Mapping
from typing import Any, Protocol

from retirelink.clock import Clock
from retirelink.errors import InvalidInputError
from retirelink.ledger.chain import seal, state_digest, verify_chain
from retirelink.ledger.model import (
    GENESIS_HASH,
    LedgerAction,
    LedgerEntry,
    LedgerHead,
    Subject,
    VerifyReport,
)
from retirelink.ledger.ports import LedgerStore
from retirelink.security.crypto import HashAlgorithm, Pseudonymizer
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require


class Ledger:
    """The ledger as seen by one unit of work: entries go into the caller's transaction."""

    def __init__(
        self,
        store: LedgerStore,
        *,
        clock: Clock,
        pseudonymizer: Pseudonymizer,
        algorithm: HashAlgorithm = "sm3",
    ) -> None:
        self.store = store
        self._clock = clock
        self._pseudonymizer = pseudonymizer
        self._algorithm = algorithm
        # The head is locked once per transaction and then kept here: a batch of appends
        # costs one INSERT each, not a lock, an insert and an update.
        self._head: LedgerHead | None = None
        self._locked = False
        self._dirty = False

    def subject(self, subject_type: str, natural_id: str) -> Subject:
        return Subject(subject_type, self._pseudonymizer.subject_key(subject_type, natural_id))

    def record(
        self,
        *,
        actor: Actor,
        action: str,
        subject: Subject,
        purpose: str,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> LedgerEntry:
        head = self._locked_head()
        entry = seal(
            LedgerEntry(
                seq=head.seq + 1 if head else 1,
                recorded_at=self._clock.now(),
                actor_id=actor.user_id,
                actor_name=actor.username,
                actor_roles=actor.role_codes,
                department=actor.department_code,
                action=str(action),
                subject_type=subject.type,
                subject_key=subject.key,
                purpose=purpose,
                before_digest=state_digest(before, self._algorithm),
                after_digest=state_digest(after, self._algorithm),
                hash_alg=self._algorithm,
                prev_hash=head.entry_hash if head else GENESIS_HASH,
                entry_hash="",
            )
        )
        self.store.append(entry)
        self._head, self._dirty = LedgerHead(entry.seq, entry.entry_hash), True
        return entry

    def _locked_head(self) -> LedgerHead | None:
        if not self._locked:
            self._head, self._locked = self.store.lock_head(), True
        return self._head

    def flush(self) -> None:
        """Write the head of this transaction's appends; the unit of work calls it before commit."""
        if self._dirty and self._head is not None:
            self.store.set_head(self._head)
            self._dirty = False

    def reset(self) -> None:
        """Forget the head after commit or rollback: the lock went with the transaction."""
        self._head, self._locked, self._dirty = None, False, False


def verify_ledger(store: LedgerStore) -> VerifyReport:
    """Recompute the whole chain and compare the end with the stored head."""
    head = store.head()
    count, broken = verify_chain(store.iter_entries(), head)
    return VerifyReport(entries_checked=count, head_seq=head.seq if head else 0, broken=broken)


AUDIT_PAGE_SIZE = 50


class LedgerUnitOfWork(Protocol):
    """A transaction that holds the ledger (the storage unit of work satisfies it)."""

    @property
    def ledger(self) -> Ledger: ...

    def commit(self) -> None: ...


def verify_and_record(
    reader: LedgerUnitOfWork, uow: LedgerUnitOfWork, *, actor: Actor
) -> VerifyReport:
    """Verify the chain on an auditor's request; the verification itself is ledgered.

    The long read goes through ``reader`` (a read-only unit of work, so on SQLite it holds no
    write lock while it walks millions of entries); the short record goes through ``uow``.
    """
    require(actor, Permission.LEDGER_VERIFY)
    report = verify_ledger(reader.ledger.store)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.LEDGER_VERIFY,
        subject=uow.ledger.subject("ledger", "chain"),
        purpose="审计链校验：" + ("完整" if report.ok else f"第{report.broken_seq}条起异常"),
    )
    uow.commit()
    return report


def read_ledger(
    uow: LedgerUnitOfWork, *, actor: Actor, action: str | None = None, page: int = 1
) -> list[LedgerEntry]:
    """Newest entries for the audit page; who looked at the audit trail is ledgered too."""
    require(actor, Permission.LEDGER_READ)
    if page < 1:
        raise InvalidInputError("页码须≥1", field="page")
    entries = uow.ledger.store.recent(
        limit=AUDIT_PAGE_SIZE, offset=(page - 1) * AUDIT_PAGE_SIZE, action=action or None
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.LEDGER_READ,
        subject=uow.ledger.subject("ledger", "entries"),
        purpose=f"审计查阅（第{page}页）",
    )
    uow.commit()
    return entries
