"""Blob store fixtures: one S3-protocol server for the session, and the same contract run
against both adapters (``harness``, parametrised local / s3)."""

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from retirelink.archives.ports import BlobStore
from retirelink.storage.blobs_local import LocalBlobStore
from tests.support.s3_server import RequestCounter, S3Server, s3_server


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """moto's S3 server on a free loopback port, for the whole session."""
    with s3_server() as server:
        yield server


@pytest.fixture(scope="session")
def s3_bucket(s3: S3Server) -> str:
    return s3.new_bucket()


@dataclass
class Harness:
    """A store under test plus the adapter-specific ways to see what it did."""

    kind: str
    store: BlobStore
    # How many objects the store has written so far (files created / write requests sent).
    writes: Callable[[], int]
    # Something that changes whenever the stored object under a key is rewritten.
    fingerprint: Callable[[str], Any]
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(params=["local", "s3"])
def harness(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Harness]:
    if request.param == "local":
        yield _local_harness(tmp_path / "blobs", monkeypatch)
        return
    server: S3Server = request.getfixturevalue("s3")
    bucket: str = request.getfixturevalue("s3_bucket")
    store = server.store(bucket, prefix=f"t-{uuid.uuid4().hex[:12]}/blobs")
    counter = RequestCounter(store)

    def etag(key: str) -> Any:
        head = store.client.head_object(Bucket=bucket, Key=store._name(key))
        return head["ETag"], head["LastModified"]

    try:
        yield Harness("s3", store, counter.writes, etag, {"counter": counter})
    finally:
        store.close()


def _local_harness(root: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    store = LocalBlobStore(root)
    created = [0]
    real_mkstemp = tempfile.mkstemp

    def counting_mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        created[0] += 1
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", counting_mkstemp)

    def inode(key: str) -> Any:
        path = store.local_path(key)
        assert path is not None
        stat = os.stat(path)
        return stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns

    return Harness("local", store, lambda: created[0], inode)
