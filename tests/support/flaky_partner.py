"""A real partner HTTP server on loopback that can be told to misbehave.

It serves the partner contract of docs/exchange.md — ``GET /api/changes`` from an in-memory
list, and any ``POST`` answered ``{"accepted": true, ...}`` — and verifies every request's
signature with ``verify_request`` (refusing replays with 401) *before* it misbehaves, so a
test sees exactly what reached the partner. Behaviour per request: the next scripted mode if
any (``script(...)``), else ``mode``. ``stop()`` closes the port (connections are refused);
``start()`` opens the same port again.
"""

import json
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from retirelink.clock import Clock
from retirelink.errors import AuthenticationError
from retirelink.exchange.signing import (
    HEADER_NONCE,
    InMemoryNonceStore,
    StaticKeyRing,
    verify_request,
)


class Mode(StrEnum):
    NORMAL = "normal"
    SLOW = "slow"  # answers normally, but only after ``slow_seconds``
    ERROR_500 = "error_500"
    UNAVAILABLE_503 = "unavailable_503"
    GARBAGE = "garbage"  # 200 with a truncated JSON body
    WRONG_SHAPE = "wrong_shape"  # 200 with valid JSON that breaks the contract


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    nonce: str | None
    body: bytes
    refused: str | None  # the 中文 reason when the signature check failed


class FlakyPartner:
    def __init__(
        self,
        *,
        client_id: str,
        key: bytes,
        clock: Clock,
        item: str,
        records: Sequence[Mapping[str, Any]] = (),
        slow_seconds: float = 2.0,
    ) -> None:
        self.keys = StaticKeyRing()
        self.keys.add(client_id, key)
        self.nonces = InMemoryNonceStore()
        self.clock = clock
        self.item = item
        self.records = [dict(record) for record in records]
        self.slow_seconds = slow_seconds
        self.mode = Mode.NORMAL
        self._script: deque[Mode] = deque()
        self._seen: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def seen(self) -> list[SeenRequest]:
        with self._lock:
            return list(self._seen)

    def script(self, *modes: Mode) -> None:
        """Behave like ``modes`` for the next requests, one each, then like ``mode`` again."""
        with self._lock:
            self._script.extend(modes)

    def start(self) -> None:
        self._release.clear()
        server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        server.block_on_close = True  # stop() waits for handlers: nothing outlives a test
        server.daemon_threads = False
        server.partner = self  # type: ignore[attr-defined]
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._release.set()  # wake slow handlers so they finish now
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = None
        self._thread = None

    def next_mode(self) -> Mode:
        with self._lock:
            return self._script.popleft() if self._script else self.mode

    def remember(self, request: SeenRequest) -> None:
        with self._lock:
            self._seen.append(request)

    def wait_slowly(self) -> None:
        self._release.wait(self.slow_seconds)

    def changes(self, query: Mapping[str, list[str]]) -> dict[str, Any]:
        after = int(query.get("after", ["-1"])[0])
        limit = int(query.get("limit", ["100"])[0])
        newer = [r for r in self.records if r["seq"] > after]
        page = newer[:limit]
        return {
            "item": query.get("item", [""])[0],
            "records": page,
            "next_after": page[-1]["seq"] if page else (after if after >= 0 else None),
            "has_more": len(newer) > limit,
        }


_CANNED: dict[Mode, tuple[int, bytes]] = {
    Mode.ERROR_500: (500, json.dumps({"detail": "内部错误"}).encode()),
    Mode.UNAVAILABLE_503: (503, json.dumps({"detail": "系统维护中"}, ensure_ascii=False).encode()),
    Mode.GARBAGE: (200, b'{"records": [{"seq": 1,'),
}


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _handle(self) -> None:
        partner: FlakyPartner = self.server.partner  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        query = parse_qs(split.query, keep_blank_values=True)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        refused = self._verify(partner, unquote(split.path), query, body)
        partner.remember(
            SeenRequest(
                self.command, split.path, query, self.headers.get(HEADER_NONCE), body, refused
            )
        )
        try:
            if refused is not None:
                self._send(401, json.dumps({"detail": refused}, ensure_ascii=False).encode())
            else:
                self._misbehave(partner, partner.next_mode(), split.path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: exactly what a slow partner causes

    def _verify(
        self, partner: FlakyPartner, path: str, query: dict[str, list[str]], body: bytes
    ) -> str | None:
        try:
            verify_request(
                self.command,
                path,
                query,
                dict(self.headers.items()),
                body,
                keys=partner.keys,
                nonces=partner.nonces,
                now=partner.clock.now(),
            )
        except AuthenticationError as error:
            return error.message
        return None

    def _misbehave(
        self, partner: FlakyPartner, mode: Mode, path: str, query: dict[str, list[str]], body: bytes
    ) -> None:
        if mode in _CANNED:
            self._send(*_CANNED[mode])
            return
        if mode is Mode.WRONG_SHAPE:
            # Everything right but the sequence number, which arrives as text.
            wrong = {"item": partner.item, "records": [{"seq": "1"}], "next_after": 1}
            self._send(200, json.dumps({**wrong, "has_more": False}).encode())
            return
        if mode is Mode.SLOW:
            partner.wait_slowly()
        if self.command == "GET" and path == "/api/changes":
            answer: dict[str, Any] = partner.changes(query)
        elif self.command == "POST":
            answer = {"accepted": True, "echo": json.loads(body or b"null")}
        else:
            self._send(404, json.dumps({"detail": "没有这个接口"}, ensure_ascii=False).encode())
            return
        self._send(200, json.dumps(answer, ensure_ascii=False).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def flaky_partner(
    *,
    client_id: str,
    key: bytes,
    clock: Clock,
    item: str,
    records: Sequence[Mapping[str, Any]] = (),
    slow_seconds: float = 2.0,
) -> Iterator[FlakyPartner]:
    """A started :class:`FlakyPartner`, stopped (threads joined, port closed) afterwards."""
    partner = FlakyPartner(
        client_id=client_id,
        key=key,
        clock=clock,
        item=item,
        records=records,
        slow_seconds=slow_seconds,
    )
    partner.start()
    try:
        yield partner
    finally:
        partner.stop()
