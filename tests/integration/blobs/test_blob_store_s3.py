"""The S3 blob store against a real S3-protocol server on loopback: checksums on the wire,
prefixes, and a server that goes away (UnavailableError in 中文, quickly, never a hang)."""

import base64
import hashlib
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from retirelink.bootstrap import build_blob_store
from retirelink.config import Settings
from retirelink.errors import UnavailableError
from retirelink.storage import blobs_s3
from retirelink.storage.blobs_local import LocalBlobStore
from retirelink.storage.blobs_s3 import S3BlobStore
from tests.support.s3_server import ACCESS_KEY, SECRET_KEY, S3Server, s3_server

pytestmark = pytest.mark.integration

DATA = b"II*\x00 TIFF page " * 500
KEY = hashlib.sha256(DATA).hexdigest()
MIB = 1024 * 1024


@pytest.fixture
def bucket(s3: S3Server) -> str:
    return s3.new_bucket()


@pytest.fixture
def store(s3: S3Server, bucket: str) -> Iterator[S3BlobStore]:
    store = s3.store(bucket, prefix="archives/blobs")
    yield store
    store.close()


class Wire:
    """The headers of every request a store sends, and optionally a canned answer."""

    def __init__(self, store: S3BlobStore) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.answer: Callable[[Any], AWSResponse | None] = lambda request: None
        store.client.meta.events.register("before-send.s3", self._before_send)

    def _before_send(self, request: Any, **_: Any) -> AWSResponse | None:
        headers = {name.lower(): _text(value) for name, value in request.headers.items()}
        self.requests.append((request.method, headers))
        return self.answer(request)

    def puts(self) -> list[dict[str, str]]:
        return [headers for method, headers in self.requests if method == "PUT"]


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def refuse_checksum_headers(request: Any) -> AWSResponse | None:
    """An older server: 501 NotImplemented for any x-amz-checksum-* header."""
    if not any(name.lower().startswith("x-amz-checksum") for name in request.headers):
        return None
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code>'
        b"<Message>A header you provided implies functionality that is not implemented"
        b"</Message></Error>"
    )
    return AWSResponse(request.url, 501, {"Content-Type": "application/xml"}, _Raw(body))


def test_objects_are_named_prefix_fan_out_key(s3: S3Server, store: S3BlobStore, bucket: str):
    store.put_bytes(KEY, DATA)
    admin = s3.admin_client()
    listed = admin.list_objects_v2(Bucket=bucket)["Contents"]
    admin.close()
    assert [item["Key"] for item in listed] == [f"archives/blobs/{KEY[:2]}/{KEY[2:4]}/{KEY}"]
    assert store.describe() == f"s3://{bucket}/archives/blobs"
    assert store.local_path(KEY) is None


def test_uploads_carry_the_sha256_of_the_key_for_the_server_to_check(store: S3BlobStore):
    wire = Wire(store)
    store.put_bytes(KEY, DATA)
    [put] = wire.puts()
    assert put["x-amz-checksum-sha256"] == base64.b64encode(bytes.fromhex(KEY)).decode()
    assert "content-md5" not in put
    # No aws-chunked trailers: older MinIO / Ceph RGW store those verbatim.
    assert "aws-chunked" not in put.get("content-encoding", "")


def test_in_auto_mode_a_server_refusing_sha256_checksums_gets_content_md5_from_then_on(
    store: S3BlobStore, tmp_path: Path
) -> None:
    wire = Wire(store)
    wire.answer = refuse_checksum_headers
    store.put_bytes(KEY, DATA)
    assert store.read_bytes(KEY) == DATA
    other = b"second page" * 100
    source = tmp_path / "p2.tif"
    source.write_bytes(other)
    store.put_file(hashlib.sha256(other).hexdigest(), source)

    first, second, third = wire.puts()
    assert "x-amz-checksum-sha256" in first
    assert second["content-md5"] == base64.b64encode(hashlib.md5(DATA).digest()).decode()
    assert "x-amz-checksum-sha256" not in second
    assert third["content-md5"] == base64.b64encode(hashlib.md5(other).digest()).decode()


def test_in_sha256_mode_a_refusal_is_an_error_not_a_fallback(s3: S3Server, bucket: str):
    store = s3.store(bucket, checksum="sha256")
    Wire(store).answer = refuse_checksum_headers
    with pytest.raises(UnavailableError, match="对象存储不可用：服务端返回 501 NotImplemented"):
        store.put_bytes(KEY, DATA)
    assert not store.exists(KEY)
    store.close()


def test_in_md5_mode_uploads_carry_content_md5(s3: S3Server, bucket: str, tmp_path: Path):
    store = s3.store(bucket, checksum="md5")
    wire = Wire(store)
    source = tmp_path / "page.tif"
    source.write_bytes(DATA)
    store.put_file(KEY, source)
    [put] = wire.puts()
    assert put["content-md5"] == base64.b64encode(hashlib.md5(DATA).digest()).decode()
    assert store.read_bytes(KEY) == DATA
    store.close()


def test_a_large_file_goes_in_parts_each_with_its_sha256(store: S3BlobStore, tmp_path: Path):
    data = bytes(range(256)) * (9 * 1024 * 1024 // 256)  # 9 MiB: two parts
    source = tmp_path / "big.tif"
    source.write_bytes(data)
    wire = Wire(store)
    store.put_file(hashlib.sha256(data).hexdigest(), source)
    parts = [headers for headers in wire.puts() if "x-amz-checksum-sha256" in headers]
    assert len(parts) == 2
    assert store.read_bytes(hashlib.sha256(data).hexdigest()) == data


def test_a_multipart_object_stored_at_the_wrong_size_is_removed_and_reported(
    s3: S3Server, store: S3BlobStore, bucket: str, tmp_path: Path
) -> None:
    """As a server that kept the aws-chunked framing of the parts as data would look."""
    data = bytes(range(256)) * (9 * 1024 * 1024 // 256)
    source = tmp_path / "big.tif"
    source.write_bytes(data)

    def wrong_length(parsed: dict[str, Any], **_: Any) -> None:
        if "ContentLength" in parsed:
            parsed["ContentLength"] += 9 * 17

    store.client.meta.events.register("after-call.s3.HeadObject", wrong_length)
    with pytest.raises(UnavailableError, match="上传后对象为 9437337 字节，应为 9437184 字节"):
        store.put_file(hashlib.sha256(data).hexdigest(), source)
    admin = s3.admin_client()
    assert admin.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    admin.close()


def test_prefixes_in_one_bucket_do_not_see_each_other(s3: S3Server, bucket: str) -> None:
    first, second = s3.store(bucket, prefix="node-a"), s3.store(bucket, prefix="/node-b/")
    first.put_bytes(KEY, DATA)
    admin = s3.admin_client()
    admin.put_object(Bucket=bucket, Key="node-b/README.txt", Body=b"not a blob")
    admin.put_object(Bucket=bucket, Key=f"node-b/{KEY}", Body=DATA)  # not in the fan-out
    admin.close()
    assert list(first.keys()) == [KEY]
    assert list(second.keys()) == []
    assert not second.exists(KEY)
    assert second.describe() == f"s3://{bucket}/node-b"
    first.close()
    second.close()


def test_keys_pages_through_the_listing(
    s3: S3Server, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blobs_s3, "LIST_PAGE_SIZE", 10)  # 1,000 in production
    store = s3.store(bucket, prefix="")
    blobs = [str(n).encode() for n in range(25)]
    for data in blobs:
        store.put_bytes(hashlib.sha256(data).hexdigest(), data)
    wire = Wire(store)
    assert sorted(store.keys()) == sorted(hashlib.sha256(data).hexdigest() for data in blobs)
    assert len(wire.requests) == 3  # three ListObjectsV2 pages
    assert store.describe() == f"s3://{bucket}"
    store.close()


def test_a_missing_bucket_is_unavailable_with_its_name(s3: S3Server) -> None:
    store = s3.store("no-such-bucket-here")
    with pytest.raises(UnavailableError, match="存储桶 no-such-bucket-here 不存在"):
        store.put_bytes(KEY, DATA)
    with pytest.raises(UnavailableError, match="不存在"):
        list(store.keys())
    store.close()


# --- the server goes away ----------------------------------------------------------------

UNAVAILABLE = "^对象存储不可用："


def operations(store: S3BlobStore, source: Path) -> dict[str, Callable[[], object]]:
    other = b"written while down"
    source.write_bytes(other)
    return {
        "exists": lambda: store.exists(KEY),
        "open": lambda: store.open(KEY),
        "read_bytes": lambda: store.read_bytes(KEY),
        "size": lambda: store.size(KEY),
        "put_bytes": lambda: store.put_bytes(hashlib.sha256(other).hexdigest(), other),
        "put_file": lambda: store.put_file(hashlib.sha256(other).hexdigest(), source),
        "keys": lambda: list(store.keys()),
        "delete": lambda: store.delete(KEY),
    }


@pytest.mark.parametrize("how", ["stopped", "closed"])
def test_a_server_that_goes_away_mid_test_is_unavailable_in_chinese_without_hanging(
    how: str, tmp_path: Path
) -> None:
    with s3_server() as server:
        store = server.store(
            server.new_bucket(), connect_timeout=0.5, read_timeout=0.5, max_attempts=2
        )
        store.put_bytes(KEY, DATA)
        assert store.read_bytes(KEY) == DATA
        # stopped: the port may still accept (kernel backlog) but nothing answers;
        # closed: connections are refused.
        server.stop() if how == "stopped" else server.close()
        expected = ("读取超时", "无法连接", "连接中断") if how == "stopped" else ("无法连接",)
        for name, call in operations(store, tmp_path / "page.tif").items():
            started = time.monotonic()
            with pytest.raises(UnavailableError, match=UNAVAILABLE) as excinfo:
                call()
            elapsed = time.monotonic() - started
            assert elapsed < 5, (name, elapsed)
            assert any(what in excinfo.value.message for what in expected), excinfo.value.message
            assert server.endpoint_url in excinfo.value.message
        store.close()


def test_a_read_that_stalls_mid_body_is_unavailable_not_a_hang() -> None:
    """A server that sends the headers and the first MiB of a 10 MB body, then nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]

    done = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\nContent-Type: image/tiff\r\n\r\n"
            + b"\x00" * MIB
        )
        done.wait(10)
        connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    store = S3BlobStore(
        f"http://127.0.0.1:{port}",
        "blobs",
        "",
        ACCESS_KEY,
        SECRET_KEY,
        "us-east-1",
        read_timeout=0.5,
        max_attempts=1,
    )
    stream = store.open(KEY)
    assert stream.read(MIB) == b"\x00" * MIB
    started = time.monotonic()
    with pytest.raises(UnavailableError, match=UNAVAILABLE + "读取超时"):
        stream.read(MIB)
    assert time.monotonic() - started < 3
    done.set()
    stream.close()
    store.close()
    thread.join()
    listener.close()


# --- wiring ---------------------------------------------------------------------------------


def test_bootstrap_builds_the_store_the_settings_name(s3: S3Server, bucket: str, tmp_path: Path):
    local = build_blob_store(Settings(data_dir=tmp_path))
    assert isinstance(local, LocalBlobStore)
    assert local.root == tmp_path / "blobs"

    settings = Settings(
        data_dir=tmp_path,
        blob_store="s3",
        s3_endpoint_url=s3.endpoint_url,
        s3_bucket=bucket,
        s3_prefix="prod/blobs",
        s3_access_key=ACCESS_KEY,
        s3_secret_key=SECRET_KEY,
    )
    remote = build_blob_store(settings)
    assert isinstance(remote, S3BlobStore)
    remote.put_bytes(KEY, DATA)
    assert remote.describe() == f"s3://{bucket}/prod/blobs"
    assert list(remote.keys()) == [KEY]
    remote.close()


def test_s3_configured_without_boto3_is_a_clear_chinese_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    monkeypatch.delitem(sys.modules, "retirelink.storage.blobs_s3")
    settings = Settings(data_dir=tmp_path, blob_store="s3", s3_bucket=f"b-{uuid.uuid4().hex}")
    with pytest.raises(UnavailableError, match=r"需要 boto3.*retirelink\[s3\]"):
        build_blob_store(settings)
