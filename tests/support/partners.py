"""Calling the partner simulators as the platform does: signed requests over real HTTP."""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from retirelink.exchange.signing import sign_request
from retirelink.partners.model import OUR_CLIENT_ID
from retirelink.partners.server import PartnerSimulators
from retirelink.security.sm2 import SM2PrivateKey

PURPOSE = "benefit_suspension"


class SignedClient:
    """Signs every request as ``client_id`` with ``key`` (by default: us, with the real key);
    an SM2 private key signs with SM2-SM3."""

    def __init__(
        self, base_url: str, key: bytes | SM2PrivateKey, *, client_id: str = OUR_CLIENT_ID
    ) -> None:
        self.base_url = base_url
        self.key = key
        self.client_id = client_id

    @classmethod
    def of(cls, sims: PartnerSimulators, code: str) -> "SignedClient":
        return cls(sims.url(code), sims.config.keys[code])

    def headers(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: bytes,
        *,
        item: str,
        now: datetime | None = None,
        nonce: str | None = None,
    ) -> dict[str, str]:
        return sign_request(
            method,
            path,
            dict(query),
            body,
            client_id=self.client_id,
            key=self.key,
            item=item,
            purpose=PURPOSE,
            now=now or datetime.now(UTC),
            nonce=nonce,
        )

    def changes(
        self, item: str, after: int | None = None, limit: int | None = None, **sign: Any
    ) -> httpx.Response:
        query = {"item": item}
        if after is not None:
            query["after"] = str(after)
        if limit is not None:
            query["limit"] = str(limit)
        headers = self.headers(
            "GET", "/api/changes", query, b"", item=sign.pop("signed_item", item), **sign
        )
        return self.send("GET", "/api/changes", query, b"", headers)

    def post(self, path: str, payload: object, *, item: str, **sign: Any) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = self.headers("POST", path, {}, body, item=item, **sign)
        return self.send("POST", path, {}, body, headers)

    def send(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: bytes,
        headers: Mapping[str, str],
        *,
        timeout: float = 10,
    ) -> httpx.Response:
        with httpx.Client(base_url=self.base_url, timeout=timeout) as client:
            return client.request(method, path, params=dict(query), content=body, headers=headers)
