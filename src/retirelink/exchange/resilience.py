"""Calling partner systems that may be slow or down: retries with backoff, a circuit breaker
per partner, and which failures are worth retrying.

A partner that is down must not hold our workers in a retry loop, and a partner that is
recovering must not be flooded the moment it comes back. So: a few retries with capped,
fully jittered exponential backoff ("full jitter": each delay is uniform in ``[0, ceiling]``,
so many callers spread out instead of retrying in step), and a breaker that stops calling
after N consecutive failures, lets one trial call through after a pause, and closes again
when that call succeeds.

Pure module: no I/O and no clock — the caller passes ``now`` in. Only the HTTP adapter
(``exchange/sources/http_api.py``) translates library exceptions into a :class:`Failure`.
"""

import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from retirelink.clock import CHINA_TZ
from retirelink.errors import PartnerResponseError, UnavailableError
from retirelink.exchange.model import BreakerState

# Gateway and server errors that usually pass: an overloaded or restarting partner.
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
# A malformed answer is rarely transient (a proxy's error page, a half-deployed release);
# one more try is enough to tell a glitch from a broken partner.
MALFORMED_MAX_ATTEMPTS = 2


class FailureKind(StrEnum):
    CONNECT_REFUSED = "connect_refused"  # nothing listening / unreachable: request never sent
    CONNECT_TIMEOUT = "connect_timeout"  # no connection (or pool slot) in time: never sent
    TIMEOUT = "timeout"  # sent, but no (complete) answer in time
    CONNECTION_RESET = "connection_reset"  # sent, then the connection broke
    HTTP_STATUS = "http_status"  # the partner answered with an error status
    MALFORMED = "malformed"  # the partner answered something we cannot read
    SIGNATURE = "signature"  # the partner's signature on its answer does not check

    @property
    def label(self) -> str:
        return _FAILURE_KIND_LABELS[self]


_FAILURE_KIND_LABELS = {
    FailureKind.CONNECT_REFUSED: "无法连接（连接被拒绝或网络不可达）",
    FailureKind.CONNECT_TIMEOUT: "连接超时",
    FailureKind.TIMEOUT: "响应超时",
    FailureKind.CONNECTION_RESET: "连接中断",
    FailureKind.HTTP_STATUS: "返回错误状态",
    FailureKind.MALFORMED: "返回的数据无法解析",
    FailureKind.SIGNATURE: "返回数据的签名无效",
}
_NOT_SENT = frozenset({FailureKind.CONNECT_REFUSED, FailureKind.CONNECT_TIMEOUT})
_TRANSPORT = _NOT_SENT | {FailureKind.TIMEOUT, FailureKind.CONNECTION_RESET}


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed attempt. ``detail`` is 中文 text for people (may be empty)."""

    kind: FailureKind
    detail: str = ""
    status: int | None = None

    @property
    def retryable(self) -> bool:
        """Worth another attempt: the partner may answer differently in a moment."""
        if self.kind is FailureKind.HTTP_STATUS:
            return self.status in RETRYABLE_STATUSES
        return self.kind in _TRANSPORT or self.kind is FailureKind.MALFORMED

    @property
    def request_sent(self) -> bool:
        """False only when the partner cannot have seen the request (safe to resend anything)."""
        return self.kind not in _NOT_SENT

    @property
    def counts_against_breaker(self) -> bool:
        """A sign the partner is unwell; a 4xx means it is up and refused *our* request."""
        if self.kind is FailureKind.HTTP_STATUS:
            return self.status is None or self.status >= 500
        return True

    def describe(self) -> str:
        """中文, e.g. ``响应超时（读取超过 5 秒）`` or ``返回错误状态 HTTP 503``."""
        head = self.kind.label
        if self.status is not None:
            head = f"{head} HTTP {self.status}"
        return f"{head}（{self.detail}）" if self.detail else head


def status_failure(status: int, detail: str = "") -> Failure | None:
    """The failure an HTTP status stands for, or None for a 2xx answer."""
    if 200 <= status < 300:
        return None
    return Failure(FailureKind.HTTP_STATUS, detail, status)


def attempt_limit(failure: Failure, *, max_attempts: int, idempotent: bool) -> int:
    """How many attempts in all a call that failed this way may make.

    A request that may have reached the partner is resent only when it is idempotent (a GET,
    or a POST carrying a ``request_id`` the partner deduplicates); one that cannot have been
    sent is always safe to resend.
    """
    if not failure.retryable or (failure.request_sent and not idempotent):
        return 1
    if failure.kind is FailureKind.MALFORMED:
        return min(MALFORMED_MAX_ATTEMPTS, max_attempts)
    return max_attempts


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with optional full jitter; delays are in seconds.

    The ceiling before retry ``n`` (0-based) is ``min(max_delay, base_delay * multiplier**n)``;
    with ``jitter`` set, each delay is drawn uniformly from ``[0, ceiling]``.
    """

    max_attempts: int = 3
    base_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 10.0
    jitter: random.Random | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("need 0 <= base_delay <= max_delay")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")

    def ceiling(self, retry: int) -> float:
        """The longest wait before retry number ``retry`` (0 = the wait after attempt 1)."""
        # Capping the exponent keeps a long retry count from overflowing the float.
        growth = self.multiplier ** min(retry, 64)
        return min(self.max_delay, self.base_delay * growth)

    def delays(self) -> Iterator[float]:
        """The waits between attempts: ``max_attempts - 1`` of them."""
        for retry in range(self.max_attempts - 1):
            ceiling = self.ceiling(retry)
            yield ceiling if self.jitter is None else self.jitter.uniform(0.0, ceiling)


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    """A breaker's state at one instant, for a health page; ``last_error`` is 中文."""

    partner: str
    state: BreakerState
    consecutive_failures: int
    opened_at: datetime | None
    retry_at: datetime | None
    last_failure: datetime | None
    last_success: datetime | None
    last_error: str | None


class CircuitOpenError(UnavailableError):
    """The breaker refused a call without touching the network."""

    def __init__(self, message: str, *, partner: str, retry_at: datetime | None) -> None:
        super().__init__(message)
        self.partner = partner
        self.retry_at = retry_at


class PartnerUnavailableError(UnavailableError):
    """A call failed for good: ``failure`` is the last attempt's, ``attempts`` how many."""

    def __init__(self, message: str, *, partner: str, failure: Failure, attempts: int) -> None:
        super().__init__(message)
        self.partner = partner
        self.failure = failure
        self.attempts = attempts


class MalformedAnswerError(PartnerResponseError):
    """A partner's answer was unreadable (or its signature did not check), even after retry."""

    def __init__(self, message: str, *, partner: str, failure: Failure, attempts: int) -> None:
        super().__init__(message)
        self.partner = partner
        self.failure = failure
        self.attempts = attempts


def _beijing(at: datetime) -> str:
    return at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


class CircuitBreaker:
    """Closed → open after ``failure_threshold`` consecutive failures → half-open once
    ``reset_timeout`` has passed (one trial call) → closed on its success, open on its failure.

    Thread-safe: the web server and the outbox worker share one breaker per partner. A trial
    whose caller never reports back is given up after another ``reset_timeout``, so a crashed
    caller cannot wedge the breaker half-open.
    """

    def __init__(
        self,
        partner: str,
        *,
        failure_threshold: int = 5,
        reset_timeout: timedelta = timedelta(seconds=30),
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if reset_timeout <= timedelta(0):
            raise ValueError("reset_timeout must be positive")
        self.partner = partner
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at: datetime | None = None
        self._trial_started: datetime | None = None
        self._last_failure: datetime | None = None
        self._last_success: datetime | None = None
        self._last_error: str | None = None

    def acquire(self, now: datetime) -> None:
        """Claim permission for one call; raises :class:`CircuitOpenError` when refused."""
        with self._lock:
            if self._admit(now):
                return
            retry_at = self._retry_at()
            message = self._refusal(retry_at)
        raise CircuitOpenError(message, partner=self.partner, retry_at=retry_at)

    def try_acquire(self, now: datetime) -> bool:
        """Like :meth:`acquire` but answers False instead of raising."""
        with self._lock:
            return self._admit(now)

    def record_success(self, now: datetime) -> None:
        """The partner answered (a 4xx too: it is up, it refused our request)."""
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._opened_at = None
            self._trial_started = None
            self._last_success = now

    def record_failure(self, now: datetime, error: str) -> None:
        """A call failed in a way that counts against the partner; ``error`` is 中文."""
        with self._lock:
            self._failures += 1
            self._last_failure = now
            self._last_error = error
            if self._state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
                self._state = BreakerState.OPEN
                self._opened_at = now
                self._trial_started = None

    def snapshot(self) -> BreakerSnapshot:
        with self._lock:
            return BreakerSnapshot(
                partner=self.partner,
                state=self._state,
                consecutive_failures=self._failures,
                opened_at=self._opened_at,
                retry_at=self._retry_at(),
                last_failure=self._last_failure,
                last_success=self._last_success,
                last_error=self._last_error,
            )

    def _admit(self, now: datetime) -> bool:
        if self._state is BreakerState.CLOSED:
            return True
        if self._state is BreakerState.OPEN:
            if self._opened_at is not None and now < self._opened_at + self.reset_timeout:
                return False
            self._state = BreakerState.HALF_OPEN
        elif self._trial_started is not None and now < self._trial_started + self.reset_timeout:
            return False  # the one trial call is still out
        self._trial_started = now
        return True

    def _retry_at(self) -> datetime | None:
        if self._state is BreakerState.OPEN and self._opened_at is not None:
            return self._opened_at + self.reset_timeout
        if self._state is BreakerState.HALF_OPEN and self._trial_started is not None:
            return self._trial_started + self.reset_timeout
        return None

    def _refusal(self, retry_at: datetime | None) -> str:
        when = f"，将于 {_beijing(retry_at)}（北京时间）后重试" if retry_at else ""
        if self._state is BreakerState.HALF_OPEN:
            return f"{self.partner}正在试探恢复，暂不接受其他调用{when}"
        cause = f"；最近错误：{self._last_error}" if self._last_error else ""
        return f"{self.partner}连续 {self._failures} 次调用失败，已暂停调用（熔断）{when}{cause}"
