"""The partner gateway and feed sources the composition root builds from the registry.

One :class:`PartnerHttpClient` per partner is kept for the life of the process, so its circuit
breaker remembers failures across worker passes and across requests; a key rotated in the
registry file (the shared key, or our SM2 key for a partner with ``sign: sm2``) gets a new
client. Table feeds get one engine per partner database.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine

from retirelink.clock import Clock
from retirelink.exchange.model import OutboxOperation, PartnerHealth, PartnerLink
from retirelink.exchange.ports import Delivery, DepartmentSource
from retirelink.exchange.registry import FeedSpec, Registry
from retirelink.exchange.resilience import CircuitBreaker, RetryPolicy
from retirelink.exchange.sources.http_api import HttpDepartmentSource
from retirelink.exchange.sources.http_wire import PartnerTimeouts, build_http_client
from retirelink.exchange.sources.partner_client import CallOutcome, PartnerHttpClient, encode_body
from retirelink.exchange.sources.table_reader import table_prefetcher, table_source
from retirelink.exchange.sync import Prefetcher
from retirelink.security.crypto import digest_hex
from retirelink.security.sm2 import SM2PrivateKey

# What a feed pull says it is for: the catalogue purposes of the items we pull.
FEED_PURPOSE = "benefit_suspension"
_FEED_PURPOSES = {
    "medical_insurance.enrolment_and_settlement": "certification",
}


# A client is reused while the partner's entry, our client id and the key we sign with stay.
_ClientKey = tuple[PartnerLink, str, bytes | SM2PrivateKey]

DEFAULT_TIMEOUTS = PartnerTimeouts()
DEFAULT_RETRY = RetryPolicy()


class HttpPartnerGateway:
    """Sends outbox requests and pulls API feeds over signed HTTP (``exchange.ports``)."""

    def __init__(
        self,
        registry: Callable[[], Registry],
        *,
        clock: Clock,
        timeouts: PartnerTimeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_RETRY,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._registry = registry
        self._clock = clock
        self._timeouts = timeouts
        self._retry = retry
        self._transport = transport
        self._sleep = sleep
        self._clients: dict[str, tuple[_ClientKey, PartnerHttpClient]] = {}
        self._lock = threading.Lock()

    def client(self, link: PartnerLink) -> PartnerHttpClient:
        """The long-lived client of a partner (a new one if its address or a key changed)."""
        registry = self._registry()
        key = registry.request_key(link)
        identity = (link, registry.our_client_id, key)
        with self._lock:
            known = self._clients.get(link.department)
            if known is not None and known[0] == identity:
                return known[1]
            client = PartnerHttpClient(
                link.base_url,
                client_id=registry.our_client_id,
                key=key,
                http=build_http_client(self._timeouts, transport=self._transport),
                retry=self._retry,
                breaker=CircuitBreaker(link.kind.label),
                clock=self._clock,
                sleep=self._sleep,
            )
            self._clients[link.department] = (identity, client)
            return client

    def send(
        self,
        link: PartnerLink,
        *,
        operation: OutboxOperation,
        item: str,
        purpose: str,
        body: dict[str, Any],
        idempotent: bool,
    ) -> Delivery:
        client = self.client(link)
        started = time.perf_counter()
        response = client.post_json(
            operation.path, body, item=item, purpose=purpose, idempotent=idempotent
        )
        latency = int((time.perf_counter() - started) * 1000)
        return Delivery(dict(response), digest_hex(encode_body(body)), latency)

    def health(self) -> list[PartnerHealth]:
        with self._lock:
            known = list(self._clients.values())
        return [_health(identity[0], client, self._clock) for identity, client in known]

    def close(self) -> None:
        with self._lock:
            for _, client in self._clients.values():
                client.close()
            self._clients.clear()


def _health(link: PartnerLink, client: PartnerHttpClient, clock: Clock) -> PartnerHealth:
    snapshot = client.breaker.snapshot()
    last = client.last_call
    return PartnerHealth(
        department=link.health_key,
        breaker_state=snapshot.state,
        consecutive_failures=snapshot.consecutive_failures,
        reachable=last is not None and last.outcome is CallOutcome.OK,
        last_success_at=snapshot.last_success,
        last_failure_at=snapshot.last_failure,
        last_error=snapshot.last_error or "",
        last_latency_ms=int(last.latency_seconds * 1000) if last else None,
        updated_at=clock.now(),
    )


class FeedSources:
    """Builds the ``DepartmentSource`` of a declared feed (``exchange.registry.FeedSpec``)."""

    def __init__(self, gateway: HttpPartnerGateway, *, clock: Clock) -> None:
        self._gateway = gateway
        self._clock = clock
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()

    def __call__(self, spec: FeedSpec, link: PartnerLink) -> DepartmentSource:
        if spec.via == "table":
            return table_source(spec, self._engine(spec.database_url), self._clock)
        return HttpDepartmentSource(
            self._gateway.client(link),
            spec.item,
            name=spec.name,
            purpose=_FEED_PURPOSES.get(spec.item, FEED_PURPOSE),
        )

    def prefetcher(self, spec: FeedSpec, link: PartnerLink) -> Prefetcher | None:
        """A reader process for table feeds (their backlogs can be millions of rows)."""
        if spec.via != "table":
            return None
        return table_prefetcher(spec, self(spec, link), self._clock)

    def _engine(self, url: str) -> Engine:
        with self._lock:
            if url not in self._engines:
                self._engines[url] = create_engine(url, pool_pre_ping=True)
            return self._engines[url]

    def close(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
