"""A background thread that runs one step of work every few seconds, on one process per host.

The web server starts such workers (the exchange pass, OCR of scanned pages). With several web
worker processes only the process holding the worker's lock file runs it: two pollers would
only race for the same work. A failing step is logged and the loop goes on.
"""

import fcntl
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

log = logging.getLogger(__name__)


class PeriodicWorker:
    """Runs ``step`` every ``interval_seconds`` (sooner when ``step`` returns True: more work
    is waiting) in a daemon thread until ``stop``."""

    def __init__(self, name: str, lock_path: Path, step: Callable[[], bool]) -> None:
        self._name = name
        self._lock_path = lock_path
        self._step = step
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_file: TextIO | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, interval_seconds: float) -> None:
        if self._thread is not None or not self._take_lock():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(interval_seconds,), name=self._name, daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Run the next step now instead of at the end of the interval (new work arrived)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if self._lock_file is not None:
            self._lock_file.close()  # closing releases the lock
            self._lock_file = None

    def _take_lock(self) -> bool:
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = self._lock_path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock_file = handle
        return True

    def _loop(self, interval_seconds: float) -> None:
        while not self._stop.is_set():
            more = False
            try:
                more = self._step()
            except Exception:  # the worker must outlive any one bad step
                log.exception("%s step failed", self._name)
            if not more:
                self._wake.wait(interval_seconds)
            self._wake.clear()
