"""Shared benchmark helpers: scratch databases, settings, a live server, timing and output.

Every benchmark runs against a database it creates itself (a SQLite file in a temporary
directory, or a fresh PostgreSQL database ``rl_bench_<random>`` dropped afterwards) and
prints one JSON line per backend.
"""

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import create_engine, make_url, text

from retirelink.config import Settings

BACKENDS = ("sqlite", "postgresql")
# The PostgreSQL server to create scratch databases on (its maintenance database).
POSTGRES_ADMIN_URL = os.environ.get(
    "RETIRELINK_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BENCH_SECRET = "benchmark-secret-key-not-for-production-0123456789"


@dataclass(frozen=True)
class Scratch:
    """A throw-away database plus a data directory for one benchmark run."""

    backend: str
    url: str
    data_dir: Path

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "env": "test",
            "database_url": self.url,
            "data_dir": self.data_dir,
            "secret_key": SecretStr(BENCH_SECRET),
        }
        values.update(overrides)
        return Settings(**values)

    def server_env(self) -> dict[str, str]:
        """Environment for a `retirelink serve` subprocess on this database."""
        return {
            "RETIRELINK_ENV": "test",
            "RETIRELINK_DATABASE_URL": self.url,
            "RETIRELINK_DATA_DIR": str(self.data_dir),
            "RETIRELINK_SECRET_KEY": BENCH_SECRET,
        }


def parser(doc: str | None) -> argparse.ArgumentParser:
    """An argument parser with the common ``--backend sqlite|postgresql|both`` flag."""
    result = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    result.add_argument("--backend", choices=(*BACKENDS, "both"), default="both")
    return result


def selected_backends(choice: str) -> tuple[str, ...]:
    return BACKENDS if choice == "both" else (choice,)


@contextmanager
def scratch(backend: str) -> Iterator[Scratch]:
    """A temporary directory and an empty (not yet migrated) database, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="retirelink-bench-") as directory:
        data_dir = Path(directory)
        if backend == "sqlite":
            yield Scratch(backend, f"sqlite:///{data_dir / 'retirelink.db'}", data_dir)
        else:
            with _scratch_postgres() as url:
                yield Scratch(backend, url, data_dir)


@contextmanager
def _scratch_postgres() -> Iterator[str]:
    admin_url = make_url(POSTGRES_ADMIN_URL)
    name = f"rl_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def database_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                return "SQLite " + str(conn.execute(text("SELECT sqlite_version()")).scalar())
            return f"PostgreSQL {conn.execute(text('SHOW server_version')).scalar()}"
    finally:
        engine.dispose()


# --- timing -------------------------------------------------------------------------------


class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.seconds``."""

    seconds: float = 0.0

    def __enter__(self) -> "Stopwatch":
        self._start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self._start


def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile (``p`` in 0..100), as numpy's default method.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    >>> percentile([5.0], 95)
    5.0
    """
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_ms(seconds: Sequence[float]) -> dict[str, float | int]:
    """p50/p95/p99/max of durations given in seconds, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 2),
        "p95": round(percentile(ms, 95), 2),
        "p99": round(percentile(ms, 99), 2),
        "max": round(max(ms), 2),
    }


def emit(result: dict[str, Any]) -> None:
    """Print one result as a single JSON line (Chinese kept readable)."""
    print(json.dumps(result, ensure_ascii=False), flush=True)


# --- a real `retirelink serve` subprocess ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    env: dict[str, str], *, timeout: float = 30.0, workers: int = 1
) -> Iterator[str]:
    """``python -m retirelink serve --no-upgrade`` on a free loopback port; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "retirelink", "serve", "--port", str(port), "--no-upgrade"]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process, timeout)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"server exited early:\n{output}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become healthy in time")
