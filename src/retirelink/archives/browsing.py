"""Reading the repository: the archive list, an archive with its class tree, a batch with its
quality report. Every read that shows a person's archive is ledgered."""

from dataclasses import dataclass

from retirelink.archives.fact_records import ArchiveFact
from retirelink.archives.holdings import (
    Archive,
    ArchiveSummary,
    IngestBatch,
    IngestItem,
    LendingRequest,
    Material,
    Page,
)
from retirelink.archives.material_classes import MaterialClass, material_class, top_level_classes
from retirelink.archives.model import Person
from retirelink.archives.ports import HoldingsUnitOfWork
from retirelink.errors import InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

PAGE_SIZE = 20
MAX_QUERY = 30


@dataclass(frozen=True)
class ArchiveList:
    items: list[ArchiveSummary]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def find_archives(
    uow: HoldingsUnitOfWork, *, actor: Actor, text: str = "", page: int = 1
) -> ArchiveList:
    """Archives by number, or by the person's name or ID number (prefix); ledgered."""
    require(actor, Permission.ARCHIVE_READ)
    query = text.strip()
    if len(query) > MAX_QUERY:
        raise InvalidInputError(f"查询内容不能超过{MAX_QUERY}个字符", field="q")
    page = max(1, page)
    items, total = uow.archives.search(text=query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_SEARCH,
        subject=uow.ledger.subject("archive_list", query or "*"),
        purpose="档案目录查询",
        after={"results": total},
    )
    uow.commit()
    return ArchiveList(items, total, page)


@dataclass(frozen=True)
class MaterialView:
    material: Material
    pages: list[Page]

    @property
    def scanned(self) -> int:
        return len(self.pages)


@dataclass(frozen=True)
class ClassGroup:
    """One class of the tree with its materials (sub-classes folded into their parent)."""

    material_class: MaterialClass
    materials: list[MaterialView]


@dataclass(frozen=True)
class ArchiveDetail:
    archive: Archive
    person: Person
    classes: list[ClassGroup]
    batches: list[IngestBatch]
    lending: list[LendingRequest]
    facts: list[ArchiveFact]

    @property
    def material_count(self) -> int:
        return sum(len(group.materials) for group in self.classes)


def archive_detail(uow: HoldingsUnitOfWork, *, actor: Actor, archive_id: int) -> ArchiveDetail:
    """An archive with its class tree, pages, batches and lending requests; ledgered."""
    require(actor, Permission.ARCHIVE_READ)
    archive = uow.archives.get(archive_id)
    person = uow.persons.get(archive.person_id) if archive else None
    if archive is None or archive.id is None or person is None:
        raise NotFoundError("档案不存在")
    views = [
        MaterialView(material, uow.pages.for_material(material.id or 0))
        for material in uow.materials.for_archive(archive.id)
    ]
    groups = [
        ClassGroup(top, [view for view in views if _top_code(view.material.class_code) == top.code])
        for top in top_level_classes()
    ]
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_READ,
        subject=uow.ledger.subject("person", person.id_number),
        purpose=f"查阅档案目录 {archive.archive_number}",
    )
    uow.commit()
    return ArchiveDetail(
        archive=archive,
        person=person,
        classes=groups,
        batches=uow.ingest_batches.for_archive(archive.id),
        lending=uow.lending.for_archive(archive.id),
        facts=uow.facts.for_person(person.id or 0),
    )


def _top_code(code: str) -> str:
    parent = material_class(code).parent
    return parent or code


@dataclass(frozen=True)
class BatchReport:
    batch: IngestBatch
    archive: Archive
    items: list[IngestItem]
    pages: list[Page]
    materials: dict[int, Material]


def batch_report(uow: HoldingsUnitOfWork, *, actor: Actor, batch_id: int) -> BatchReport:
    """A batch with its per-file report, its pages and their quality findings."""
    require(actor, Permission.ARCHIVE_READ)
    batch = uow.ingest_batches.get(batch_id)
    archive = uow.archives.get(batch.archive_id) if batch else None
    if batch is None or archive is None:
        raise NotFoundError("扫描批次不存在")
    pages = uow.pages.for_batch(batch_id)
    materials = {
        material_id: material
        for material_id in sorted({page.material_id for page in pages})
        if (material := uow.materials.get(material_id)) is not None
    }
    return BatchReport(batch, archive, uow.ingest_batches.items(batch_id), pages, materials)


def review_queue(
    uow: HoldingsUnitOfWork, *, actor: Actor, status: str | None, limit: int = 100
) -> list[IngestBatch]:
    """Batches by status (待窗口初审, 待入库复审 …), newest first."""
    require(actor, Permission.ARCHIVE_READ)
    return uow.ingest_batches.recent(status=status, limit=limit)


def record_search(uow: HoldingsUnitOfWork, *, actor: Actor, query: str, results: int) -> None:
    """Check the actor may search archives and ledger the search (the query and the count:
    full-text search reads pages of personal archives); committed."""
    require(actor, Permission.ARCHIVE_READ)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.ARCHIVE_SEARCH,
        subject=uow.ledger.subject("archive_text", query[:50]),
        purpose=f"档案全文检索：{query[:50]}",
        after={"results": results},
    )
    uow.commit()
