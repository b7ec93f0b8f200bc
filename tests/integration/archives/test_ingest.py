"""Ingest of scan batches: per-file outcomes, QC findings, content-addressed blobs with both
digests, duplicates linked not stored twice, page counts against the catalogue, and a batch
that is interrupted half way leaves nothing behind."""

from pathlib import Path

import pytest

from retirelink.archives.holdings import BatchStatus, ItemStatus, QcSeverity
from retirelink.archives.ingest import IngestReport, ingest_batch, plan_folder
from retirelink.archives.material_classes import MaterialType
from retirelink.bootstrap import Services
from retirelink.ledger.model import LedgerAction
from retirelink.security.crypto import DualDigest
from tests.integration.archives.conftest import CataloguedArchive
from tests.support.builders import actor_for
from tests.support.scans import blank_page, encode, pdf_of, text_page, write

A4_300 = (2480, 3508)


def _scan_folder(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    colour_300 = encode(text_page(A4_300, seal=True), "JPEG", dpi=(300, 300), quality=80)
    colour_150 = encode(text_page(seed=2, seal=True), "JPEG", dpi=(150, 150), quality=80)
    return {
        "good": write(folder / "9-2_1_001.jpg", colour_300),
        "low_dpi": write(folder / "9-2_1_002.jpg", colour_150),
        # Two pages where the catalogue lists one: a page-count warning for 转正定级表.
        "pdf": write(
            folder / "9-1_1.pdf",
            pdf_of(
                [text_page(A4_300, seed=3, seal=True), text_page(A4_300, seed=4, seal=True)],
                resolution=300,
            ),
        ),
        "truncated": write(folder / "2_1_001.jpg", colour_300[: len(colour_300) // 3]),
        "misnamed": write(folder / "scan0001.jpg", colour_300),
        "uncatalogued": write(folder / "10_1_001.jpg", colour_300),
    }


def _ingest(services: Services, catalogued: CataloguedArchive, folder: Path) -> IngestReport:
    assert catalogued.archive.id is not None
    archivist = actor_for(services, "archivist")
    with services.uow() as uow:
        files = plan_folder(uow, catalogued.archive.id, folder)
        return ingest_batch(
            uow,
            actor=archivist,
            archive_id=catalogued.archive.id,
            files=files,
            store=services.blobs,
        )


def test_a_batch_reports_each_file_and_keeps_the_good_pages(
    seeded: Services, catalogued: CataloguedArchive, tmp_path: Path
) -> None:
    files = _scan_folder(tmp_path / "scans")
    report = _ingest(seeded, catalogued, tmp_path / "scans")
    by_name = {item.file_name: item for item in report.items}
    assert by_name["9-2_1_001.jpg"].status is ItemStatus.OK
    low = by_name["9-2_1_002.jpg"]
    assert low.status is ItemStatus.FAILED and any(i.code == "low_dpi" for i in low.issues)
    assert by_name["9-1_1.pdf"].pages == 2
    assert by_name["2_1_001.jpg"].status is ItemStatus.FAILED
    assert "第2类第1份" not in by_name["2_1_001.jpg"].message_zh  # it was matched, then unreadable
    assert "类号_材料序号_页号" in by_name["scan0001.jpg"].message_zh
    assert "目录中没有第10类第1份材料" in by_name["10_1_001.jpg"].message_zh
    batch = report.batch
    assert batch.status is BatchStatus.RECEIVED
    assert (batch.files_total, batch.pages_total) == (6, 4)
    # Unreadable or unmatched files fail; the 150-dpi page is stored, but as a page in error.
    assert batch.files_failed == 3 and batch.pages_with_errors == 1
    counts = {issue.message_zh for issue in batch.batch_issues}
    assert any("转正定级表" in text and "目录登记1页，已扫描2页" in text for text in counts)
    assert all(issue.severity is QcSeverity.WARNING for issue in batch.batch_issues)
    # The original file is stored under its SHA-256 with its SM3 recorded beside it.
    digest = DualDigest()
    digest.update(files["good"].read_bytes())
    sha256, sm3 = digest.hexdigests()
    with seeded.uow() as uow:
        blob = uow.blobs.get(sha256)
        assert blob is not None and blob.sm3 == sm3 and blob.media_type == "image/jpeg"
        assert uow.jobs.counts("ocr") == {"queued": 4}
        actions = [e.action for e in uow.ledger.store.iter_entries()]
    assert seeded.blobs.read_bytes(sha256) == files["good"].read_bytes()
    assert actions.count(LedgerAction.ARCHIVE_BATCH_INGESTED.value) == 1


def test_the_same_file_again_is_linked_not_stored_twice(
    seeded: Services, catalogued: CataloguedArchive, tmp_path: Path
) -> None:
    first = tmp_path / "first"
    first.mkdir()
    page = encode(text_page(A4_300, seal=True), "JPEG", dpi=(300, 300), quality=80)
    write(first / "9-2_1_001.jpg", page)
    _ingest(seeded, catalogued, first)
    with seeded.uow() as uow:
        blobs_before = uow.blobs.count_and_bytes()
    again = _ingest(seeded, catalogued, first)
    assert [item.status for item in again.items] == [ItemStatus.DUPLICATE]
    assert again.batch.files_duplicate == 1 and again.batch.pages_total == 0
    # The same bytes as another material's page: one blob, two pages.
    other = tmp_path / "other"
    other.mkdir()
    write(other / "9-1_1_001.jpg", page)
    linked = _ingest(seeded, catalogued, other)
    assert [item.status for item in linked.items] == [ItemStatus.OK]
    with seeded.uow() as uow:
        assert uow.blobs.count_and_bytes() == blobs_before
        regularisation = catalogued.materials[MaterialType.REGULARISATION_GRADING]
        recruitment = catalogued.materials[MaterialType.RECRUITMENT_REGISTRATION]
        (a,) = uow.pages.for_material(regularisation.id or 0)
        (b,) = uow.pages.for_material(recruitment.id or 0)
    assert a.blob_sha256 == b.blob_sha256


def test_an_interrupted_batch_leaves_nothing_and_can_be_run_again(
    seeded: Services, catalogued: CataloguedArchive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    for number in (1, 2):
        page = encode(text_page(A4_300, seed=number, seal=True), "JPEG", dpi=(300, 300))
        write(folder / f"9-2_1_00{number}.jpg", page)
    from retirelink.storage.holdings_repositories import SqlAlchemyPageRepository

    original = SqlAlchemyPageRepository.add
    calls = {"n": 0}

    def crash_on_second(self: SqlAlchemyPageRepository, page: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return original(self, page)  # type: ignore[arg-type]

    monkeypatch.setattr(SqlAlchemyPageRepository, "add", crash_on_second)
    with pytest.raises(RuntimeError):
        _ingest(seeded, catalogued, folder)
    with seeded.uow() as uow:
        assert uow.ingest_batches.recent(status=None, limit=10) == []
        assert uow.blobs.count_and_bytes() == (0, 0)
        assert uow.jobs.counts("ocr") == {}
    monkeypatch.setattr(SqlAlchemyPageRepository, "add", original)
    report = _ingest(seeded, catalogued, folder)
    assert [item.status for item in report.items] == [ItemStatus.OK, ItemStatus.OK]


def test_a_returned_batch_is_rescanned_into_the_same_pages(
    seeded: Services, catalogued: CataloguedArchive, tmp_path: Path
) -> None:
    from retirelink.archives.reception import window_check

    first = tmp_path / "first"
    first.mkdir()
    write(first / "9-2_1_001.jpg", encode(text_page(seal=True), "JPEG", dpi=(150, 150)))
    report = _ingest(seeded, catalogued, first)
    assert report.batch.pages_with_errors == 1 and report.batch.id is not None
    with seeded.uow() as uow:
        window_check(
            uow,
            actor=actor_for(seeded, "clerk"),
            batch_id=report.batch.id,
            passed=False,
            reason="分辨率不足，请按300 dpi重扫",
        )
    rescan = tmp_path / "rescan"
    rescan.mkdir()
    write(rescan / "9-2_1_001.jpg", encode(text_page(A4_300, seal=True), "JPEG", dpi=(300, 300)))
    second = _ingest(seeded, catalogued, rescan)
    assert second.batch.pages_with_errors == 0 and second.batch.files_failed == 0
    recruitment = catalogued.materials[MaterialType.RECRUITMENT_REGISTRATION]
    with seeded.uow() as uow:
        (page,) = uow.pages.for_material(recruitment.id or 0)
    assert page.dpi == 300 and page.batch_id == second.batch.id and page.qc_ok


def test_blank_and_grey_pages_are_flagged(
    seeded: Services, catalogued: CataloguedArchive, tmp_path: Path
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    # 招工登记表 bears a photo and a seal: a greyscale scan breaks DA/T 31-2017's colour rule.
    grey = text_page(A4_300).convert("L")
    write(folder / "9-2_1_001.jpg", encode(grey, "JPEG", dpi=(300, 300)))
    write(folder / "2_1_001.png", encode(blank_page((1654, 2339)), "PNG", dpi=(200, 200)))
    report = _ingest(seeded, catalogued, folder)
    codes = {item.file_name: {issue.code for issue in item.issues} for item in report.items}
    assert "colour_required" in codes["9-2_1_001.jpg"]
    assert "blank" in codes["2_1_001.png"]
