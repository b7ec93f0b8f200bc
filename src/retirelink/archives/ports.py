"""What the archives use cases need from storage."""

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from retirelink.archives.fact_records import ArchiveFact
from retirelink.archives.holdings import (
    Archive,
    ArchiveSummary,
    Blob,
    IngestBatch,
    IngestItem,
    LendingRequest,
    Material,
    OcrLine,
    Page,
    PageText,
    QueuedJob,
)
from retirelink.archives.model import Department, Employer, Person, PersonSummary
from retirelink.archives.retention import BusinessVolume
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

    def get(self, employer_id: int) -> Employer | None: ...

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

    def sync(self) -> None:
        """Make every blob written so far durable; called before the transaction that refers
        to them commits (one flush per batch instead of one per file)."""
        ...

    def describe(self) -> str:
        """Where the store is, for reports (a directory, or ``s3://bucket/prefix``)."""
        ...


class ArchiveRepository(Protocol):
    def add(self, archive: Archive) -> Archive: ...

    def get(self, archive_id: int) -> Archive | None: ...

    def get_by_number(self, archive_number: str) -> Archive | None: ...

    def get_by_person(self, person_id: int) -> Archive | None: ...

    def search(self, *, text: str, offset: int, limit: int) -> tuple[list[ArchiveSummary], int]:
        """Archives whose number, or whose person's name or ID number, starts with ``text``
        (all when empty), by archive number; and the total count."""
        ...


class MaterialRepository(Protocol):
    def add(self, material: Material) -> Material: ...

    def get(self, material_id: int) -> Material | None: ...

    def for_archive(self, archive_id: int) -> list[Material]:
        """The archive's materials ordered by class, then sequence."""
        ...

    def find(self, archive_id: int, class_code: str, sequence: int) -> Material | None: ...

    def update(self, material: Material) -> None: ...


class BlobRepository(Protocol):
    def get(self, sha256: str) -> Blob | None: ...

    def add_if_new(self, blob: Blob) -> bool:
        """Record a blob; False (nothing written) when the digest is already known."""
        ...

    def count_and_bytes(self) -> tuple[int, int]: ...

    def iter_all(self, batch: int = 1000) -> Iterator[Blob]:
        """Every blob in key order, read in batches (a repository may hold millions)."""
        ...


class PageRepository(Protocol):
    def add(self, page: Page) -> Page: ...

    def get(self, page_id: int) -> Page | None: ...

    def find(self, material_id: int, page_number: int) -> Page | None: ...

    def replace_image(self, page: Page) -> None:
        """Point an existing page at a new scan (a rescan after a batch was returned)."""
        ...

    def for_material(self, material_id: int) -> list[Page]: ...

    def count_for_materials(self, material_ids: Sequence[int]) -> dict[int, int]: ...

    def for_batch(self, batch_id: int) -> list[Page]: ...


class IngestBatchRepository(Protocol):
    def add(self, batch: IngestBatch) -> IngestBatch: ...

    def get(self, batch_id: int) -> IngestBatch | None: ...

    def update(self, batch: IngestBatch) -> None: ...

    def add_item(self, item: IngestItem) -> IngestItem: ...

    def items(self, batch_id: int) -> list[IngestItem]: ...

    def recent(self, *, status: str | None, limit: int) -> list[IngestBatch]: ...

    def for_archive(self, archive_id: int) -> list[IngestBatch]: ...


class JobQueue(Protocol):
    """A table-backed queue: works on SQLite (one runner) and PostgreSQL (``SKIP LOCKED``,
    any number of runners)."""

    def enqueue(self, kind: str, subject: str, *, run_after: datetime) -> bool:
        """Queue ``(kind, subject)``; False when it is already waiting or running (a job
        done or failed before is queued again: a rescanned page is read again)."""
        ...

    def claim(
        self, kinds: Sequence[str], *, worker: str, now: datetime, lease: timedelta, limit: int
    ) -> list[QueuedJob]:
        """Take up to ``limit`` due jobs (queued, or running with an expired lease)."""
        ...

    def finish(self, job_id: int, *, now: datetime) -> None: ...

    def fail(self, job_id: int, *, error: str, now: datetime, retry_at: datetime | None) -> None:
        """Record a failure: queued again at ``retry_at``, or failed for good when None."""
        ...

    def counts(self, kind: str) -> dict[str, int]: ...


class PageTextRepository(Protocol):
    def save(self, text: PageText) -> None:
        """Insert or replace the OCR text of a page."""
        ...

    def get(self, page_id: int) -> PageText | None: ...


class OcrEngine(Protocol):
    """Recognises the text lines of a page image (an RGB ``PIL.Image``)."""

    name: str

    def recognise(self, image: Any) -> list[OcrLine]: ...


class LendingRepository(Protocol):
    def add(self, request: LendingRequest) -> LendingRequest: ...

    def get(self, request_id: int) -> LendingRequest | None: ...

    def get_by_reference(self, external_reference: str) -> LendingRequest | None: ...

    def update(self, request: LendingRequest) -> None: ...

    def recent(
        self, *, requester: str | None, status: str | None, limit: int
    ) -> list[LendingRequest]: ...

    def for_archive(self, archive_id: int) -> list[LendingRequest]: ...


class BusinessVolumeRepository(Protocol):
    def add(self, volume: BusinessVolume) -> BusinessVolume: ...

    def get(self, volume_id: int) -> BusinessVolume | None: ...

    def get_by_reference(self, reference: str) -> BusinessVolume | None: ...

    def update(self, volume: BusinessVolume) -> None: ...

    def due_for_appraisal(self, on: date, *, limit: int) -> list[BusinessVolume]:
        """Kept volumes whose fixed retention period ended before ``on``, oldest first."""
        ...


class FactRepository(Protocol):
    def add(self, fact: ArchiveFact) -> ArchiveFact: ...

    def get(self, fact_id: int) -> ArchiveFact | None: ...

    def update(self, fact: ArchiveFact) -> None: ...

    def delete_candidates_of_page(self, page_id: int) -> int:
        """Remove the page's unreviewed OCR candidates (the page is being read again)."""
        ...

    def for_person(self, person_id: int) -> list[ArchiveFact]: ...

    def queue(self, *, status: str, limit: int) -> list[ArchiveFact]:
        """Facts with a status, oldest first (the review queue)."""
        ...


class HoldingsUnitOfWork(Protocol):
    """What the archive-repository use cases need: the records, the ledger and the clock."""

    @property
    def persons(self) -> PersonRepository: ...
    @property
    def archives(self) -> ArchiveRepository: ...
    @property
    def materials(self) -> MaterialRepository: ...
    @property
    def blobs(self) -> BlobRepository: ...
    @property
    def pages(self) -> PageRepository: ...
    @property
    def ingest_batches(self) -> IngestBatchRepository: ...
    @property
    def jobs(self) -> JobQueue: ...
    @property
    def lending(self) -> LendingRepository: ...
    @property
    def business_volumes(self) -> BusinessVolumeRepository: ...
    @property
    def facts(self) -> FactRepository: ...
    @property
    def page_texts(self) -> PageTextRepository: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def clock(self) -> Clock: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
