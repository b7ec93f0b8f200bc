"""In-memory fakes of the storage ports, for unit tests of the services.

They satisfy the Protocols in ``archives.ports``, ``accounts.ports`` and ``ledger.ports``
structurally. Nothing is rolled back: data stays in the repositories whether or not the
use case committed, and ``FakeUnitOfWork.commits`` counts the commits, so a test can see
both what was written and whether it was committed.
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

from retirelink.accounts.model import SessionRecord, UserAccount
from retirelink.accounts.ports import AccountsUnitOfWork, SessionRepository, UserRepository
from retirelink.archives.model import Department, Employer, Person, PersonSummary
from retirelink.archives.ports import (
    ArchivesUnitOfWork,
    DepartmentRepository,
    EmployerRepository,
    PersonRepository,
)
from retirelink.clock import FixedClock
from retirelink.ledger.model import LedgerEntry, LedgerHead
from retirelink.ledger.ports import LedgerStore
from retirelink.ledger.services import Ledger
from retirelink.security.crypto import HashAlgorithm, Pseudonymizer
from retirelink.security.model import Actor, Role

# A Monday in Beijing office hours (10:30 CST), the same instant as tests/conftest.py.
FAKE_NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
FAKE_SECRET = b"test-secret"
SHEBAO = "SHEBAO"


def make_actor(*roles: Role, user_id: int = 1, username: str = "tester") -> Actor:
    return Actor(
        user_id=user_id,
        username=username,
        display_name="测试用户",
        department_code=SHEBAO,
        roles=frozenset(roles),
    )


class FakePersonRepository:
    def __init__(self) -> None:
        self.rows: dict[int, Person] = {}

    def add(self, person: Person) -> Person:
        stored = replace(person, id=len(self.rows) + 1)
        self.rows[stored.id or 0] = stored
        return stored

    def get(self, person_id: int) -> Person | None:
        return self.rows.get(person_id)

    def get_by_id_number(self, id_number: str) -> Person | None:
        return next((p for p in self.rows.values() if p.id_number == id_number), None)

    def count(self) -> int:
        return len(self.rows)

    def search(
        self, *, name_prefix: str | None, id_prefix: str | None, offset: int, limit: int
    ) -> tuple[list[PersonSummary], int]:
        if name_prefix:
            found = sorted(
                (p for p in self.rows.values() if p.name.startswith(name_prefix)),
                key=lambda p: (p.name, p.id_number),
            )
        else:
            found = sorted(
                (p for p in self.rows.values() if p.id_number.startswith(id_prefix or "")),
                key=lambda p: p.id_number,
            )
        items = [
            PersonSummary(p.id or 0, p.id_number, p.name, p.sex, p.birth_date, p.hukou_region)
            for p in found[offset : offset + limit]
        ]
        return items, len(found)


class FakeEmployerRepository:
    def __init__(self) -> None:
        self.rows: list[Employer] = []

    def add(self, employer: Employer) -> Employer:
        stored = replace(employer, id=len(self.rows) + 1)
        self.rows.append(stored)
        return stored

    def get(self, employer_id: int) -> Employer | None:
        return next((e for e in self.rows if e.id == employer_id), None)

    def get_by_credit_code(self, credit_code: str) -> Employer | None:
        return next((e for e in self.rows if e.credit_code == credit_code), None)


class FakeDepartmentRepository:
    def __init__(self) -> None:
        self.rows: list[Department] = []

    def add(self, department: Department) -> Department:
        stored = replace(department, id=len(self.rows) + 1)
        self.rows.append(stored)
        return stored

    def get_by_code(self, code: str) -> Department | None:
        return next((d for d in self.rows if d.code == code), None)

    def list_all(self) -> list[Department]:
        return sorted(self.rows, key=lambda d: d.code)


class FakeUserRepository:
    def __init__(self) -> None:
        self.rows: dict[int, UserAccount] = {}

    def add(self, user: UserAccount) -> UserAccount:
        stored = replace(user, id=len(self.rows) + 1)
        self.rows[stored.id or 0] = stored
        return stored

    def get(self, user_id: int) -> UserAccount | None:
        return self.rows.get(user_id)

    def get_by_username(self, username: str) -> UserAccount | None:
        return next((u for u in self.rows.values() if u.username == username), None)

    def update(self, user: UserAccount) -> None:
        assert user.id in self.rows, "update of a user that was never added"
        self.rows[user.id] = user

    def list_all(self) -> list[UserAccount]:
        return sorted(self.rows.values(), key=lambda u: u.username)


class FakeSessionRepository:
    def __init__(self) -> None:
        self.rows: dict[str, SessionRecord] = {}

    def add(self, session: SessionRecord) -> None:
        assert session.session_id not in self.rows, "duplicate session id"
        self.rows[session.session_id] = session

    def get(self, session_id: str) -> SessionRecord | None:
        return self.rows.get(session_id)

    def update(self, session: SessionRecord) -> None:
        assert session.session_id in self.rows, "update of a session that was never added"
        self.rows[session.session_id] = session


class FakeLedgerStore:
    """Entries in a list and the head kept apart, as the real store keeps them."""

    def __init__(self) -> None:
        self.entries: list[LedgerEntry] = []
        self.stored_head: LedgerHead | None = None

    def lock_head(self) -> LedgerHead | None:
        return self.stored_head

    def append(self, entry: LedgerEntry) -> None:
        self.entries.append(entry)

    def set_head(self, head: LedgerHead) -> None:
        self.stored_head = head

    def head(self) -> LedgerHead | None:
        return self.stored_head

    def iter_entries(self, *, from_seq: int = 1) -> Iterator[LedgerEntry]:
        return iter([e for e in self.entries if e.seq >= from_seq])

    def recent(
        self,
        *,
        limit: int,
        offset: int = 0,
        action: str | None = None,
        subject_key: str | None = None,
    ) -> list[LedgerEntry]:
        matching = [
            e
            for e in reversed(self.entries)
            if (action is None or e.action == action)
            and (subject_key is None or e.subject_key == subject_key)
        ]
        return matching[offset : offset + limit]

    def actions(self) -> list[str]:
        return [e.action for e in self.entries]


class FakeUnitOfWork:
    def __init__(
        self, *, clock: FixedClock | None = None, algorithm: HashAlgorithm = "sm3"
    ) -> None:
        self.clock = clock or FixedClock(FAKE_NOW)
        self.pseudonymizer = Pseudonymizer(FAKE_SECRET)
        self.persons = FakePersonRepository()
        self.employers = FakeEmployerRepository()
        self.departments = FakeDepartmentRepository()
        self.users = FakeUserRepository()
        self.sessions = FakeSessionRepository()
        self.ledger_store = FakeLedgerStore()
        self.ledger = Ledger(
            self.ledger_store,
            clock=self.clock,
            pseudonymizer=self.pseudonymizer,
            algorithm=algorithm,
        )
        self.commits = 0
        self.committed = False

    def commit(self) -> None:
        self.ledger.flush()
        self.ledger.reset()
        self.commits += 1
        self.committed = True


def _conforms(
    uow: FakeUnitOfWork,
) -> tuple[
    ArchivesUnitOfWork,
    AccountsUnitOfWork,
    PersonRepository,
    EmployerRepository,
    DepartmentRepository,
    UserRepository,
    SessionRepository,
    LedgerStore,
]:
    """Never called: lets mypy check the fakes against the ports."""
    return (
        uow,
        uow,
        uow.persons,
        uow.employers,
        uow.departments,
        uow.users,
        uow.sessions,
        uow.ledger_store,
    )
