"""The ``BlobStore`` contract, run against both adapters: the local directory tree and the
S3 adapter talking HTTP to a real S3-protocol server on loopback."""

import hashlib
import os
import pickle
import tracemalloc
from pathlib import Path

import pytest

from retirelink.archives.ports import BlobMissingError
from tests.integration.blobs.conftest import Harness

pytestmark = pytest.mark.integration

PAGE = b"%PDF-1.7 \xe6\xa1\xa3\xe6\xa1\x88 page one" * 100
OTHER = b"\x89PNG\r\n\x1a\n thumbnail" * 50
MIB = 1024 * 1024


def key_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_bytes_put_are_read_back_whole_and_as_a_stream(harness: Harness) -> None:
    store, key = harness.store, key_of(PAGE)
    assert not store.exists(key)
    store.put_bytes(key, PAGE)
    assert store.exists(key)
    assert store.read_bytes(key) == PAGE
    assert store.size(key) == len(PAGE)
    with store.open(key) as stream:
        assert stream.read(10) == PAGE[:10]
        assert stream.read() == PAGE[10:]


def test_a_file_put_is_copied_and_survives_the_source_being_deleted(
    harness: Harness, tmp_path: Path
) -> None:
    source = tmp_path / "scan-0001.tif"
    source.write_bytes(OTHER)
    harness.store.put_file(key_of(OTHER), source)
    source.unlink()
    assert harness.store.read_bytes(key_of(OTHER)) == OTHER


def test_a_second_put_of_the_same_key_stores_nothing(harness: Harness, tmp_path: Path) -> None:
    store, key = harness.store, key_of(PAGE)
    store.put_bytes(key, PAGE)
    before, writes = harness.fingerprint(key), harness.writes()
    source = tmp_path / "again.pdf"
    source.write_bytes(PAGE)
    store.put_bytes(key, PAGE)
    store.put_file(key, source)
    assert harness.writes() == writes
    assert harness.fingerprint(key) == before


def test_content_that_does_not_hash_to_its_key_is_refused_and_not_stored(
    harness: Harness, tmp_path: Path
) -> None:
    store, wrong_key = harness.store, key_of(OTHER)
    with pytest.raises(ValueError, match="不符"):
        store.put_bytes(wrong_key, PAGE)
    source = tmp_path / "page.pdf"
    source.write_bytes(PAGE)
    with pytest.raises(ValueError, match="不符"):
        store.put_file(wrong_key, source)
    assert not store.exists(wrong_key)
    assert list(store.keys()) == []


def test_a_missing_key_raises_blob_missing_with_the_key(harness: Harness) -> None:
    store, key = harness.store, key_of(b"never stored")
    assert not store.exists(key)
    for read in (store.open, store.read_bytes, store.size):
        with pytest.raises(BlobMissingError) as excinfo:
            read(key)
        assert excinfo.value.key == key
        assert "对象存储中缺少文件" in str(excinfo.value)


@pytest.mark.parametrize(
    "bad_key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "AB" * 32,  # upper case
        "ab" * 31,  # 62 characters
        "ab" * 33,
        "",
        "ab/cd/" + "ab" * 29,
        "ab" * 31 + "\n",
        "gg" * 32,
    ],
)
def test_a_malformed_key_is_refused_before_anything_is_touched(
    harness: Harness, bad_key: str, tmp_path: Path
) -> None:
    store = harness.store
    source = tmp_path / "x"
    source.write_bytes(b"x")
    calls = [
        lambda: store.put_bytes(bad_key, b"x"),
        lambda: store.put_file(bad_key, source),
        lambda: store.exists(bad_key),
        lambda: store.open(bad_key),
        lambda: store.read_bytes(bad_key),
        lambda: store.size(bad_key),
        lambda: store.delete(bad_key),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="SHA-256"):
            call()
    assert harness.writes() == 0


def test_keys_lists_exactly_what_was_put_and_not_what_was_deleted(harness: Harness) -> None:
    store = harness.store
    blobs = [f"page {n}".encode() * (n + 1) for n in range(25)]
    for data in blobs:
        store.put_bytes(key_of(data), data)
    assert sorted(store.keys()) == sorted(key_of(data) for data in blobs)
    store.delete(key_of(blobs[0]))
    store.delete(key_of(blobs[0]))  # missing keys are ignored
    store.delete(key_of(b"never stored"))
    assert not store.exists(key_of(blobs[0]))
    assert sorted(store.keys()) == sorted(key_of(data) for data in blobs[1:])


def test_an_empty_store_lists_no_keys(harness: Harness) -> None:
    assert list(harness.store.keys()) == []


def test_describe_says_where_the_store_is(harness: Harness) -> None:
    where = harness.store.describe()
    assert where.startswith("s3://") if harness.kind == "s3" else where.endswith("blobs")


def test_a_20_mb_file_goes_in_and_comes_back_in_pieces(harness: Harness, tmp_path: Path) -> None:
    size = 20 * 1000 * 1000
    source = tmp_path / "large.tif"
    with source.open("wb") as out:
        for _ in range(20):
            out.write(os.urandom(size // 20))
    sha256 = hashlib.sha256()
    with source.open("rb") as stream:
        while chunk := stream.read(MIB):
            sha256.update(chunk)
    key = sha256.hexdigest()

    tracemalloc.start()
    try:
        harness.store.put_file(key, source)
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        read_back = hashlib.sha256()
        with harness.store.open(key) as stream:
            while chunk := stream.read(MIB):
                assert len(chunk) <= MIB
                read_back.update(chunk)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert read_back.hexdigest() == key
    assert harness.store.size(key) == size
    if harness.kind == "local":
        # Neither direction holds the file: 1 MiB copy buffer, 256 KiB read buffer.
        assert put_peak < 4 * MIB, put_peak
        assert read_peak < 4 * MIB, read_peak
    else:
        # The S3 server runs in this process, so its memory would count: look at the
        # requests instead. 20 MB in 8 MiB parts is a multipart upload of three parts.
        calls = harness.extra["counter"].calls
        assert calls["CreateMultipartUpload"] == 1
        assert calls["UploadPart"] == 3
        assert calls["PutObject"] == 0


def test_a_store_can_be_sent_to_a_worker_process(harness: Harness) -> None:
    """The fixity check reads in worker processes, each through a pickled copy of the store."""
    harness.store.put_bytes(key_of(PAGE), PAGE)
    copy = pickle.loads(pickle.dumps(harness.store))
    try:
        assert copy.read_bytes(key_of(PAGE)) == PAGE
        assert copy.describe() == harness.store.describe()
    finally:
        getattr(copy, "close", lambda: None)()
