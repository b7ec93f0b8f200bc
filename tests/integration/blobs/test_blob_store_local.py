"""The local blob store: its layout, crash safety (a failed write leaves nothing under the
key), temporary leftovers, and stray files in the tree."""

import hashlib
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from retirelink.storage import blobs_local
from retirelink.storage.blobs_local import TEMP_PREFIX, LocalBlobStore

pytestmark = pytest.mark.integration

DATA = b"\xff\xd8\xff\xe0 JPEG page " * 1000
KEY = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_blobs_live_under_two_levels_of_fan_out(store: LocalBlobStore) -> None:
    store.put_bytes(KEY, DATA)
    assert files_under(store.root) == [f"{KEY[:2]}/{KEY[2:4]}/{KEY}"]
    assert store.local_path(KEY) == store.root / KEY[:2] / KEY[2:4] / KEY
    assert store.local_path(hashlib.sha256(b"other").hexdigest()) is None


def test_the_store_directory_is_created_on_the_first_write_only(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "not" / "yet")
    assert list(store.keys()) == []
    assert not store.exists(KEY)
    assert not (tmp_path / "not").exists()
    store.put_bytes(KEY, DATA)
    assert store.read_bytes(KEY) == DATA


def test_blob_files_are_readable_by_the_service_account_only(store: LocalBlobStore) -> None:
    store.put_bytes(KEY, DATA)
    path = store.local_path(KEY)
    assert path is not None
    assert path.stat().st_mode & 0o777 == 0o600


def test_open_returns_a_buffered_file(store: LocalBlobStore) -> None:
    store.put_bytes(KEY, DATA)
    with store.open(KEY) as stream:
        assert stream.read(4) == DATA[:4]
        assert stream.readable()
        assert hasattr(stream, "peek")  # io.BufferedReader


@pytest.mark.parametrize("failing", ["replace", "write"])
@pytest.mark.parametrize("how", ["put_bytes", "put_file"])
def test_a_write_that_fails_midway_leaves_no_blob_and_no_temporary_file(
    store: LocalBlobStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing: str,
    how: str,
) -> None:
    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    source = tmp_path / "page.jpg"
    source.write_bytes(DATA)
    monkeypatch.setattr(os, failing, crash)
    with pytest.raises(OSError, match="No space"):
        if how == "put_bytes":
            store.put_bytes(KEY, DATA)
        else:
            store.put_file(KEY, source)
    monkeypatch.undo()

    assert not store.exists(KEY)
    assert list(store.keys()) == []
    assert files_under(store.root) == []
    # And the next attempt succeeds.
    store.put_file(KEY, source)
    assert store.read_bytes(KEY) == DATA


def test_a_source_that_fails_while_being_read_leaves_nothing(
    store: LocalBlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = os.urandom(3 * 1024 * 1024)
    source = tmp_path / "big.tif"
    source.write_bytes(big)
    writes = []
    real_write = blobs_local._write_all

    def write_then_fail(fd: int, data: memoryview) -> None:
        writes.append(len(data))
        if len(writes) == 2:
            raise OSError(5, "Input/output error")
        real_write(fd, data)

    monkeypatch.setattr(blobs_local, "_write_all", write_then_fail)
    with pytest.raises(OSError, match="Input/output"):
        store.put_file(hashlib.sha256(big).hexdigest(), source)
    assert files_under(store.root) == []


def test_temporary_leftovers_of_a_killed_write_are_not_keys_and_are_cleaned_when_old(
    store: LocalBlobStore,
) -> None:
    store.put_bytes(KEY, DATA)
    directory = store.root / KEY[:2] / KEY[2:4]
    old = directory / f"{TEMP_PREFIX}killed-yesterday"
    old.write_bytes(DATA[:100])
    day_ago = time.time() - 86400
    os.utime(old, (day_ago, day_ago))
    young = directory / f"{TEMP_PREFIX}being-written"
    young.write_bytes(DATA[:100])

    assert list(store.keys()) == [KEY]
    assert store.clean_temporary(older_than=timedelta(hours=1)) == 1
    assert not old.exists()
    assert young.exists()
    assert store.clean_temporary(older_than=timedelta(0)) == 1
    assert files_under(store.root) == [f"{KEY[:2]}/{KEY[2:4]}/{KEY}"]


def test_stray_and_misplaced_files_are_not_listed_as_keys(store: LocalBlobStore) -> None:
    store.put_bytes(KEY, DATA)
    other = hashlib.sha256(b"misplaced").hexdigest()
    (store.root / "README").write_text("not a blob")
    (store.root / "zz").mkdir()
    (store.root / "zz" / other).write_bytes(b"misplaced")
    wrong_branch = store.root / KEY[:2] / KEY[2:4] / other  # right name, wrong directory
    wrong_branch.write_bytes(b"misplaced")
    (store.root / KEY[:2] / KEY[2:4] / (KEY.upper())).write_bytes(DATA)
    (store.root / KEY[:2] / "notes.txt").write_text("x")
    assert list(store.keys()) == [KEY]


def test_keys_across_many_directories(store: LocalBlobStore) -> None:
    blobs = [str(n).encode() for n in range(300)]
    for data in blobs:
        store.put_bytes(hashlib.sha256(data).hexdigest(), data)
    assert sorted(store.keys()) == sorted(hashlib.sha256(data).hexdigest() for data in blobs)


def test_a_blob_cut_short_by_a_crash_is_written_again(
    store: LocalBlobStore, tmp_path: Path
) -> None:
    # Blobs are made durable per batch (sync before the batch commits): one written but never
    # referenced may be cut short by a power cut; the next put of the key must repair it.
    store.put_bytes(KEY, DATA)
    path = store.local_path(KEY)
    assert path is not None
    path.write_bytes(DATA[: len(DATA) // 2])
    source = tmp_path / "page.jpg"
    source.write_bytes(DATA)
    store.put_file(KEY, source)
    assert store.read_bytes(KEY) == DATA
    path.write_bytes(b"")
    store.put_bytes(KEY, DATA)
    assert store.read_bytes(KEY) == DATA
    store.sync()
