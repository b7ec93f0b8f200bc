"""A tiny stand-in for the platform's ``POST /api/v1/partner/notices``, served on loopback.

It verifies each request with ``verify_request`` (the real signature check), answers a real
receipt signed with the partner's key, treats a known ``message_id`` as a duplicate, and can
be told to misbehave (``behaviour``) so the pusher's checks of the answer can be seen to bite.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from retirelink.errors import AuthenticationError
from retirelink.exchange.receipts import Direction, issue_receipt
from retirelink.exchange.signing import InMemoryNonceStore, StaticKeyRing, verify_request
from retirelink.partners.pusher import NOTICES_PATH
from retirelink.partners.server import ServedApp
from retirelink.security.crypto import digest_hex

GOOD = "good"
REJECT = "reject"  # 422 with issues
FORGED_RECEIPT = "forged_receipt"  # receipt signed with another key
WRONG_DIGEST = "wrong_digest"  # receipt for another payload
NOT_JSON = "not_json"
SERVER_ERROR = "server_error"


@dataclass
class Receiver:
    keys: StaticKeyRing
    behaviour: str = GOOD
    received: list[dict[str, Any]] = field(default_factory=list)
    callers: list[str] = field(default_factory=list)
    algorithms: list[str] = field(default_factory=list)
    _first: dict[str, dict[str, Any]] = field(default_factory=dict)
    _nonces: InMemoryNonceStore = field(default_factory=InMemoryNonceStore)

    def receipt(
        self, client_id: str, item: str, body: bytes, count: int, ok: bool
    ) -> dict[str, Any]:
        key = self.keys.signing_key(client_id)
        if self.behaviour == FORGED_RECEIPT:
            key = b"forged-key-forged-key-0000000000"
        digest = digest_hex(b"other" if self.behaviour == WRONG_DIGEST else body)
        receipt = issue_receipt(
            receipt_id=f"RL-{len(self._first) + 1:06d}",
            direction=Direction.INBOUND,
            partner=client_id,
            item=item,
            payload_digest=digest,
            record_count=count,
            accepted=count if ok else 0,
            rejected=0 if ok else count,
            received_at=datetime.now(UTC),
            key=key,
        )
        return receipt.to_dict()

    async def notices(self, request: Request) -> Response:
        body = await request.body()
        try:
            caller = verify_request(
                "POST",
                request.url.path,
                {},
                dict(request.headers),
                body,
                keys=self.keys,
                nonces=self._nonces,
                now=datetime.now(UTC),
            )
        except AuthenticationError as error:
            return JSONResponse({"error": error.message}, status_code=401)
        self.callers.append(caller.client_id)
        self.algorithms.append(caller.algorithm)
        if self.behaviour == NOT_JSON:
            return Response(b"<html>gateway</html>", media_type="text/html")
        if self.behaviour == SERVER_ERROR:
            return JSONResponse({"error": "平台内部错误"}, status_code=500)
        payload = json.loads(body)
        self.received.append(payload)
        return self._answer(payload, caller.client_id, caller.item, body)

    def _answer(self, payload: dict[str, Any], client_id: str, item: str, body: bytes) -> Response:
        count = len(payload["records"])
        if self.behaviour == REJECT:
            issue = {"row": 1, "field": "id_number", "message": "公民身份号码校验位错误"}
            answer = {
                "status": "rejected",
                "receipt": self.receipt(client_id, item, body, count, ok=False),
                "issues": [issue],
            }
            return JSONResponse(answer, status_code=422)
        first = self._first.get(payload["message_id"])
        if first is not None:
            return JSONResponse({**first, "status": "duplicate"})
        answer = {
            "status": "applied",
            "receipt": self.receipt(client_id, item, body, count, ok=True),
            "issues": [],
        }
        self._first[payload["message_id"]] = answer
        return JSONResponse(answer)


@contextmanager
def running_receiver(
    client_id: str, key: bytes, *, sm2_public_key: str | None = None
) -> Iterator[tuple[str, Receiver]]:
    """The receiver's base URL and its state; it knows one partner client and key (and,
    given one, the client's SM2 public key)."""
    keys = StaticKeyRing()
    keys.add(client_id, key)
    if sm2_public_key is not None:
        keys.add_sm2(client_id, sm2_public_key)
    receiver = Receiver(keys)
    served = ServedApp(Starlette(routes=[Route(NOTICES_PATH, receiver.notices, methods=["POST"])]))
    served.start()
    try:
        yield served.url, receiver
    finally:
        served.stop()
