"""Calling a partner department's signed HTTP API: retries, circuit breaker, strict JSON.

:class:`PartnerHttpClient` signs every attempt afresh (new nonce and timestamp, so a retry
is never a replay), retries only what is safe to resend, consults the partner's circuit
breaker before touching the network, and reads answers strictly: anything but a JSON object
with the expected keys is a malformed answer. Each call is remembered (attempts, latency,
outcome) for the partner health page.
"""

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar, overload

import httpx

from retirelink.clock import Clock
from retirelink.errors import PartnerResponseError, RetireLinkError
from retirelink.exchange.resilience import (
    CircuitBreaker,
    CircuitOpenError,
    Failure,
    FailureKind,
    MalformedAnswerError,
    PartnerUnavailableError,
    RetryPolicy,
    attempt_limit,
    status_failure,
)
from retirelink.exchange.signing import sign_request
from retirelink.exchange.sources.http_wire import (
    JsonObject,
    parse_json_object,
    partner_detail,
    transport_failure,
)
from retirelink.security.sm2 import SM2PrivateKey

T = TypeVar("T")


def _identity(data: JsonObject) -> JsonObject:
    return data


class CallOutcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    CIRCUIT_OPEN = "circuit_open"

    @property
    def label(self) -> str:
        return _CALL_OUTCOME_LABELS[self]


_CALL_OUTCOME_LABELS = {
    CallOutcome.OK: "成功",
    CallOutcome.FAILED: "失败",
    CallOutcome.CIRCUIT_OPEN: "熔断拒绝",
}


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call as a health page shows it: ``attempts`` is 0 when the breaker refused it."""

    partner: str
    method: str
    path: str
    started_at: datetime
    attempts: int
    latency_seconds: float
    outcome: CallOutcome
    failure: Failure | None = None


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    path: str
    params: Mapping[str, str]
    body: bytes
    item: str
    purpose: str
    idempotent: bool
    required: Collection[str]
    parse: Callable[[JsonObject], Any]


@dataclass(frozen=True, slots=True)
class _Answer:
    """A usable answer, boxed so it can never be mistaken for a :class:`Failure`."""

    value: Any


def encode_body(body: Mapping[str, Any]) -> bytes:
    """The exact bytes a JSON body is sent as (their SM3 is what a partner's receipt quotes)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class PartnerHttpClient:
    """Signed JSON calls to one partner, with retries and that partner's circuit breaker.

    ``key`` is the HMAC-SM3 key shared with the partner, or our SM2 private key for a partner
    that asks for SM2-SM3 signatures (``exchange.signing.sign_request``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        key: bytes | SM2PrivateKey,
        http: httpx.Client,
        retry: RetryPolicy,
        breaker: CircuitBreaker,
        clock: Clock,
        sleep: Callable[[float], None] = time.sleep,
        timer: Callable[[], float] = time.perf_counter,
        history: int = 100,
    ) -> None:
        timeout = http.timeout
        if None in (timeout.connect, timeout.read, timeout.write, timeout.pool):
            raise ValueError("partner HTTP client needs connect, read, write and pool timeouts")
        self._base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._key = key
        self._http = http
        self._retry = retry
        self._breaker = breaker
        self._clock = clock
        self._sleep = sleep
        self._timer = timer
        self._lock = threading.Lock()
        self._calls: deque[CallRecord] = deque(maxlen=history)

    def close(self) -> None:
        self._http.close()

    @property
    def partner(self) -> str:
        return self._breaker.partner

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker

    @property
    def last_call(self) -> CallRecord | None:
        with self._lock:
            return self._calls[-1] if self._calls else None

    def recent_calls(self) -> tuple[CallRecord, ...]:
        """The latest calls, oldest first."""
        with self._lock:
            return tuple(self._calls)

    @overload
    def get_json(
        self,
        path: str,
        params: Mapping[str, str] | None = ...,
        *,
        item: str,
        purpose: str,
        required: Collection[str] = ...,
    ) -> JsonObject: ...

    @overload
    def get_json(
        self,
        path: str,
        params: Mapping[str, str] | None = ...,
        *,
        item: str,
        purpose: str,
        required: Collection[str] = ...,
        parse: Callable[[JsonObject], T],
    ) -> T: ...

    def get_json(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        item: str,
        purpose: str,
        required: Collection[str] = (),
        parse: Callable[[JsonObject], Any] = _identity,
    ) -> Any:
        """GET ``path``; always retried on retryable failures (a GET changes nothing).

        ``parse`` turns the JSON object into the caller's result and raises
        ``PartnerResponseError`` when its shape is wrong — which then counts as a malformed
        answer (retried once, held against the breaker).
        """
        request = _Request("GET", path, params or {}, b"", item, purpose, True, required, parse)
        return self._call(request)

    @overload
    def post_json(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        item: str,
        purpose: str,
        idempotent: bool,
        required: Collection[str] = ...,
    ) -> JsonObject: ...

    @overload
    def post_json(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        item: str,
        purpose: str,
        idempotent: bool,
        required: Collection[str] = ...,
        parse: Callable[[JsonObject], T],
    ) -> T: ...

    def post_json(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        item: str,
        purpose: str,
        idempotent: bool,
        required: Collection[str] = (),
        parse: Callable[[JsonObject], Any] = _identity,
    ) -> Any:
        """POST ``body`` as JSON. Resent after a failure only when ``idempotent`` (the body
        carries an id the partner deduplicates on) or when it cannot have been sent."""
        content = encode_body(body)
        request = _Request("POST", path, {}, content, item, purpose, idempotent, required, parse)
        return self._call(request)

    def _call(self, request: _Request) -> Any:
        started_at = self._clock.now()
        started = self._timer()
        try:
            self._breaker.acquire(started_at)
        except CircuitOpenError:
            self._remember(request, started_at, started, 0, CallOutcome.CIRCUIT_OPEN, None)
            raise
        attempts, result = self._attempts(request)
        if isinstance(result, Failure):
            self._remember(request, started_at, started, attempts, CallOutcome.FAILED, result)
            raise self._final_error(request, result, attempts)
        self._remember(request, started_at, started, attempts, CallOutcome.OK, None)
        return result.value

    def _attempts(self, request: _Request) -> tuple[int, _Answer | Failure]:
        delays = self._retry.delays()
        attempt = 0
        while True:
            attempt += 1
            result = self._attempt(request)
            if not isinstance(result, Failure):
                self._breaker.record_success(self._clock.now())
                return attempt, result
            self._report(result)
            limit = attempt_limit(
                result, max_attempts=self._retry.max_attempts, idempotent=request.idempotent
            )
            # Asked before waiting: this failure (or other callers' failures) may have opened
            # the breaker, and then there is nothing to wait for.
            if attempt >= limit or not self._breaker.try_acquire(self._clock.now()):
                return attempt, result
            self._sleep(next(delays))

    def _report(self, failure: Failure) -> None:
        now = self._clock.now()
        if failure.counts_against_breaker:
            self._breaker.record_failure(now, failure.describe())
        else:
            self._breaker.record_success(now)

    def _attempt(self, request: _Request) -> _Answer | Failure:
        url = self._base_url + request.path
        # Signed per attempt: a retry carries a new nonce and timestamp, never a replay.
        headers = sign_request(
            request.method,
            httpx.URL(url).path,
            request.params,
            request.body,
            client_id=self._client_id,
            key=self._key,
            item=request.item,
            purpose=request.purpose,
            now=self._clock.now(),
        )
        if request.body:
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self._http.request(
                request.method, url, params=request.params, content=request.body, headers=headers
            )
        except httpx.TransportError as error:
            return transport_failure(error, self._http.timeout)
        failure = status_failure(response.status_code, partner_detail(response))
        if failure is not None:
            return failure
        try:
            return _Answer(request.parse(parse_json_object(response.content, request.required)))
        except PartnerResponseError as error:
            return Failure(FailureKind.MALFORMED, error.message)

    def _final_error(self, request: _Request, failure: Failure, attempts: int) -> RetireLinkError:
        message = (
            f"{self.partner}{failure.describe()}："
            f"{request.method} {request.path}，共尝试 {attempts} 次"
        )
        if failure.kind in (FailureKind.MALFORMED, FailureKind.SIGNATURE):
            return MalformedAnswerError(
                message, partner=self.partner, failure=failure, attempts=attempts
            )
        return PartnerUnavailableError(
            message, partner=self.partner, failure=failure, attempts=attempts
        )

    def _remember(
        self,
        request: _Request,
        started_at: datetime,
        started: float,
        attempts: int,
        outcome: CallOutcome,
        failure: Failure | None,
    ) -> None:
        record = CallRecord(
            partner=self.partner,
            method=request.method,
            path=request.path,
            started_at=started_at,
            attempts=attempts,
            latency_seconds=self._timer() - started,
            outcome=outcome,
            failure=failure,
        )
        with self._lock:
            self._calls.append(record)
