"""OCR in background jobs (text with boxes, candidate facts, failures isolated per page) and
fixity (a flipped bit and a missing file are caught and named; the run is ledgered)."""

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from retirelink.archives.fact_kinds import FactKind
from retirelink.archives.fact_records import FactStatus
from retirelink.archives.fixity import ProblemKind, check_fixity
from retirelink.archives.holdings import OcrLine
from retirelink.archives.ingest import ingest_batch, plan_folder
from retirelink.archives.ocr import run_ocr_jobs
from retirelink.archives.ocr_engine import RapidOcrEngine, ocr_available
from retirelink.bootstrap import OCR_HOOKS, Services
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import SYSTEM_ACTOR
from tests.integration.archives.conftest import CataloguedArchive
from tests.support.scans import encode, text_page, write

A4_300 = (2480, 3508)


class ScriptedEngine:
    """Answers with fixed lines; with ``succeed_calls`` set, every later call fails."""

    name = "scripted"

    def __init__(self, lines: list[OcrLine], succeed_calls: int | None = None) -> None:
        self.lines = lines
        self.succeed_calls = succeed_calls
        self.calls = 0

    def recognise(self, image: Image.Image) -> list[OcrLine]:
        self.calls += 1
        if self.succeed_calls is not None and self.calls > self.succeed_calls:
            raise RuntimeError("模型推理失败")
        assert image.mode == "RGB"
        return self.lines


def _ingest_pages(services: Services, catalogued: CataloguedArchive, folder: Path) -> list[int]:
    assert catalogued.archive.id is not None
    with services.uow() as uow:
        files = plan_folder(uow, catalogued.archive.id, folder)
        report = ingest_batch(
            uow,
            actor=SYSTEM_ACTOR,
            archive_id=catalogued.archive.id,
            files=files,
            store=services.blobs,
        )
    with services.uow() as uow:
        return [page.id or 0 for page in uow.pages.for_batch(report.batch.id or 0)]


def _two_pages(tmp_path: Path) -> Path:
    folder = tmp_path / "scans"
    folder.mkdir()
    write(folder / "9-2_1_001.jpg", encode(text_page(A4_300, seal=True), "JPEG", dpi=(300, 300)))
    second = text_page(A4_300, seed=5, seal=True)
    write(folder / "9-2_1_002.jpg", encode(second, "JPEG", dpi=(300, 300)))
    return folder


RECRUITMENT_LINES = [
    OcrLine("招工登记表", (400, 40, 700, 90), 0.99),
    OcrLine("姓名 张三丰", (60, 160, 400, 200), 0.97),
    OcrLine("出生年月 1965.3", (60, 220, 420, 260), 0.96),
    OcrLine("参加工作时间 一九八三年七月", (60, 280, 600, 320), 0.95),
]


def test_ocr_stores_text_with_boxes_and_candidate_facts(
    seeded: Services, catalogued: CataloguedArchive, tmp_path: Path
) -> None:
    pages = _ingest_pages(seeded, catalogued, _two_pages(tmp_path))
    engine = ScriptedEngine(RECRUITMENT_LINES)
    summary = run_ocr_jobs(seeded.uow, engine=engine, store=seeded.blobs, on_text=OCR_HOOKS)
    assert (summary.done, summary.failed) == (2, 0)
    with seeded.uow() as uow:
        text = uow.page_texts.get(pages[0])
        assert text is not None and text.status == "done"
        assert text.lines[2] == OcrLine("出生年月 1965.3", (60, 220, 420, 260), 0.96)
        facts = uow.facts.for_person(catalogued.archive.person_id)
        assert uow.jobs.counts("ocr") == {"done": 2}
    births = [f for f in facts if f.kind is FactKind.BIRTH_DATE and f.page_id == pages[0]]
    assert len(births) == 1 and births[0].status is FactStatus.CANDIDATE
    assert births[0].start is not None and births[0].start.iso() == "1965-03"
    # Reading the page again replaces its unreviewed candidates instead of adding more.
    with seeded.uow() as uow:
        uow.jobs.enqueue("ocr", f"page:{pages[0]}", run_after=uow.clock.now())
        uow.commit()
    run_ocr_jobs(seeded.uow, engine=engine, store=seeded.blobs, on_text=OCR_HOOKS)
    with seeded.uow() as uow:
        again = [
            f
            for f in uow.facts.for_person(catalogued.archive.person_id)
            if f.kind is FactKind.BIRTH_DATE and f.page_id == pages[0]
        ]
    assert len(again) == 1


def test_a_page_that_fails_is_retried_then_stored_as_failed_alone(
    seeded: Services, catalogued: CataloguedArchive, tmp_path: Path, clock
) -> None:
    from datetime import timedelta

    pages = _ingest_pages(seeded, catalogued, _two_pages(tmp_path))
    # Jobs run in page order: the first page is read, the second fails on every attempt.
    engine = ScriptedEngine(RECRUITMENT_LINES, succeed_calls=1)
    first = run_ocr_jobs(seeded.uow, engine=engine, store=seeded.blobs, on_text=OCR_HOOKS)
    assert (first.done, first.retried) == (1, 1)
    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        run_ocr_jobs(seeded.uow, engine=engine, store=seeded.blobs, on_text=OCR_HOOKS)
    with seeded.uow() as uow:
        texts = {page: uow.page_texts.get(page) for page in pages}
        assert uow.jobs.counts("ocr") == {"done": 1, "failed": 1}
    first_page, second_page = (texts[page] for page in pages)
    assert first_page is not None and first_page.status == "done"
    assert second_page is not None and second_page.status == "failed"
    assert "模型推理失败" in second_page.error
    assert engine.calls == 1 + 3  # three attempts at the failing page, then no more


def _cjk_font() -> str:
    return subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"], capture_output=True, text=True
    ).stdout


@pytest.mark.skipif(not ocr_available(), reason="the OCR extra (rapidocr) is not installed")
def test_real_ocr_reads_a_chinese_form_and_finds_the_birth_date(
    seeded: Services, catalogued: CataloguedArchive, tmp_path: Path
) -> None:
    page = Image.new("RGB", (1654, 2339), (250, 250, 248))
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(_cjk_font(), 48)
    draw.text((520, 120), "招工登记表", font=font, fill=(20, 20, 20))
    draw.text((120, 320), "姓名：张三丰", font=font, fill=(20, 20, 20))
    draw.text((120, 420), "出生年月：一九六五年三月", font=font, fill=(20, 20, 20))
    draw.ellipse((1100, 1700, 1400, 2000), outline=(200, 30, 30), width=10)
    folder = tmp_path / "scans"
    folder.mkdir()
    write(folder / "9-2_1_001.jpg", encode(page, "JPEG", dpi=(200, 200), quality=90))
    (page_id,) = _ingest_pages(seeded, catalogued, folder)
    summary = run_ocr_jobs(
        seeded.uow, engine=RapidOcrEngine(), store=seeded.blobs, on_text=OCR_HOOKS
    )
    assert summary.done == 1
    with seeded.uow() as uow:
        text = uow.page_texts.get(page_id)
        facts = uow.facts.for_person(catalogued.archive.person_id)
    assert text is not None and "招工登记表" in text.text
    assert all(line.box is not None for line in text.lines)
    birth = [f for f in facts if f.kind is FactKind.BIRTH_DATE]
    assert birth and birth[0].start is not None and birth[0].start.iso() == "1965-03"


def test_fixity_names_a_flipped_bit_and_a_missing_file(
    seeded: Services, catalogued: CataloguedArchive, tmp_path: Path
) -> None:
    _ingest_pages(seeded, catalogued, _two_pages(tmp_path))
    with seeded.uow() as uow:
        clean = check_fixity(uow, actor=SYSTEM_ACTOR, store=seeded.blobs, workers=1)
        blobs = list(uow.blobs.iter_all())
    assert clean.ok and clean.blobs_checked == len(blobs) == 6  # 2 scans, 2 thumbnails, 2 views
    flipped, missing = blobs[0].sha256, blobs[1].sha256
    path = seeded.blobs.local_path(flipped)  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    seeded.blobs.delete(missing)
    with seeded.uow() as uow:
        report = check_fixity(uow, actor=SYSTEM_ACTOR, store=seeded.blobs, workers=2)
        entries = [
            e
            for e in uow.ledger.store.iter_entries()
            if e.action == LedgerAction.ARCHIVE_FIXITY_CHECK.value
        ]
    problems = {problem.sha256: problem.kind for problem in report.problems}
    assert problems == {flipped: ProblemKind.DIGEST, missing: ProblemKind.MISSING}
    assert report.blobs_checked == 6 and len(entries) == 2
    assert any("SHA-256 和 SM3" in p.message_zh for p in report.problems)
