"""Benchmark the file-transfer import of a large GB18030 partner CSV: validate, then apply.

Usage: .venv/bin/python benchmarks/bench_file_import.py [--rows 1000000] [--small 100000]
       [--backend sqlite|postgresql|both] [--seed 1]

Writes GB18030 CSVs of death notices (``--small`` and ``--rows`` rows; not timed), then:

* ``validate_file`` alone on the large file (streamed validation, no database);
* ``import_partner_path`` of each file on a migrated scratch database per backend: decode,
  validate every row, verify each death notice against the persons and notices held (every
  notice is for someone unknown here, so every row takes the flagging path), apply all rows in
  one transaction in chunks, receipt and ledger entry.

Each import runs in a fresh child process so its peak RSS is its own: the small and the large
file side by side show whether memory stays flat in file size. Prints one JSON line per
measurement (budget: 1,000,000 rows validated and applied <= 60 s, memory flat in file size).
"""

import csv
import multiprocessing
import random
import resource
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _common import Stopwatch, emit, parser, scratch, selected_backends

from retirelink.bootstrap import build
from retirelink.clock import FixedClock
from retirelink.exchange.file_import import validate_file
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA
from retirelink.exchange.services import import_partner_path
from retirelink.rules.identifiers import id_check_character
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.storage import migrate

AS_OF = date(2025, 6, 30)
ITEM = "public_security.death_cancellation"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂𠮷"  # 𠮷 is a 4-byte GB18030 character


def _write_csv(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("公民身份号码", "姓名", "死亡日期", "结束日期", "记录类型"))
        for index in range(rows):
            born = date(1930, 1, 1) + timedelta(days=index // 1000 * 20)  # unique with the sequence
            first17 = f"130406{born:%Y%m%d}{index % 1000:03d}"
            name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2)))
            died = AS_OF - timedelta(days=rng.randrange(1, 3000))
            writer.writerow(
                (first17 + id_check_character(first17), name, died.isoformat(), "", "死亡")
            )


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _validate_only(path: Path) -> dict[str, object]:
    with Stopwatch() as watch:
        summary = validate_file(path, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
    return {
        "measure": "validate_only",
        "rows": summary.rows_total,
        "issues": summary.issue_total,
        "encoding": summary.encoding,
        "seconds": round(watch.seconds, 2),
        "rows_per_second": round(summary.rows_total / watch.seconds),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _import_child(
    backend: str, path: str, queue: "multiprocessing.Queue[dict[str, object]]"
) -> None:
    with scratch(backend) as db:
        migrate.upgrade(db.url)
        services = build(db.settings(), clock=FixedClock(datetime(2025, 6, 30, 2, 0, tzinfo=UTC)))
        rss_before = _peak_rss_mb()
        try:
            with Stopwatch() as watch, services.uow() as uow:
                outcome = import_partner_path(
                    uow,
                    actor=SYSTEM_ACTOR,
                    path=Path(path),
                    item_code=ITEM,
                    catalogue=services.catalogue,
                    receipt_key=services.receipt_key,
                )
            with services.uow() as uow:
                stored = uow.partner_records.count(ITEM)
        finally:
            services.close()
    job = outcome.job
    queue.put(
        {
            "measure": "import",
            "backend": backend,
            "rows": job.rows_total,
            "status": job.status.value,
            "applied": job.rows_applied,
            "flagged": job.rows_flagged,
            "stored": stored,
            "file_mb": round(Path(path).stat().st_size / 2**20, 1),
            "seconds": round(watch.seconds, 2),
            "rows_per_second": round(job.rows_total / watch.seconds),
            "peak_rss_mb_before": rss_before,
            "peak_rss_mb": _peak_rss_mb(),
        }
    )


def _import(backend: str, path: Path) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[dict[str, object]] = context.Queue()
    child = context.Process(target=_import_child, args=(backend, str(path), queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main(argv: list[str] | None = None) -> int:
    args_parser = parser(__doc__)
    args_parser.add_argument("--rows", type=int, default=1_000_000)
    args_parser.add_argument("--small", type=int, default=100_000)
    args_parser.add_argument("--seed", type=int, default=1)
    args = args_parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="retirelink-bench-files-") as directory:
        small, large = Path(directory) / "small.csv", Path(directory) / "large.csv"
        _write_csv(small, args.small, args.seed)
        _write_csv(large, args.rows, args.seed)
        emit(_validate_only(large))
        for backend in selected_backends(args.backend):
            for path in (small, large):
                emit(_import(backend, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
