"""What the archives use cases need from storage."""

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

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


class BlobMissingError(Exception):
    """A blob the database names is not in the store (deleted, moved, never written)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"对象存储中缺少文件 {key}")
        self.key = key


class BlobStore(Protocol):
    """Where page images and their derivatives live, keyed by the SHA-256 of their bytes.

    Content-addressed, so ``put`` of a key already present stores nothing; writes are atomic
    (a reader never sees half a blob). Adapters: the local filesystem (default) and an
    S3-compatible object store (MinIO, Ceph RGW) in production.
    """

    def put_file(self, key: str, path: Path) -> None:
        """Store the file's bytes under ``key`` (its SHA-256 hex), unless already stored."""
        ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def exists(self, key: str) -> bool: ...

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream; ``BlobMissingError`` when the key is not stored."""
        ...

    def read_bytes(self, key: str) -> bytes: ...

    def size(self, key: str) -> int:
        """Size in bytes; ``BlobMissingError`` when the key is not stored."""
        ...

    def keys(self) -> Iterator[str]:
        """Every stored key (for orphan checks); order unspecified."""
        ...

    def delete(self, key: str) -> None:
        """Remove a blob (only unreferenced ones are ever deleted); missing keys are ignored."""
        ...

    def describe(self) -> str:
        """Where the store is, for reports (a directory, or ``s3://bucket/prefix``)."""
        ...
