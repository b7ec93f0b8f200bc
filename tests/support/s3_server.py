"""A real S3-protocol HTTP server on loopback (moto's ``ThreadedMotoServer``) for the S3 blob
store tests, and stores pointed at it.

The server listens on a port the kernel picks; it keeps its buckets in memory, shared by every
server in the process, so each test names its own bucket or prefix. ``stop()`` stops serving
but leaves the port listening (connections are accepted by the kernel and never answered: the
client's read timeout ends them); ``close()`` also closes the port (connections refused).
"""

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from retirelink.storage.blobs_s3 import ChecksumMode, S3BlobStore

ACCESS_KEY = "retirelink-test"
SECRET_KEY = "retirelink-test-secret"
REGION = "us-east-1"


@dataclass
class S3Server:
    server: ThreadedMotoServer
    endpoint_url: str

    def admin_client(self) -> Any:
        """A plain boto3 client on the server, to set up and inspect buckets directly."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(s3={"addressing_style": "path"}),
        )

    def new_bucket(self) -> str:
        name = f"rl-{uuid.uuid4().hex[:20]}"
        client = self.admin_client()
        try:
            client.create_bucket(Bucket=name)
        finally:
            client.close()
        return name

    def store(
        self,
        bucket: str,
        prefix: str = "blobs",
        *,
        checksum: ChecksumMode = "auto",
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        max_attempts: int = 2,
    ) -> S3BlobStore:
        return S3BlobStore(
            endpoint_url=self.endpoint_url,
            bucket=bucket,
            prefix=prefix,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            region=REGION,
            checksum=checksum,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_attempts=max_attempts,
        )

    def stop(self) -> None:
        self.server.stop()

    def close(self) -> None:
        """Stop and close the listening socket too."""
        self.server.stop()
        inner = self.server._server
        if inner is not None:
            inner.server_close()


@contextmanager
def s3_server() -> Iterator[S3Server]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    running = S3Server(server, f"http://{host}:{port}")
    try:
        yield running
    finally:
        if server._server_ready_event.is_set():
            running.close()


class RequestCounter:
    """Counts the S3 operations a store's client sends (``PutObject``, ``UploadPart`` …)."""

    def __init__(self, store: S3BlobStore) -> None:
        self.calls: Counter[str] = Counter()
        store.client.meta.events.register("before-call.s3", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def writes(self) -> int:
        return sum(
            self.calls[name]
            for name in ("PutObject", "CreateMultipartUpload", "UploadPart", "CopyObject")
        )
