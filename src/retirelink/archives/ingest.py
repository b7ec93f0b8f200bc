"""Ingest (扫描件接收): a batch of scan files for one archive becomes checked pages.

For each file, in worker processes: digest the bytes (SHA-256 and SM3 in one pass), identify
the format by content, decode every page, check it against DA/T 31-2017 (resolution, colour
mode for pages with seals or photos, skew, blank pages) and make a thumbnail and a view image.
Then, in this process and in **one transaction per batch**: store the blobs (content-addressed,
so the same file twice is stored once and linked), record the pages and one report line per
file, check page counts against the catalogue, ledger the batch. A file that cannot be read
fails alone with a 中文 reason; the rest of the batch goes on. An interruption rolls the whole
batch back (blobs already written are unreferenced and harmless; running the batch again
finds them in place).
"""

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path

from retirelink.archives.holdings import (
    Archive,
    BatchStatus,
    Blob,
    IngestBatch,
    IngestItem,
    ItemStatus,
    Material,
    MaterialStatus,
    Page,
    QcIssue,
    QcSeverity,
)
from retirelink.archives.ocr import OCR_JOB
from retirelink.archives.ports import BlobStore, HoldingsUnitOfWork
from retirelink.archives.scan_intake import ImageLimits, ScanError
from retirelink.archives.scan_quality import PageScan, qc_issues
from retirelink.archives.scan_reading import read_scan
from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.security.crypto import DualDigest
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

_READ_CHUNK = 1024 * 1024
DEFAULT_LIMITS = ImageLimits()
# <类号>_<材料序号>[_<页号>].<扩展名>, e.g. 9-2_03_001.jpg or 1_01.pdf (GB/T 33870 practice
# names images by class, material and page).
_SCAN_NAME = re.compile(r"(?P<cls>\d{1,2}(?:-\d)?)_(?P<seq>\d{1,3})(?:_(?P<page>\d{1,4}))?")


@dataclass(frozen=True)
class ScanFile:
    """A file to ingest and where its pages go: a material and the number of its first page."""

    path: Path
    name: str
    material_id: int | None
    first_page: int = 1
    # Why the file could not be matched to a material (named wrongly, not catalogued).
    problem: str = ""


@dataclass(frozen=True)
class StoredBlob:
    """A blob a worker has put into the store, with what the ``blobs`` row records."""

    sha256: str
    sm3: str
    size: int
    media_type: str


@dataclass(frozen=True)
class ExaminedPage:
    """A page as a worker found it (its derivatives already stored: no image bytes travel
    back to the main process)."""

    scan: PageScan
    thumbnail: StoredBlob
    view: StoredBlob


@dataclass(frozen=True)
class ExaminedFile:
    """What a worker found in a file — its stored blob and pages — or why it could not be read."""

    original: StoredBlob | None = None
    pages: tuple[ExaminedPage, ...] = ()
    error: str = ""

    @property
    def sha256(self) -> str:
        return self.original.sha256 if self.original else ""


@dataclass
class IngestReport:
    batch: IngestBatch
    items: list[IngestItem] = field(default_factory=list)


Progress = Callable[[ScanFile], None]


def examine(path: Path, limits: ImageLimits, store: BlobStore) -> ExaminedFile:
    """Digest, decode and check one file and put it and its derivatives into ``store``
    (content-addressed, so a repeat stores nothing). Never raises for a bad file: the reason
    comes back. Runs in worker processes; blobs of a file whose batch later rolls back stay
    unreferenced and harmless."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            limit_mb = limits.max_file_bytes // 2**20
            return ExaminedFile(error=f"文件超过{limit_mb} MB的大小限制")
        digest = DualDigest()
        with path.open("rb") as handle:
            while chunk := handle.read(_READ_CHUNK):
                digest.update(chunk)
        sha256, sm3 = digest.hexdigests()
        scans = read_scan(path, limits)
        pages = tuple(
            ExaminedPage(
                replace(scan, thumbnail_jpeg=b"", view_jpeg=b""),
                _put_derivative(store, scan.thumbnail_jpeg),
                _put_derivative(store, scan.view_jpeg),
            )
            for scan in scans
        )
        store.put_file(sha256, path)
    except ScanError as error:
        return ExaminedFile(error=error.message)
    except OSError as error:
        return ExaminedFile(error=f"无法读取文件：{error.strerror or error}")
    except Exception as error:
        return ExaminedFile(error=f"无法解析该文件（{type(error).__name__}）")
    media_type = scans[0].image_format.media_type
    return ExaminedFile(StoredBlob(sha256, sm3, size, media_type), pages)


def _put_derivative(store: BlobStore, data: bytes) -> StoredBlob:
    digest = DualDigest()
    digest.update(data)
    sha256, sm3 = digest.hexdigests()
    store.put_bytes(sha256, data)
    return StoredBlob(sha256, sm3, len(data), "image/jpeg")


class ScanExaminer:
    """Examines files in a pool of worker processes, kept for as many batches as the caller
    ingests (starting a process costs a second or two: once per batch would add 10–20 ms per
    page of a 100-page batch). ``workers`` = 1 examines in this process. Use as a context
    manager; ``store`` must be picklable when ``workers`` > 1 (each worker writes through
    its own copy)."""

    def __init__(self, store: BlobStore, limits: ImageLimits = DEFAULT_LIMITS, *, workers: int = 1):
        self._store = store
        self._limits = limits
        self._pool = (
            ProcessPoolExecutor(workers, mp_context=get_context("spawn")) if workers > 1 else None
        )

    def __enter__(self) -> "ScanExaminer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def examine_all(self, files: Sequence[ScanFile]) -> Iterator[tuple[ScanFile, ExaminedFile]]:
        """Each file with what was found in it, in input order."""
        readable = [item for item in files if not item.problem]
        if self._pool is None or len(readable) < 2:
            for item in files:
                found = examine(item.path, self._limits, self._store) if not item.problem else None
                yield item, found or ExaminedFile(error=item.problem)
            return
        jobs = [(item.path, self._limits, self._store) for item in readable]
        by_path = self._pool.map(_examine_path, jobs, chunksize=4)
        for item in files:
            yield item, (ExaminedFile(error=item.problem) if item.problem else next(by_path))


def _examine_path(arguments: tuple[Path, ImageLimits, BlobStore]) -> ExaminedFile:
    return examine(*arguments)


def ingest_batch(
    uow: HoldingsUnitOfWork,
    *,
    actor: Actor,
    archive_id: int,
    files: Sequence[ScanFile],
    store: BlobStore,
    examiner: ScanExaminer | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest one batch of scans for an archive; commits once. See the module docstring.
    Files are examined by ``examiner`` (in this process when None)."""
    require(actor, Permission.ARCHIVE_INGEST)
    archive = uow.archives.get(archive_id)
    if archive is None or archive.id is None:
        raise NotFoundError("档案不存在")
    if not files:
        raise InvalidInputError("本批次没有文件")
    now = uow.clock.now()
    batch = uow.ingest_batches.add(
        IngestBatch(
            id=None,
            archive_id=archive.id,
            status=BatchStatus.RECEIVED,
            created_by=actor.username,
            created_at=now,
        )
    )
    assert batch.id is not None
    writer = _BatchWriter(uow, store, archive, batch.id)
    with ExitStack() as stack:
        if examiner is None:
            examiner = stack.enter_context(ScanExaminer(store))
        for scan_file, examined in examiner.examine_all(files):
            writer.add(scan_file, examined)
            if progress is not None:
                progress(scan_file)
    finished = writer.finish(batch)
    store.sync()  # every blob the batch refers to is on disk before the batch commits
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_BATCH_INGESTED,
        subject=uow.ledger.subject("archive", archive.archive_number),
        purpose=f"扫描件接收 批次{batch.id}",
        after={
            "batch": batch.id,
            "files": finished.files_total,
            "pages": finished.pages_total,
            "failed": finished.files_failed,
            "duplicate": finished.files_duplicate,
        },
    )
    uow.commit()
    return IngestReport(finished, uow.ingest_batches.items(batch.id))


class _BatchWriter:
    """Stores what the workers found, file by file, inside the batch's transaction."""

    def __init__(
        self, uow: HoldingsUnitOfWork, store: BlobStore, archive: Archive, batch_id: int
    ) -> None:
        self._uow = uow
        self._store = store
        self._archive = archive
        self._batch_id = batch_id
        self._materials: dict[int, Material] = {}
        self._recorded: set[str] = set()
        self._pages: dict[int, dict[int, Page]] = {}
        self.files = self.pages = self.failed = self.duplicates = 0
        self.page_errors = self.page_warnings = 0

    def add(self, scan_file: ScanFile, examined: ExaminedFile) -> None:
        self.files += 1
        material = self._material(scan_file)
        if examined.error or material is None:
            reason = examined.error or scan_file.problem or "本档案目录中没有该材料"
            self._item(scan_file, ItemStatus.FAILED, reason, examined.sha256 or None)
            self.failed += 1
            return
        assert examined.original is not None
        self._record(examined.original)
        outcome = [self._page(scan_file, examined, material, page) for page in examined.pages]
        self._report(scan_file, examined, material, outcome)

    def _material(self, scan_file: ScanFile) -> Material | None:
        if scan_file.material_id is None:
            return None
        if scan_file.material_id not in self._materials:
            material = self._uow.materials.get(scan_file.material_id)
            if material is None or material.archive_id != self._archive.id:
                return None
            self._materials[scan_file.material_id] = material
        return self._materials[scan_file.material_id]

    def _page(
        self, scan_file: ScanFile, examined: ExaminedFile, material: Material, page: ExaminedPage
    ) -> tuple[str, tuple[QcIssue, ...]]:
        """Record one page; returns ``(outcome, issues)`` with outcome new/duplicate/refused."""
        scan = page.scan
        info = material.material_type.info
        issues = qc_issues(
            scan,
            min_dpi=self._archive.kind.min_dpi,
            fine_print=info.fine_print,
            colour_required=info.colour_required,
        )
        assert material.id is not None
        number = scan_file.first_page + scan.source_index
        existing = self._pages_of(material.id).get(number)
        same = existing is not None and (
            existing.blob_sha256 == examined.sha256 and existing.source_index == scan.source_index
        )
        if same:
            return "duplicate", issues
        if existing is not None and material.status is MaterialStatus.IN_REPOSITORY:
            return "refused", issues
        stored = Page(
            id=existing.id if existing else None,
            material_id=material.id,
            page_number=number,
            blob_sha256=examined.sha256,
            source_index=scan.source_index,
            image_format=scan.image_format,
            width_px=scan.width_px,
            height_px=scan.height_px,
            dpi=scan.dpi,
            colour_mode=scan.colour_mode,
            thumbnail_sha256=self._record(page.thumbnail),
            view_sha256=self._record(page.view),
            skew_degrees=scan.skew_degrees,
            qc_issues=issues,
            batch_id=self._batch_id,
        )
        if existing is None:
            stored = self._uow.pages.add(stored)
        else:
            self._uow.pages.replace_image(stored)
        self._pages_of(material.id)[number] = stored
        assert stored.id is not None
        # OCR later, in the background: ingest never waits for it.
        self._uow.jobs.enqueue(OCR_JOB, f"page:{stored.id}", run_after=self._uow.clock.now())
        self.pages += 1
        if any(issue.severity is QcSeverity.ERROR for issue in issues):
            self.page_errors += 1
        elif issues:
            self.page_warnings += 1
        return "new", issues

    def _report(
        self,
        scan_file: ScanFile,
        examined: ExaminedFile,
        material: Material,
        outcome: list[tuple[str, tuple[QcIssue, ...]]],
    ) -> None:
        kinds = [kind for kind, _ in outcome]
        issues = tuple(
            QcIssue(
                issue.code,
                issue.severity,
                f"第{scan_file.first_page + index}页：{issue.message_zh}",
            )
            for index, (_, page_issues) in enumerate(outcome)
            for issue in page_issues
        )
        if kinds and all(kind == "duplicate" for kind in kinds):
            self.duplicates += 1
            message = "与已接收的页面完全相同，已关联，未重复保存"
            self._item(scan_file, ItemStatus.DUPLICATE, message, examined.sha256, material, 0)
            return
        if "refused" in kinds:
            self.failed += 1
            message = "该材料已入库，不能直接替换页面；如需重扫请先办理重扫手续"
            self._item(scan_file, ItemStatus.FAILED, message, examined.sha256, material, 0)
            return
        new_pages = kinds.count("new")
        status = ItemStatus.OK
        if any(issue.severity is QcSeverity.ERROR for issue in issues):
            status = ItemStatus.FAILED
        elif issues:
            status = ItemStatus.WARNING
        message = f"{new_pages}页" + ("，质量检查不合格" if status is ItemStatus.FAILED else "")
        self._item(scan_file, status, message, examined.sha256, material, new_pages, issues)

    def _item(
        self,
        scan_file: ScanFile,
        status: ItemStatus,
        message: str,
        sha256: str | None,
        material: Material | None = None,
        pages: int = 0,
        issues: tuple[QcIssue, ...] = (),
    ) -> None:
        self._uow.ingest_batches.add_item(
            IngestItem(
                id=None,
                batch_id=self._batch_id,
                file_name=scan_file.name,
                status=status,
                message_zh=message,
                sha256=sha256,
                material_id=material.id if material else None,
                pages=pages,
                issues=issues,
            )
        )

    def _pages_of(self, material_id: int) -> dict[int, Page]:
        """The material's pages by number, read once per batch."""
        if material_id not in self._pages:
            pages = self._uow.pages.for_material(material_id)
            self._pages[material_id] = {page.page_number: page for page in pages}
        return self._pages[material_id]

    def _record(self, blob: StoredBlob) -> str:
        """Record a blob the worker stored (once per batch; the row may exist from before)."""
        if blob.sha256 not in self._recorded:
            row = Blob(blob.sha256, blob.sm3, blob.size, blob.media_type, self._uow.clock.now())
            self._uow.blobs.add_if_new(row)
            self._recorded.add(blob.sha256)
        return blob.sha256

    def finish(self, batch: IngestBatch) -> IngestBatch:
        finished = IngestBatch(
            id=batch.id,
            archive_id=batch.archive_id,
            status=BatchStatus.RECEIVED,
            created_by=batch.created_by,
            created_at=batch.created_at,
            files_total=self.files,
            pages_total=self.pages,
            files_failed=self.failed,
            files_duplicate=self.duplicates,
            pages_with_errors=self.page_errors,
            pages_with_warnings=self.page_warnings,
            batch_issues=tuple(self._page_count_issues()),
        )
        self._uow.ingest_batches.update(finished)
        return finished

    def _page_count_issues(self) -> Iterable[QcIssue]:
        """Page counts against the catalogue (DA/T 31: a mismatch is logged and explained)."""
        counts = self._uow.pages.count_for_materials(list(self._materials))
        for material_id, material in sorted(self._materials.items()):
            scanned = counts.get(material_id, 0)
            if scanned != material.catalogued_pages:
                yield QcIssue(
                    "page_count",
                    QcSeverity.WARNING,
                    f"材料“{material.title}”（{material.class_code}类第{material.sequence}份）"
                    f"目录登记{material.catalogued_pages}页，已扫描{scanned}页",
                )


def plan_folder(uow: HoldingsUnitOfWork, archive_id: int, folder: Path) -> list[ScanFile]:
    """The scan files of an archive folder matched to its catalogue by name
    (``<类号>_<材料序号>[_<页号>].<扩展名>``); files that match nothing carry the reason."""
    catalogue = {(m.class_code, m.sequence): m for m in uow.materials.for_archive(archive_id)}
    planned: list[ScanFile] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.suffix.lower() in {".csv", ".txt", ".json", ".md"}:
            continue
        match = _SCAN_NAME.fullmatch(path.stem)
        if match is None:
            problem = "文件名不符合“类号_材料序号_页号”规则（如 9-2_03_001.jpg）"
            planned.append(ScanFile(path, path.name, None, problem=problem))
            continue
        key = (match["cls"], int(match["seq"]))
        material = catalogue.get(key)
        if material is None:
            problem = f"目录中没有第{key[0]}类第{key[1]}份材料，请先编目"
            planned.append(ScanFile(path, path.name, None, problem=problem))
            continue
        planned.append(ScanFile(path, path.name, material.id, int(match["page"] or 1)))
    return planned
