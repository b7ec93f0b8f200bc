"""Benchmark bulk demo generation (CSV + Parquet) into a temporary directory.

Usage: .venv/bin/python benchmarks/bench_demo_bulk.py [--persons 1000000] [--seed 1]

Prints one JSON line: persons, seconds, persons_per_minute and the size of every file.
"""

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

from retirelink.demo.bulk import write_bulk

AS_OF = date(2025, 6, 30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="retirelink-bench-") as scratch:
        summary = write_bulk(Path(scratch), seed=args.seed, persons=args.persons, as_of=AS_OF)
    result = {
        "persons": summary.persons,
        "seconds": round(summary.seconds, 2),
        "persons_per_minute": round(summary.persons / summary.seconds * 60),
        "rows": {file.table: file.rows for file in summary.files if file.format == "csv"},
        "file_bytes": {file.path.name: file.bytes for file in summary.files},
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
