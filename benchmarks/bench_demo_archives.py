"""Benchmark rendering the demo district's archives as page images into a temporary directory.

Usage: .venv/bin/python benchmarks/bench_demo_archives.py [--persons 40] [--workers 2] [--seed S]

Prints one JSON line: archives, materials, files, pages, seconds, pages_per_second, bytes per
page and the planted defects by kind (``write_demo_archives``: planning, catalogues and
rendering in ``--workers`` processes, all timed).
"""

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

from retirelink.demo.archive_folders import write_demo_archives
from retirelink.demo.generator import generate_district

AS_OF = date(2026, 11, 23)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=130406)
    args = parser.parse_args(argv)
    district = generate_district(seed=args.seed, persons=args.persons, as_of=AS_OF)
    with tempfile.TemporaryDirectory(prefix="retirelink-bench-") as scratch:
        written = write_demo_archives(district, Path(scratch), workers=args.workers)
    result = {
        "archives": written.archives,
        "materials": written.materials,
        "files": written.files,
        "pages": written.pages,
        "workers": args.workers,
        "seconds": round(written.seconds, 1),
        "pages_per_second": round(written.pages_per_second, 2),
        "kb_per_page": round(written.bytes_per_page / 1024, 1),
        "megabytes": round(written.bytes / 2**20, 1),
        "planted": dict(written.planted),
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
