"""Benchmark the archive repository: scan ingest, fixity, and OCR throughput.

Usage: .venv/bin/python benchmarks/bench_archive_ingest.py [--pages 10000]
       [--pages-per-archive 100] [--workers 2] [--ocr-pages 20] [--backend sqlite|postgresql|both]

Budgets (issue 4): ingest of 10,000 page images (identify, digest, QC, thumbnail; OCR
excluded) <= 5 min; fixity re-check >= 200 MB/s on local disk; OCR throughput reported.

Setup (not timed): 48 distinct A4 pages drawn at 300 dpi (text-like lines, a red seal) and
saved as colour JPEG (~0.9 MB each, like a real 300-dpi scan); every ingested file is one of
them with its own trailing bytes after the JPEG end marker, so every file has its own digest
(all are stored, none is a duplicate) but costs a real decode. Archives of
``--pages-per-archive`` pages (10 materials of 10 pages) are opened and catalogued.

Timed, per backend: ``ingest_batch`` of each archive's folder with ``--workers`` processes —
content identification, SHA-256 + SM3 of every file, decode, DA/T 31 checks, thumbnail and
view JPEG, blobs into the local store, page rows, one OCR job per page, one transaction per
batch. Then ``check_fixity`` over every stored blob (2 processes), and OCR of
``--ocr-pages`` queued pages with rapidocr (if installed). Prints one JSON line per backend.
The page cache holds the blobs the benchmark just wrote: fixity reads are from memory, so
the figure is hashing speed, the bound when the disk is faster than it.
"""

import io
import random
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from _common import Stopwatch, emit, parser, scratch, selected_backends
from PIL import Image, ImageDraw

from retirelink.archives.cataloguing import MaterialEntry, catalogue_material, open_archive
from retirelink.archives.fixity import check_fixity
from retirelink.archives.holdings import DatePrecision, FuzzyDate
from retirelink.archives.ingest import ScanExaminer, ingest_batch, plan_folder
from retirelink.archives.material_classes import ArchiveKind, MaterialType
from retirelink.archives.ocr_engine import ocr_available
from retirelink.archives.services import add_person, build_person
from retirelink.bootstrap import build
from retirelink.rules.identifiers import id_check_character
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.storage import migrate

A4_300 = (2480, 3508)
BASE_PAGES = 48
MATERIALS = 10
# 招工登记表 and friends: colour required, fine print (300 dpi) — the strictest checks.
TYPES = (MaterialType.RECRUITMENT_REGISTRATION, MaterialType.WAGE_CHANGE)


def _base_page(seed: int) -> bytes:
    rnd = random.Random(seed)
    image = Image.new("RGB", A4_300, (246, 244, 238))
    draw = ImageDraw.Draw(image)
    y = 300
    while y < A4_300[1] - 300:
        x = 250
        while x < A4_300[0] - rnd.randint(250, 600):
            word = rnd.randint(30, 110)
            ink = rnd.randint(20, 70)
            draw.rectangle([x, y, x + word, y + 26], fill=(ink, ink, ink))
            x += word + 16
        y += 62
    draw.ellipse([1500, 2600, 1900, 3000], outline=(205, 30, 35), width=14)
    out = io.BytesIO()
    image.rotate(rnd.uniform(-0.6, 0.6), fillcolor=(246, 244, 238)).save(
        out, "JPEG", dpi=(300, 300), quality=85
    )
    return out.getvalue()


def _open_archives(services, count: int, pages_per_material: int) -> list[int]:
    archive_ids = []
    for number in range(count):
        with services.uow() as uow:
            first17 = f"130406{1960 + number % 30}0101{number % 1000:03d}"
            person = add_person(
                uow,
                build_person(uow, id_number=first17 + id_check_character(first17), name="张伟"),
                actor=SYSTEM_ACTOR,
                purpose="基准测试",
            )
            archive = open_archive(
                uow,
                actor=SYSTEM_ACTOR,
                id_number=person.id_number,
                archive_number=f"BENCH-{number:05d}",
                kind=ArchiveKind.ENTERPRISE_WORKER,
                custodian="基准测试档案室",
                location="",
            )
            for material in range(MATERIALS):
                catalogue_material(
                    uow,
                    actor=SYSTEM_ACTOR,
                    archive_id=archive.id or 0,
                    entry=MaterialEntry(
                        "9-2",
                        TYPES[material % 2],
                        f"材料{material + 1}",
                        FuzzyDate(date(1983 + material, 7, 1), DatePrecision.MONTH),
                        pages_per_material,
                    ),
                )
            uow.commit()
        archive_ids.append(archive.id or 0)
    return archive_ids


def _write_folder(folder: Path, bases: list[bytes], pages_per_material: int, start: int) -> int:
    folder.mkdir(parents=True)
    written = 0
    for material in range(MATERIALS):
        for page in range(pages_per_material):
            serial = start + written
            data = bases[serial % len(bases)] + f"retirelink-bench-{serial}".encode()
            (folder / f"9-2_{material + 1}_{page + 1:03d}.jpg").write_bytes(data)
            written += 1
    return written


def run(backend: str, args) -> dict[str, object]:
    bases = [_base_page(seed) for seed in range(BASE_PAGES)]
    pages_per_material = args.pages_per_archive // MATERIALS
    archives = args.pages // (pages_per_material * MATERIALS)
    with scratch(backend) as db:
        migrate.upgrade(db.url)
        services = build(db.settings())
        try:
            archive_ids = _open_archives(services, archives, pages_per_material)
            ingest_seconds = 0.0
            pages = 0
            cpu_before = _cpu_seconds()
            with (
                tempfile.TemporaryDirectory(prefix="retirelink-bench-scans-") as scans,
                ScanExaminer(services.blobs, workers=args.workers) as examiner,
            ):
                for index, archive_id in enumerate(archive_ids):
                    folder = Path(scans) / f"BENCH-{index:05d}"
                    _write_folder(folder, bases, pages_per_material, pages)
                    with Stopwatch() as watch, services.uow() as uow:
                        files = plan_folder(uow, archive_id, folder)
                        report = ingest_batch(
                            uow,
                            actor=SYSTEM_ACTOR,
                            archive_id=archive_id,
                            files=files,
                            store=services.blobs,
                            examiner=examiner,
                        )
                    ingest_seconds += watch.seconds
                    pages += report.batch.pages_total
                    assert report.batch.files_failed == 0, report.items[:3]
                    for path in folder.iterdir():
                        path.unlink()
            # Worker processes are counted once reaped (the examiner closed its pool above).
            cpu = _cpu_seconds() - cpu_before
            with services.uow() as uow:
                blobs, stored = uow.blobs.count_and_bytes()
            with services.uow() as uow:
                fixity = check_fixity(uow, actor=SYSTEM_ACTOR, store=services.blobs, workers=2)
            ocr = _ocr(services, args.ocr_pages)
        finally:
            services.close()
    return {
        "backend": backend,
        "pages": pages,
        "archives": archives,
        "workers": args.workers,
        "ingest_seconds": round(ingest_seconds, 1),
        "pages_per_second": round(pages / ingest_seconds, 1),
        "ms_per_page": round(1000 * ingest_seconds / pages, 1),
        # CPU of this process and its workers (SQLite: all of the work); on 2 free cores the
        # wall time cannot be less than half of it.
        "cpu_seconds": round(cpu, 1),
        "cpu_ms_per_page": round(1000 * cpu / pages, 1),
        "blobs": blobs,
        "stored_mb": round(stored / 2**20),
        "fixity_seconds": round(fixity.seconds, 1),
        "fixity_mb_per_second": round(fixity.megabytes_per_second),
        "fixity_problems": fixity.problems_total,
        **ocr,
    }


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _ocr(services, pages: int) -> dict[str, object]:
    if not pages or not ocr_available():
        return {"ocr": "not installed" if pages else "skipped"}
    services.run_ocr(1)  # the model loads on first use (about a second): not counted
    started = time.perf_counter()
    done = 0
    while done < pages:
        summary = services.run_ocr(min(10, pages - done))
        if summary.done + summary.failed == 0:
            break
        done += summary.done + summary.failed
    seconds = time.perf_counter() - started
    return {
        "ocr_pages": done,
        "ocr_seconds": round(seconds, 1),
        "ocr_pages_per_second": round(done / seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--pages", type=int, default=10_000)
    args_parser.add_argument("--pages-per-archive", type=int, default=100)
    args_parser.add_argument("--workers", type=int, default=2)
    args_parser.add_argument("--ocr-pages", type=int, default=20)
    args = args_parser.parse_args(argv)
    for backend in selected_backends(args.backend):
        emit(run(backend, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
