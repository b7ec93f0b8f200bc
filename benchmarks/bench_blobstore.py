"""Benchmark the local blob store: ingest writes, and the fixity read at disk speed.

Usage: .venv/bin/python benchmarks/bench_blobstore.py [--files 2000] [--size-kb 1000]
       [--workers 1,2] [--buffers 1m,1m+willneed] [--repeat 3]
       [--dir /var/tmp] [--no-cold]

Setup (untimed): ``--files`` staged files of about ``--size-kb`` kB each (1,000,000 bytes
± 48 KiB, distinct content, written and synced in a scratch directory). Timed:

* **write** — ``LocalBlobStore.put_file`` of every staged file (the ingest path: copy in
  1 MiB chunks while checking the SHA-256 against the key, fsync, rename, directory fsync),
  with 1 and 2 worker processes, each into a fresh store.
* **read** — every blob of the store found with ``local_path`` and read with ``readinto`` into
  one reusable buffer of each ``--buffers`` kind: ``64k``, ``1m``, ``4m``; ``mmap`` (the file
  mapped and fed to the hashes as memoryview slices, no copy); ``1m+willneed`` (1 MiB reads,
  and the next file announced with ``POSIX_FADV_WILLNEED`` before the current one is read, so
  the disk works while the CPU hashes). Read only; read + SHA-256 (hashlib); read + SHA-256
  and SM3 (``retirelink.security.crypto.DualDigest``, the fixity check's work), with 1 and 2
  worker processes that share the files between them. Every digest is compared with its key.

Reads are measured twice: ``warm`` — straight after the writes, the blobs are in the page
cache (24 GiB of RAM holds them all), so this is memory and CPU speed; ``cold`` — each file's
cached pages dropped first with ``posix_fadvise(POSIX_FADV_DONTNEED)`` (dropping the whole
page cache needs /proc/sys/vm/drop_caches, not writable here), so the bytes come from the
virtual disk (which the host may still cache). Also printed: the hashes alone on an in-memory
1 MiB buffer, the CPU ceiling of each mode.

Each figure is the median of ``--repeat`` passes (the two cores are shared and noisy).
MB = 10^6 bytes. Prints one JSON line. The fixity budget is 200 MB/s (read + both digests).
"""

import argparse
import hashlib
import mmap
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from _common import Stopwatch, emit

from retirelink.security.crypto import DualDigest
from retirelink.storage.blobs_local import LocalBlobStore

FIXITY_BUDGET_MB_S = 200.0
SEED = 130406
POOL_BYTES = 8 * 1024 * 1024
SPREAD = 48 * 1024
MODES = ("read", "sha256", "sha256+sm3")
# Read buffer size (0: mmap) and whether the next file is announced to the kernel
# (POSIX_FADV_WILLNEED) while the current one is hashed, so disk reads overlap hashing.
BUFFERS = {
    "64k": (64 * 1024, False),
    "1m": (1024 * 1024, False),
    "4m": (4 * 1024 * 1024, False),
    "mmap": (0, False),
    "1m+willneed": (1024 * 1024, True),
}


# --- setup ----------------------------------------------------------------------------------


def stage_files(directory: Path, count: int, size: int) -> list[tuple[str, Path]]:
    """``count`` files of about ``size`` bytes, distinct content; returns (sha256, path)."""
    rng = random.Random(SEED)
    pool = rng.randbytes(POOL_BYTES)
    staged = []
    for index in range(count):
        length = size + rng.randint(-SPREAD, SPREAD)
        offset = rng.randrange(0, POOL_BYTES - length)
        data = index.to_bytes(8, "big") + pool[offset : offset + length - 8]
        path = directory / f"scan-{index:05d}.tif"
        path.write_bytes(data)
        staged.append((hashlib.sha256(data).hexdigest(), path))
    os.sync()
    return staged


def drop_cached_pages(paths: Sequence[Path]) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


# --- work done in the worker processes ------------------------------------------------------


def write_blobs(root: str, items: list[tuple[str, str]], _: str, __: str) -> int:
    store = LocalBlobStore(Path(root))
    total = 0
    for key, source in items:
        store.put_file(key, Path(source))
        total += os.path.getsize(source)
    return total


def read_blobs(_: str, items: list[tuple[str, str]], mode: str, buffer_name: str) -> int:
    buffer_size, prefetch = BUFFERS[buffer_name]
    if buffer_size == 0:
        return _read_mapped(items, mode)
    buffer = bytearray(buffer_size)
    view = memoryview(buffer)
    total = 0
    for index, (key, path) in enumerate(items):
        if prefetch and index + 1 < len(items):
            _will_need(items[index + 1][1])
        update, check = _hasher(mode)
        with open(path, "rb", buffering=0) as stream:
            while count := stream.readinto(buffer):
                update(view[:count])
                total += count
        check(key)
    return total


def _will_need(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    finally:
        os.close(fd)


def _read_mapped(items: list[tuple[str, str]], mode: str) -> int:
    total = 0
    step = 4 * 1024 * 1024
    for key, path in items:
        update, check = _hasher(mode)
        with open(path, "rb", buffering=0) as stream:
            size = os.fstat(stream.fileno()).st_size
            with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                mapped.madvise(mmap.MADV_SEQUENTIAL)
                view = memoryview(mapped)
                try:
                    for start in range(0, size, step):
                        update(view[start : start + step])
                finally:
                    view.release()
        total += size
        check(key)
    return total


def _ignore(_: object) -> None:
    pass


def _hasher(mode: str) -> tuple[Callable[[Any], None], Callable[[str], None]]:
    if mode == "read":
        return _ignore, _ignore
    if mode == "sha256":
        sha256 = hashlib.sha256()

        def check_sha256(key: str) -> None:
            if sha256.hexdigest() != key:
                raise RuntimeError(f"fixity failure: {key}")

        return sha256.update, check_sha256
    both = DualDigest()

    def check_both(key: str) -> None:
        if both.hexdigests()[0] != key:
            raise RuntimeError(f"fixity failure: {key}")

    return both.update, check_both


_TASKS: dict[str, Callable[[str, list[tuple[str, str]], str, str], int]] = {
    "write": write_blobs,
    "read": read_blobs,
}


def _worker(
    task: str,
    root: str,
    items: list[tuple[str, str]],
    mode: str,
    buffer_name: str,
    barrier: Barrier,
    results: Any,
) -> None:
    barrier.wait()
    results.put(_TASKS[task](root, items, mode, buffer_name))


def timed(
    task: str,
    root: Path,
    items: Sequence[tuple[str, Path]],
    workers: int,
    mode: str = "",
    buffer_name: str = "",
) -> float:
    """MB/s of ``task`` over ``items`` shared among ``workers`` processes, timed from the
    moment every worker is ready until the last one reports."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers + 1)
    results = context.Queue()
    shares = [[(key, str(path)) for key, path in items[n::workers]] for n in range(workers)]
    processes = [
        context.Process(
            target=_worker, args=(task, str(root), share, mode, buffer_name, barrier, results)
        )
        for share in shares
    ]
    for process in processes:
        process.start()
    barrier.wait()
    with Stopwatch() as watch:
        total = sum(int(results.get()) for _ in processes)
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"worker failed with exit code {process.exitcode}")
    return round(total / watch.seconds / 1e6, 1)


def in_memory_hash_rates() -> dict[str, float]:
    block = memoryview(random.Random(SEED).randbytes(1024 * 1024))
    rates = {}
    for mode in MODES[1:]:
        update, _ = _hasher(mode)
        with Stopwatch() as watch:
            for _ in range(200):
                update(block)
        rates[mode] = round(200 * len(block) / watch.seconds / 1e6, 1)
    return rates


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} x{os.cpu_count()}"
    except OSError:
        pass
    return f"x{os.cpu_count()}"


# --- main -----------------------------------------------------------------------------------


def measure_writes(
    base: Path, staged: Sequence[tuple[str, Path]], worker_counts: Sequence[int], repeat: int
) -> tuple[dict[str, float], Path]:
    """Median write MB/s per worker count, each pass into a fresh store; keeps the last."""
    rates: dict[str, float] = {}
    kept = base / "store"
    for workers in worker_counts:
        passes = []
        for _ in range(repeat):
            shutil.rmtree(kept, ignore_errors=True)
            passes.append(timed("write", kept, staged, workers))
        print("write", workers, passes, file=sys.stderr, flush=True)
        rates[str(workers)] = round(float(statistics.median(passes)), 1)
    return rates, kept


def measure_reads(
    root: Path,
    blobs: Sequence[tuple[str, Path]],
    caches: Sequence[str],
    buffers: Sequence[str],
    worker_counts: Sequence[int],
    repeat: int,
) -> dict[str, Any]:
    """Median read MB/s by cache state, buffer, mode and worker count."""
    reads: dict[str, Any] = {cache: {} for cache in caches}
    cells = [
        (cache, buffer, mode, workers)
        for cache in caches
        for buffer in buffers
        for mode in MODES
        for workers in worker_counts
    ]
    for cache, buffer, mode, workers in cells:
        by_mode = reads[cache].setdefault(buffer, {})
        if buffer == "mmap" and mode == "read":
            by_mode.setdefault(mode, {})[str(workers)] = None  # nothing to do with the pages
            continue
        passes = []
        for _ in range(repeat):
            if cache == "cold":
                drop_cached_pages([path for _, path in blobs])
            passes.append(timed("read", root, blobs, workers, mode, buffer))
        by_mode.setdefault(mode, {})[str(workers)] = round(float(statistics.median(passes)), 1)
        print(cache, buffer, mode, workers, passes, file=sys.stderr, flush=True)
    return reads


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    arguments.add_argument("--files", type=int, default=2000)
    arguments.add_argument("--size-kb", type=int, default=1000)
    arguments.add_argument("--workers", default="1,2")
    # The sweep of every buffer kind takes about 20 minutes; the default about 8.
    arguments.add_argument("--buffers", default="1m,1m+willneed", help=",".join(BUFFERS))
    arguments.add_argument("--repeat", type=int, default=3)
    arguments.add_argument("--dir", type=Path, default=None, help="scratch parent directory")
    arguments.add_argument("--no-cold", action="store_true", help="page-cache reads only")
    options = arguments.parse_args()
    worker_counts = [int(n) for n in options.workers.split(",")]
    caches = ("warm",) if options.no_cold else ("warm", "cold")

    with tempfile.TemporaryDirectory(prefix="retirelink-bench-", dir=options.dir) as scratch:
        base = Path(scratch)
        staging = base / "staging"
        staging.mkdir()
        staged = stage_files(staging, options.files, options.size_kb * 1000)
        total_bytes = sum(path.stat().st_size for _, path in staged)
        write, store_root = measure_writes(base, staged, worker_counts, options.repeat)
        store = LocalBlobStore(store_root)
        blobs = [(key, store.local_path(key)) for key, _ in staged]
        shutil.rmtree(staging)
        found = [(key, path) for key, path in blobs if path is not None]
        assert len(found) == len(staged), "blobs missing after the writes"
        reads = measure_reads(
            store_root, found, caches, options.buffers.split(","), worker_counts, options.repeat
        )

    fixity = [
        rate
        for cache in reads.values()
        for by_mode in cache.values()
        for rate in by_mode["sha256+sm3"].values()
        if rate is not None
    ]
    emit(
        {
            "benchmark": "blobstore",
            "python": sys.version.split()[0],
            "cpu": _cpu_model(),
            "files": options.files,
            "total_mb": round(total_bytes / 1e6, 1),
            "repeat": options.repeat,
            "write_mb_s": write,
            "read_mb_s": reads,
            "in_memory_hash_mb_s": in_memory_hash_rates(),
            "fixity_budget_mb_s": FIXITY_BUDGET_MB_S,
            "fixity_best_mb_s": max(fixity) if fixity else None,
            "note": "warm = page cache; cold = POSIX_FADV_DONTNEED per file (host may cache)",
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
