"""The production blob store: an S3-compatible object store (MinIO, Ceph RGW) through boto3.

Objects are named ``<prefix>/ab/cd/<sha256>``. A put first asks (HEAD) whether the key is
there and stores nothing if it is; otherwise the bytes are hashed locally (nothing is stored
under a key its content does not match) and sent with their SHA-256 in
``x-amz-checksum-sha256`` so the server checks what arrived, or with ``Content-MD5`` for a
server that does not understand the SHA-256 checksum. Files from 8 MiB up go as a multipart
upload in 8 MiB parts (``upload_file``), never read whole into memory; ``open`` streams the
body. Every network failure, after botocore's standard retries and within short timeouts,
becomes ``UnavailableError`` with a 中文 message.

boto3 is an optional dependency (the ``s3`` extra): only ``bootstrap`` imports this module,
and only when ``RETIRELINK_BLOB_STORE=s3``.
"""

import base64
import hashlib
import io
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Literal

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    HTTPClientError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from retirelink.archives.ports import BlobMissingError
from retirelink.errors import UnavailableError
from retirelink.storage.blob_keys import (
    CHUNK_SIZE,
    check_content,
    check_key,
    fan_out,
    file_digests,
    is_key,
)

logger = logging.getLogger(__name__)

ChecksumMode = Literal["auto", "sha256", "md5"]

# Files from this size up are sent as a multipart upload in parts of this size.
MULTIPART_THRESHOLD = 8 * 1024 * 1024
MULTIPART_PART_SIZE = 8 * 1024 * 1024
# Keys per ListObjectsV2 page (the protocol's maximum).
LIST_PAGE_SIZE = 1000
# Answers meaning "no such object" to HEAD (no body, so only the status) and GET.
_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
# Answers of a server that does not understand x-amz-checksum-* (older MinIO / Ceph RGW).
_CHECKSUM_NOT_UNDERSTOOD = frozenset({"NotImplemented", "InvalidArgument", "InvalidRequest"})
_ACCESS_DENIED = frozenset(
    {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"}
)


class S3BlobStore:
    """A ``BlobStore`` in ``bucket`` under ``prefix``, on the server at ``endpoint_url``.

    The bucket must exist (it is created by whoever runs the object store, with a policy
    allowing GetObject, PutObject, DeleteObject and ListBucket on the prefix).
    ``checksum``: ``auto`` sends SHA-256 checksums and falls back to Content-MD5 for good
    on the first refusal; ``sha256`` or ``md5`` force one.
    """

    def __init__(
        self,
        endpoint_url: str | None,
        bucket: str,
        prefix: str,
        access_key: str | None,
        secret_key: str | None,
        region: str,
        *,
        checksum: ChecksumMode = "auto",
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 3,
    ) -> None:
        # Kept to rebuild the client in another process (see __getstate__).
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "bucket": bucket,
            "prefix": prefix,
            "access_key": access_key,
            "secret_key": secret_key,
            "region": region,
            "checksum": checksum,
            "connect_timeout": connect_timeout,
            "read_timeout": read_timeout,
            "max_attempts": max_attempts,
        }
        self._bucket = bucket
        self._prefix = prefix.strip("/")
        self._endpoint = endpoint_url
        self._checksum = checksum
        self._sha256_understood = checksum != "md5"
        config = Config(
            region_name=region,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": "standard", "max_attempts": max_attempts},
            # MinIO and Ceph RGW answer on one host name; virtual hosts would need wildcard DNS.
            s3={"addressing_style": "path"},
            # botocore (since 1.36) would otherwise add a CRC32 to every upload, sent over TLS
            # as an aws-chunked trailer that many S3-compatible servers refuse or store
            # verbatim; we send our own checksum header instead.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            tcp_keepalive=True,
        )
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=config,
        )
        self._transfer = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD,
            multipart_chunksize=MULTIPART_PART_SIZE,
            max_concurrency=2,
        )

    @property
    def client(self) -> Any:
        """The boto3 client (tests and benchmarks count its requests through its events)."""
        return self._client

    def close(self) -> None:
        self._client.close()

    def __getstate__(self) -> dict[str, Any]:
        """A boto3 client cannot be pickled: worker processes (the fixity check) get the
        settings and build their own."""
        return {"options": self._options, "sha256_understood": self._sha256_understood}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state["options"])  # type: ignore[misc]
        self._sha256_understood = state["sha256_understood"]

    # --- writing ------------------------------------------------------------------------

    def put_file(self, key: str, path: Path) -> None:
        if self.exists(key):
            return
        path = Path(path)
        size = path.stat().st_size
        sha256_hex, md5 = file_digests(path, md5=not self._sha256_understood)
        check_content(key, sha256_hex)

        def content_md5() -> bytes:
            return md5 if md5 is not None else _md5_of_file(path)

        if size < MULTIPART_THRESHOLD:

            def put_object(checksum: dict[str, str]) -> None:
                with path.open("rb") as body:
                    self._client.put_object(
                        Bucket=self._bucket, Key=self._name(key), Body=body, **checksum
                    )

            self._put(key, put_object, content_md5)
        else:

            def upload(checksum: dict[str, str]) -> None:
                # Parts carry their own SHA-256; s3transfer has no Content-MD5 for parts.
                extra = {"ChecksumAlgorithm": "SHA256"} if "ChecksumSHA256" in checksum else {}
                self._upload_file(path, key, extra)
                self._check_stored_size(key, size)

            self._put(key, upload, content_md5)

    def put_bytes(self, key: str, data: bytes) -> None:
        if self.exists(key):
            return
        check_content(key, hashlib.sha256(data).hexdigest())

        def put_object(checksum: dict[str, str]) -> None:
            self._client.put_object(Bucket=self._bucket, Key=self._name(key), Body=data, **checksum)

        self._put(key, put_object, lambda: hashlib.md5(data, usedforsecurity=False).digest())

    def _put(
        self,
        key: str,
        send: Callable[[dict[str, str]], None],
        content_md5: Callable[[], bytes],
    ) -> None:
        """``send`` with the SHA-256 checksum header, or with Content-MD5 for servers that
        do not understand it (learnt on the first refusal in ``auto`` mode)."""
        with self._errors():
            if self._sha256_understood:
                try:
                    send({"ChecksumSHA256": _b64(bytes.fromhex(key))})
                    return
                except ClientError as error:
                    if self._checksum != "auto" or _code(error) not in _CHECKSUM_NOT_UNDERSTOOD:
                        raise
                    logger.warning(
                        "对象存储 %s 不支持 SHA-256 校验和（%s），改用 Content-MD5",
                        self.describe(),
                        _code(error),
                    )
                    self._sha256_understood = False
            send({"ContentMD5": _b64(content_md5())})

    def _upload_file(self, path: Path, key: str, extra: dict[str, str]) -> None:
        try:
            self._client.upload_file(
                str(path), self._bucket, self._name(key), ExtraArgs=extra, Config=self._transfer
            )
        except S3UploadFailedError as error:
            # boto3 wraps the server's answer; the answer itself says what went wrong.
            if isinstance(error.__cause__, ClientError):
                raise error.__cause__ from None
            raise

    def _check_stored_size(self, key: str, size: int) -> None:
        """After a multipart upload, whose parts botocore checksums itself (over TLS as an
        aws-chunked trailer): a server that stored the chunk framing as data is caught here,
        and the object removed."""
        name = self._name(key)
        stored = int(self._client.head_object(Bucket=self._bucket, Key=name)["ContentLength"])
        if stored != size:
            self._client.delete_object(Bucket=self._bucket, Key=name)
            raise self._unavailable(f"上传后对象为 {stored} 字节，应为 {size} 字节，已删除")

    # --- reading ------------------------------------------------------------------------

    def exists(self, key: str) -> bool:
        name = self._name(key)
        with self._errors():
            try:
                self._client.head_object(Bucket=self._bucket, Key=name)
            except ClientError as error:
                if _code(error) in _MISSING:
                    return False
                raise
        return True

    def open(self, key: str) -> BinaryIO:
        name = self._name(key)
        with self._errors(missing=key):
            response = self._client.get_object(Bucket=self._bucket, Key=name)
        return io.BufferedReader(_BodyReader(response["Body"], self._errors), CHUNK_SIZE)

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()

    def size(self, key: str) -> int:
        name = self._name(key)
        with self._errors(missing=key):
            response = self._client.head_object(Bucket=self._bucket, Key=name)
        return int(response["ContentLength"])

    def local_path(self, key: str) -> Path | None:
        """Always ``None``: objects have no local file (the fixity check streams them)."""
        check_key(key)
        return None

    def keys(self) -> Iterator[str]:
        """Every key under the prefix, a page (1,000) at a time; other objects are skipped."""
        start = f"{self._prefix}/" if self._prefix else ""
        paginator = self._client.get_paginator("list_objects_v2")
        with self._errors():
            pages = paginator.paginate(
                Bucket=self._bucket, Prefix=start, PaginationConfig={"PageSize": LIST_PAGE_SIZE}
            )
            for page in pages:
                for item in page.get("Contents", ()):
                    relative = str(item["Key"])[len(start) :]
                    key = relative.rpartition("/")[2]
                    if is_key(key) and relative == fan_out(key):
                        yield key

    # --- maintenance --------------------------------------------------------------------

    def delete(self, key: str) -> None:
        name = self._name(key)
        with self._errors():
            self._client.delete_object(Bucket=self._bucket, Key=name)

    def sync(self) -> None:
        """Nothing to do: an object store has stored an object once it acknowledged the PUT."""

    def describe(self) -> str:
        return f"s3://{self._bucket}/{self._prefix}" if self._prefix else f"s3://{self._bucket}"

    def _name(self, key: str) -> str:
        located = fan_out(check_key(key))
        return f"{self._prefix}/{located}" if self._prefix else located

    @contextmanager
    def _errors(self, *, missing: str | None = None) -> Iterator[None]:
        """botocore's failures as the platform's: ``BlobMissingError`` for a missing
        ``missing`` key, ``UnavailableError`` (中文) for everything else."""
        try:
            yield
        except ClientError as error:
            if missing is not None and _code(error) in _MISSING:
                raise BlobMissingError(missing) from None
            raise self._unavailable(_client_failure(error, self._bucket)) from error
        except BotoCoreError as error:
            raise self._unavailable(_transport_failure(error)) from error

    def _unavailable(self, what: str) -> UnavailableError:
        where = self._endpoint or "AWS S3"
        return UnavailableError(f"对象存储不可用：{what}（{where}，{self.describe()}）")


class _BodyReader(io.RawIOBase):
    """An S3 response body as a raw stream, read as the caller reads, errors translated."""

    def __init__(self, body: Any, errors: Callable[[], AbstractContextManager[None]]) -> None:
        self._body = body
        self._errors = errors

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with self._errors():
            data = self._body.read(len(buffer))
        count = len(data)
        memoryview(buffer).cast("B")[:count] = data
        return count

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _client_failure(error: ClientError, bucket: str) -> str:
    code = _code(error)
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code == "NoSuchBucket":
        return f"存储桶 {bucket} 不存在"
    if code in _ACCESS_DENIED:
        return "访问被拒绝，请检查访问密钥与存储桶权限"
    return f"服务端返回 {status} {code}".rstrip()


def _transport_failure(error: BotoCoreError) -> str:
    if isinstance(error, ConnectTimeoutError):
        return "连接超时"
    if isinstance(error, ReadTimeoutError):
        return "读取超时"
    if isinstance(error, BotoConnectionError):
        return "无法连接"
    if isinstance(error, HTTPClientError):
        return "连接中断"
    if isinstance(error, NoCredentialsError):
        return "未配置访问密钥"
    return f"传输失败：{type(error).__name__}"


def _md5_of_file(path: Path) -> bytes:
    md5 = file_digests(path, md5=True)[1]
    assert md5 is not None
    return md5


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
