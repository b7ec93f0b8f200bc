"""Benchmark streamed validation of a large GB18030 partner CSV (file-transfer import).

Usage: .venv/bin/python benchmarks/bench_file_import.py [--rows 1000000] [--seed 1]

Writes a GB18030 CSV of death notices into a temporary directory (not timed), then times
``validate_file`` on it. Prints one JSON line: rows, file bytes, seconds, rows_per_second and
peak RSS (budget: 1,000,000 rows in <= 60 s with memory flat in file size).
"""

import argparse
import csv
import json
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from retirelink.exchange.file_import import validate_file
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA
from retirelink.rules.identifiers import id_check_character

AS_OF = date(2025, 6, 30)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="retirelink-bench-") as scratch:
        path = Path(scratch) / "deaths.csv"
        _write_csv(path, args.rows, args.seed)
        rss_before = _peak_rss_mb()
        started = time.perf_counter()
        summary = validate_file(path, PARTNER_EVENT_SCHEMA, as_of=AS_OF)
        seconds = time.perf_counter() - started
        file_bytes = path.stat().st_size
    result = {
        "rows": summary.rows_total,
        "rows_valid": summary.rows_valid,
        "issues": summary.issue_total,
        "encoding": summary.encoding,
        "file_bytes": file_bytes,
        "seconds": round(seconds, 2),
        "rows_per_second": round(summary.rows_total / seconds),
        "peak_rss_mb_before": rss_before,
        "peak_rss_mb": _peak_rss_mb(),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
