"""What the archives use cases need from storage."""

from typing import Protocol

from retirelink.archives.model import Department, Employer, Person, PersonSummary
from retirelink.clock import Clock
from retirelink.ledger.services import Ledger


class PersonRepository(Protocol):
    def add(self, person: Person) -> Person:
        """Store a new person and return it with its id."""
        ...

    def get(self, person_id: int) -> Person | None: ...

    def get_by_id_number(self, id_number: str) -> Person | None: ...

    def count(self) -> int: ...

    def search(
        self, *, name_prefix: str | None, id_prefix: str | None, offset: int, limit: int
    ) -> tuple[list[PersonSummary], int]:
        """Matching persons ordered by name then ID, and the total count."""
        ...


class EmployerRepository(Protocol):
    def add(self, employer: Employer) -> Employer: ...

    def get_by_credit_code(self, credit_code: str) -> Employer | None: ...


class DepartmentRepository(Protocol):
    def add(self, department: Department) -> Department: ...

    def get_by_code(self, code: str) -> Department | None: ...

    def list_all(self) -> list[Department]: ...


class ArchivesUnitOfWork(Protocol):
    @property
    def persons(self) -> PersonRepository: ...
    @property
    def employers(self) -> EmployerRepository: ...
    @property
    def departments(self) -> DepartmentRepository: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def clock(self) -> Clock: ...

    def commit(self) -> None: ...
