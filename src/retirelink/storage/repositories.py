"""SQLAlchemy repositories: translate rows to domain objects and back. They never commit."""

from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from retirelink.accounts.model import SessionRecord, UserAccount
from retirelink.archives.model import (
    Department,
    DepartmentKind,
    Employer,
    EmployerKind,
    Person,
    PersonSummary,
)
from retirelink.ledger.model import LedgerEntry, LedgerHead
from retirelink.rules.identifiers import Sex
from retirelink.security.model import Principal, PrincipalKind, Role
from retirelink.storage.base import chunk_size, one_of
from retirelink.storage.rows import (
    DepartmentRow,
    EmployerRow,
    LedgerEntryRow,
    LedgerHeadRow,
    PersonRow,
    SessionRow,
    UserRow,
)

# Greater than any character that can follow a prefix, in byte (UTF-8 / "C") order.
_PREFIX_END = "\U0010ffff"


class SqlAlchemyPersonRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, person: Person) -> Person:
        row = PersonRow(**_person_columns(person))
        self._session.add(row)
        self._session.flush()
        return _person(row)

    def get(self, person_id: int) -> Person | None:
        row = self._session.get(PersonRow, person_id)
        return _person(row) if row else None

    def get_by_id_number(self, id_number: str) -> Person | None:
        row = self._session.scalar(select(PersonRow).where(PersonRow.id_number == id_number))
        return _person(row) if row else None

    def count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(PersonRow)) or 0

    def names_by_id_numbers(self, id_numbers: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(id_numbers))
        found: dict[str, str] = {}
        dialect = self._session.get_bind().dialect.name
        size, statement = chunk_size(dialect), _NAMES_BY_ID[dialect == "postgresql"]
        for start in range(0, len(wanted), size):
            rows = self._session.execute(statement, {"ids": wanted[start : start + size]})
            found.update((row.id_number, row.name) for row in rows)
        return found

    def search(
        self, *, name_prefix: str | None, id_prefix: str | None, offset: int, limit: int
    ) -> tuple[list[PersonSummary], int]:
        column = PersonRow.name if name_prefix else PersonRow.id_number
        prefix = name_prefix or id_prefix or ""
        # A range on the indexed column instead of LIKE: portable, and always an index scan.
        condition = (column >= prefix) & (column < prefix + _PREFIX_END)
        total = self._session.scalar(select(func.count()).select_from(PersonRow).where(condition))
        rows = self._session.execute(
            select(
                PersonRow.id,
                PersonRow.id_number,
                PersonRow.name,
                PersonRow.sex,
                PersonRow.birth_date,
                PersonRow.hukou_region,
            )
            .where(condition)
            .order_by(column, PersonRow.id_number if name_prefix else PersonRow.id)
            .offset(offset)
            .limit(limit)
        ).all()
        items = [
            PersonSummary(r.id, r.id_number, r.name, Sex(r.sex), r.birth_date, r.hukou_region)
            for r in rows
        ]
        return items, total or 0


def _person_columns(person: Person) -> dict[str, object]:
    columns = asdict(person)
    columns["sex"] = person.sex.value
    if person.id is None:
        del columns["id"]
    return columns


def _person(row: PersonRow) -> Person:
    return Person(
        id=row.id,
        id_number=row.id_number,
        name=row.name,
        sex=Sex(row.sex),
        birth_date=row.birth_date,
        ethnicity=row.ethnicity,
        hukou_region=row.hukou_region,
        phone=row.phone,
    )


class SqlAlchemyEmployerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, employer: Employer) -> Employer:
        row = EmployerRow(
            credit_code=employer.credit_code,
            name=employer.name,
            kind=employer.kind.value,
            region_code=employer.region_code,
        )
        self._session.add(row)
        self._session.flush()
        return _employer(row)

    def ids_by_credit_code(self) -> dict[str, int]:
        """Every employer's id by 统一社会信用代码 (a few hundred per district)."""
        rows = self._session.execute(select(EmployerRow.credit_code, EmployerRow.id))
        return {row.credit_code: row.id for row in rows}

    def get(self, employer_id: int) -> Employer | None:
        row = self._session.get(EmployerRow, employer_id)
        return _employer(row) if row else None

    def get_by_credit_code(self, credit_code: str) -> Employer | None:
        row = self._session.scalar(
            select(EmployerRow).where(EmployerRow.credit_code == credit_code)
        )
        return _employer(row) if row else None


def _employer(row: EmployerRow) -> Employer:
    return Employer(row.id, row.credit_code, row.name, EmployerKind(row.kind), row.region_code)


class SqlAlchemyDepartmentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, department: Department) -> Department:
        row = DepartmentRow(
            code=department.code,
            name=department.name,
            kind=department.kind.value,
            region_code=department.region_code,
        )
        self._session.add(row)
        self._session.flush()
        return _department(row)

    def get_by_code(self, code: str) -> Department | None:
        row = self._session.scalar(select(DepartmentRow).where(DepartmentRow.code == code))
        return _department(row) if row else None

    def list_all(self) -> list[Department]:
        rows = self._session.scalars(select(DepartmentRow).order_by(DepartmentRow.id))
        return [_department(row) for row in rows]


def _department(row: DepartmentRow) -> Department:
    return Department(row.id, row.code, row.name, DepartmentKind(row.kind), row.region_code)


class SqlAlchemyUserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, user: UserAccount) -> UserAccount:
        row = UserRow(**_user_columns(user))
        self._session.add(row)
        self._session.flush()
        return _user(row)

    def get(self, user_id: int) -> UserAccount | None:
        row = self._session.get(UserRow, user_id)
        return _user(row) if row else None

    def get_by_username(self, username: str) -> UserAccount | None:
        row = self._session.scalar(select(UserRow).where(UserRow.username == username))
        return _user(row) if row else None

    def update(self, user: UserAccount) -> None:
        self._session.execute(
            update(UserRow).where(UserRow.id == user.id).values(**_user_columns(user))
        )

    def list_all(self) -> list[UserAccount]:
        return [_user(row) for row in self._session.scalars(select(UserRow).order_by(UserRow.id))]


def _user_columns(user: UserAccount) -> dict[str, object]:
    columns = asdict(user)
    columns["roles"] = ",".join(sorted(user.roles))
    principal = columns.pop("represents")
    columns["represents_kind"] = principal["kind"].value if principal else None
    columns["represents_code"] = principal["code"] if principal else None
    if user.id is None:
        del columns["id"]
    return columns


def _user(row: UserRow) -> UserAccount:
    roles = frozenset(Role(code) for code in row.roles.split(",") if code)
    return UserAccount(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        department_code=row.department_code,
        roles=roles,
        password_hash=row.password_hash,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        active=row.active,
        represents=(
            Principal(PrincipalKind(row.represents_kind), row.represents_code or "")
            if row.represents_kind
            else None
        ),
    )


class SqlAlchemySessionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, record: SessionRecord) -> None:
        self._session.add(SessionRow(**asdict(record)))
        self._session.flush()

    def get(self, session_id: str) -> SessionRecord | None:
        row = self._session.get(SessionRow, session_id)
        if row is None:
            return None
        return SessionRecord(
            row.session_id, row.user_id, row.created_at, row.last_seen_at, row.revoked_at
        )

    def update(self, record: SessionRecord) -> None:
        values = asdict(record)
        del values["session_id"]
        self._session.execute(
            update(SessionRow).where(SessionRow.session_id == record.session_id).values(**values)
        )


_INSERT_ENTRY = insert(cast(Table, LedgerEntryRow.__table__))
_NAMES_BY_ID = {
    array: select(PersonRow.id_number, PersonRow.name).where(
        one_of(PersonRow.id_number, "ids", array=array)
    )
    for array in (False, True)
}


class SqlAlchemyLedgerStore:
    """Ledger entries plus a one-row head; ``lock_head`` serialises concurrent appends."""

    HEAD_ID = 1

    def __init__(self, session: Session) -> None:
        self._session = session

    def lock_head(self) -> LedgerHead | None:
        row = self._session.execute(
            select(LedgerHeadRow.seq, LedgerHeadRow.entry_hash)
            .where(LedgerHeadRow.id == self.HEAD_ID)
            .with_for_update()
        ).one()
        return LedgerHead(row.seq, row.entry_hash) if row.seq else None

    def head(self) -> LedgerHead | None:
        row = self._session.execute(
            select(LedgerHeadRow.seq, LedgerHeadRow.entry_hash).where(
                LedgerHeadRow.id == self.HEAD_ID
            )
        ).one()
        return LedgerHead(row.seq, row.entry_hash) if row.seq else None

    def append(self, entry: LedgerEntry) -> None:
        # A prepared Core INSERT, not an ORM object: every use case appends at least one entry.
        self._session.execute(_INSERT_ENTRY, vars(entry))

    def set_head(self, head: LedgerHead) -> None:
        self._session.execute(
            update(LedgerHeadRow)
            .where(LedgerHeadRow.id == self.HEAD_ID)
            .values(seq=head.seq, entry_hash=head.entry_hash)
        )

    def iter_entries(self, *, from_seq: int = 1) -> Iterator[LedgerEntry]:
        # Plain column tuples, streamed: verifying millions of entries must not fill the
        # session's identity map.
        columns = [getattr(LedgerEntryRow, name) for name in _ENTRY_FIELDS]
        result = self._session.execute(
            select(*columns)
            .where(LedgerEntryRow.seq >= from_seq)
            .order_by(LedgerEntryRow.seq)
            .execution_options(yield_per=5000)
        )
        try:
            for values in result:
                yield LedgerEntry(*values)
        finally:
            # A verification that stops at the first break must still release the cursor.
            result.close()

    def recent(
        self,
        *,
        limit: int,
        offset: int = 0,
        action: str | None = None,
        subject_key: str | None = None,
    ) -> list[LedgerEntry]:
        query = select(LedgerEntryRow).order_by(LedgerEntryRow.seq.desc())
        if action:
            query = query.where(LedgerEntryRow.action == action)
        if subject_key:
            query = query.where(LedgerEntryRow.subject_key == subject_key)
        rows = self._session.scalars(query.offset(offset).limit(limit))
        return [_entry(row) for row in rows]


_ENTRY_FIELDS = tuple(LedgerEntry.__dataclass_fields__)


def _entry(row: LedgerEntryRow) -> LedgerEntry:
    return LedgerEntry(**{name: getattr(row, name) for name in _ENTRY_FIELDS})
