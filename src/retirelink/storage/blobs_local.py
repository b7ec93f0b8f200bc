"""The default blob store: a directory tree on the local filesystem.

Layout ``<root>/ab/cd/<sha256>``. A blob is written to a temporary file (``.tmp-…``) in its
final directory, then renamed over its key with ``os.replace``: a reader sees the whole blob
or none of it. Durability is per batch, not per file: ``sync`` (one ``sync(2)``) runs before
the transaction that refers to the blobs commits, so every blob the database names is on
disk — an fsync per file and per directory cost 5 ms each, 300 s for a 10,000-page batch.
A blob written but never referenced may be cut short by a crash; ``put_*`` therefore rewrites
a key whose file has the wrong size, and fixity names any other damage. Temporary files left
by a crash are never listed as keys and are removed by ``clean_temporary``.
"""

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from retirelink.archives.ports import BlobMissingError
from retirelink.storage.blob_keys import CHUNK_SIZE, check_content, check_key, fan_out, is_key

TEMP_PREFIX = ".tmp-"
_FAN_OUT_NAME = re.compile(r"[0-9a-f]{2}")
# Readers get a buffered file; 256 KiB keeps small reads cheap without holding much memory.
READ_BUFFER = 256 * 1024


class LocalBlobStore:
    """A ``BlobStore`` over the directory ``root`` (created on the first write)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # --- writing ------------------------------------------------------------------------

    def put_file(self, key: str, path: Path) -> None:
        """Copy ``path`` into the store (never a hard link: the source may be deleted after)."""
        final = self._path(key)
        if _has_size(final, Path(path).stat().st_size):
            return
        sha256 = hashlib.sha256()
        buffer = bytearray(CHUNK_SIZE)
        view = memoryview(buffer)

        def copy(fd: int) -> None:
            with Path(path).open("rb", buffering=0) as source:
                while count := source.readinto(buffer):
                    sha256.update(view[:count])
                    _write_all(fd, view[:count])
            check_content(key, sha256.hexdigest())

        self._write_atomically(final, copy)

    def put_bytes(self, key: str, data: bytes) -> None:
        final = self._path(key)
        if _has_size(final, len(data)):
            return
        check_content(key, hashlib.sha256(data).hexdigest())
        self._write_atomically(final, lambda fd: _write_all(fd, memoryview(data)))

    def _write_atomically(self, final: Path, write: Callable[[int], None]) -> None:
        directory = final.parent
        self._make_directory(directory)
        fd, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
        try:
            try:
                write(fd)
            finally:
                os.close(fd)
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _make_directory(self, directory: Path) -> None:
        """Create ``root/ab/cd`` as needed (made durable by the next ``sync``)."""
        if not directory.is_dir():
            directory.mkdir(parents=True, exist_ok=True)

    def sync(self) -> None:
        """Make every blob written so far durable: one ``sync(2)`` for the whole batch."""
        os.sync()

    # --- reading ------------------------------------------------------------------------

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb", buffering=READ_BUFFER)
        except FileNotFoundError:
            raise BlobMissingError(key) from None

    def read_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise BlobMissingError(key) from None

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise BlobMissingError(key) from None

    def local_path(self, key: str) -> Path | None:
        """The blob's file, for readers that want their own buffers (the fixity check reads
        in large blocks); ``None`` when it is not stored."""
        path = self._path(key)
        return path if path.is_file() else None

    def keys(self) -> Iterator[str]:
        """Every stored key, found by walking the two fan-out levels; temporary files,
        stray names and misplaced files are skipped."""
        for first in _subdirectories(self.root):
            for second in _subdirectories(first):
                prefix = first.name + second.name
                with os.scandir(second) as entries:
                    for entry in entries:
                        name = entry.name
                        if is_key(name) and name.startswith(prefix) and entry.is_file():
                            yield name

    # --- maintenance --------------------------------------------------------------------

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)

    def clean_temporary(self, older_than: timedelta) -> int:
        """Remove temporary files (a crashed or killed write) older than ``older_than``;
        returns how many. Younger ones may belong to a write in progress and are kept."""
        cutoff = time.time() - older_than.total_seconds()
        removed = 0
        for first in _subdirectories(self.root):
            for second in _subdirectories(first):
                with os.scandir(second) as entries:
                    stale = [
                        Path(entry.path)
                        for entry in entries
                        if entry.name.startswith(TEMP_PREFIX)
                        and entry.stat(follow_symlinks=False).st_mtime < cutoff
                    ]
                for path in stale:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def describe(self) -> str:
        return str(self.root.resolve())

    def _path(self, key: str) -> Path:
        return self.root / fan_out(check_key(key))


def _has_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except FileNotFoundError:
        return False


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _subdirectories(directory: Path) -> Iterator[Path]:
    """The two-hex-character subdirectories of ``directory`` (none if it does not exist)."""
    try:
        with os.scandir(directory) as scan:
            entries = [entry.path for entry in scan if _FAN_OUT_NAME.fullmatch(entry.name)]
    except FileNotFoundError:
        return
    yield from (Path(path) for path in entries if os.path.isdir(path))
