"""Retries, backoff, the per-partner circuit breaker and which failures are worth retrying."""

import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retirelink.errors import UnavailableError
from retirelink.exchange.model import BreakerState
from retirelink.exchange.resilience import (
    MALFORMED_MAX_ATTEMPTS,
    CircuitBreaker,
    CircuitOpenError,
    Failure,
    FailureKind,
    RetryPolicy,
    attempt_limit,
    status_failure,
)

T0 = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
GONGAN = "公安（GONGAN）"


def opened_breaker(threshold: int = 3, reset: timedelta = timedelta(seconds=30)) -> CircuitBreaker:
    breaker = CircuitBreaker(GONGAN, failure_threshold=threshold, reset_timeout=reset)
    for _ in range(threshold):
        breaker.record_failure(T0, "响应超时")
    return breaker


# --- backoff --------------------------------------------------------------------------------


def test_without_jitter_the_delays_double_up_to_the_cap():
    policy = RetryPolicy(max_attempts=6, base_delay=0.5, multiplier=2, max_delay=3)

    assert list(policy.delays()) == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_one_attempt_means_no_delays():
    assert list(RetryPolicy(max_attempts=1).delays()) == []


def test_full_jitter_is_reproducible_from_the_injected_random_and_not_just_the_ceiling():
    def delays(seed: int) -> list[float]:
        policy = RetryPolicy(max_attempts=8, base_delay=1, max_delay=60, jitter=random.Random(seed))
        return list(policy.delays())

    assert delays(7) == delays(7)
    assert delays(7) != delays(8)
    ceilings = list(RetryPolicy(max_attempts=8, base_delay=1, max_delay=60).delays())
    assert delays(7) != ceilings


@given(
    max_attempts=st.integers(min_value=1, max_value=30),
    base=st.floats(min_value=0, max_value=5),
    multiplier=st.floats(min_value=1, max_value=4),
    extra=st.floats(min_value=0, max_value=100),
    seed=st.integers(),
)
def test_jittered_delays_stay_within_zero_and_the_capped_ceiling(
    max_attempts, base, multiplier, extra, seed
):
    policy = RetryPolicy(
        max_attempts=max_attempts,
        base_delay=base,
        multiplier=multiplier,
        max_delay=base + extra,
        jitter=random.Random(seed),
    )

    delays = list(policy.delays())

    assert len(delays) == max_attempts - 1
    for retry, delay in enumerate(delays):
        assert 0 <= delay <= policy.ceiling(retry) <= policy.max_delay


@given(retry=st.integers(min_value=0, max_value=10_000))
def test_ceilings_never_shrink_and_never_pass_the_cap(retry):
    policy = RetryPolicy(base_delay=0.1, multiplier=3, max_delay=7)

    assert policy.ceiling(retry) <= policy.ceiling(retry + 1) <= 7


@pytest.mark.parametrize(
    "arguments",
    [
        {"max_attempts": 0},
        {"base_delay": -1},
        {"base_delay": 5, "max_delay": 1},
        {"multiplier": 0.5},
    ],
)
def test_a_nonsensical_policy_is_refused(arguments):
    with pytest.raises(ValueError):
        RetryPolicy(**arguments)


# --- classification -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "retryable", "sent", "counts"),
    [
        (Failure(FailureKind.CONNECT_REFUSED), True, False, True),
        (Failure(FailureKind.CONNECT_TIMEOUT), True, False, True),
        (Failure(FailureKind.TIMEOUT), True, True, True),
        (Failure(FailureKind.CONNECTION_RESET), True, True, True),
        (Failure(FailureKind.HTTP_STATUS, status=500), True, True, True),
        (Failure(FailureKind.HTTP_STATUS, status=502), True, True, True),
        (Failure(FailureKind.HTTP_STATUS, status=503), True, True, True),
        (Failure(FailureKind.HTTP_STATUS, status=504), True, True, True),
        (Failure(FailureKind.HTTP_STATUS, status=501), False, True, True),
        (Failure(FailureKind.HTTP_STATUS, status=400), False, True, False),
        (Failure(FailureKind.HTTP_STATUS, status=401), False, True, False),
        (Failure(FailureKind.HTTP_STATUS, status=404), False, True, False),
        (Failure(FailureKind.HTTP_STATUS, status=409), False, True, False),
        (Failure(FailureKind.MALFORMED), True, True, True),
        (Failure(FailureKind.SIGNATURE), False, True, True),
    ],
    ids=lambda value: value.describe() if isinstance(value, Failure) else None,
)
def test_failures_are_classified_for_retry_and_for_the_breaker(failure, retryable, sent, counts):
    assert failure.retryable is retryable
    assert failure.request_sent is sent
    assert failure.counts_against_breaker is counts


def test_a_2xx_status_is_no_failure_and_anything_else_is():
    assert status_failure(200) is None
    assert status_failure(204) is None
    assert status_failure(302) == Failure(FailureKind.HTTP_STATUS, "", 302)
    assert status_failure(503, "系统维护中") == Failure(FailureKind.HTTP_STATUS, "系统维护中", 503)


def test_failures_describe_themselves_in_chinese():
    assert Failure(FailureKind.TIMEOUT, "10 秒内未返回").describe() == "响应超时（10 秒内未返回）"
    assert Failure(FailureKind.HTTP_STATUS, status=503).describe() == "返回错误状态 HTTP 503"


@pytest.mark.parametrize(
    ("failure", "idempotent", "limit"),
    [
        (Failure(FailureKind.TIMEOUT), True, 5),
        (Failure(FailureKind.TIMEOUT), False, 1),  # the partner may have acted on it
        (Failure(FailureKind.HTTP_STATUS, status=503), False, 1),
        (Failure(FailureKind.CONNECT_REFUSED), False, 5),  # never sent: safe to resend
        (Failure(FailureKind.CONNECT_TIMEOUT), False, 5),
        (Failure(FailureKind.MALFORMED), True, MALFORMED_MAX_ATTEMPTS),
        (Failure(FailureKind.MALFORMED), False, 1),
        (Failure(FailureKind.HTTP_STATUS, status=404), True, 1),
        (Failure(FailureKind.SIGNATURE), True, 1),
    ],
)
def test_how_many_attempts_a_failure_allows(failure, idempotent, limit):
    assert attempt_limit(failure, max_attempts=5, idempotent=idempotent) == limit


@given(
    kind=st.sampled_from(FailureKind),
    status=st.integers(min_value=100, max_value=599),
    max_attempts=st.integers(min_value=1, max_value=20),
    idempotent=st.booleans(),
)
def test_attempt_limits_are_between_one_and_the_policy_maximum(
    kind, status, max_attempts, idempotent
):
    failure = Failure(kind, status=status if kind is FailureKind.HTTP_STATUS else None)

    limit = attempt_limit(failure, max_attempts=max_attempts, idempotent=idempotent)

    assert 1 <= limit <= max_attempts
    if not failure.retryable:
        assert limit == 1


# --- circuit breaker ------------------------------------------------------------------------


def test_a_new_breaker_is_closed_and_lets_calls_through():
    breaker = CircuitBreaker(GONGAN)

    breaker.acquire(T0)

    assert breaker.snapshot().state is BreakerState.CLOSED


def test_the_breaker_opens_after_the_threshold_of_consecutive_failures():
    breaker = CircuitBreaker(GONGAN, failure_threshold=3)
    breaker.record_failure(T0, "连接被拒绝")
    breaker.record_failure(T0, "连接被拒绝")
    assert breaker.try_acquire(T0)

    breaker.record_failure(T0, "响应超时")

    snapshot = breaker.snapshot()
    assert snapshot.state is BreakerState.OPEN
    assert snapshot.consecutive_failures == 3
    assert snapshot.opened_at == T0
    assert snapshot.last_error == "响应超时"
    assert not breaker.try_acquire(T0 + timedelta(seconds=29))


def test_a_success_resets_the_failure_streak():
    breaker = CircuitBreaker(GONGAN, failure_threshold=3)
    for _ in range(2):
        breaker.record_failure(T0, "响应超时")
    breaker.record_success(T0)
    for _ in range(2):
        breaker.record_failure(T0, "响应超时")

    snapshot = breaker.snapshot()
    assert snapshot.state is BreakerState.CLOSED
    assert snapshot.consecutive_failures == 2
    assert snapshot.last_success == T0


def test_an_open_breaker_refuses_with_the_partner_and_the_retry_time_in_beijing_time():
    breaker = opened_breaker()

    with pytest.raises(CircuitOpenError) as refused:
        breaker.acquire(T0 + timedelta(seconds=10))

    assert isinstance(refused.value, UnavailableError)
    assert refused.value.retry_at == T0 + timedelta(seconds=30)
    assert GONGAN in refused.value.message
    assert "2026-11-23 10:30:30（北京时间）" in refused.value.message
    assert "响应超时" in refused.value.message


def test_after_the_reset_timeout_exactly_one_trial_call_is_let_through():
    breaker = opened_breaker()
    later = T0 + timedelta(seconds=30)

    assert breaker.try_acquire(later)
    assert breaker.snapshot().state is BreakerState.HALF_OPEN
    assert not breaker.try_acquire(later)
    with pytest.raises(CircuitOpenError, match="试探恢复"):
        breaker.acquire(later + timedelta(seconds=1))


def test_a_successful_trial_closes_the_breaker():
    breaker = opened_breaker()
    later = T0 + timedelta(seconds=31)
    breaker.acquire(later)

    breaker.record_success(later)

    snapshot = breaker.snapshot()
    assert snapshot.state is BreakerState.CLOSED
    assert snapshot.consecutive_failures == 0
    assert snapshot.opened_at is None
    assert snapshot.retry_at is None
    assert breaker.try_acquire(later)


def test_a_failed_trial_opens_the_breaker_again_for_another_full_timeout():
    breaker = opened_breaker()
    later = T0 + timedelta(seconds=31)
    breaker.acquire(later)

    breaker.record_failure(later, "返回错误状态 HTTP 503")

    snapshot = breaker.snapshot()
    assert snapshot.state is BreakerState.OPEN
    assert snapshot.opened_at == later
    assert snapshot.retry_at == later + timedelta(seconds=30)
    assert not breaker.try_acquire(later + timedelta(seconds=29))
    assert breaker.try_acquire(later + timedelta(seconds=30))


def test_a_trial_whose_caller_never_reports_back_is_given_up_after_another_timeout():
    breaker = opened_breaker()
    trial = T0 + timedelta(seconds=30)
    assert breaker.try_acquire(trial)

    assert not breaker.try_acquire(trial + timedelta(seconds=29))
    assert breaker.try_acquire(trial + timedelta(seconds=30))


@pytest.mark.parametrize(("threshold", "reset"), [(0, timedelta(seconds=1)), (1, timedelta(0))])
def test_a_nonsensical_breaker_is_refused(threshold, reset):
    with pytest.raises(ValueError):
        CircuitBreaker(GONGAN, failure_threshold=threshold, reset_timeout=reset)


@given(outcomes=st.lists(st.booleans(), max_size=60))
def test_the_breaker_is_open_exactly_when_the_last_failures_reach_the_threshold(outcomes):
    breaker = CircuitBreaker(GONGAN, failure_threshold=4)
    streak = 0
    for succeeded in outcomes:
        if succeeded:
            breaker.record_success(T0)
            streak = 0
        else:
            breaker.record_failure(T0, "响应超时")
            streak += 1

    assert breaker.snapshot().consecutive_failures == streak
    assert (breaker.snapshot().state is BreakerState.OPEN) == (streak >= 4)


class YieldingInstant(datetime):
    """An instant that gives up the CPU whenever it is compared, so that two threads
    checking the breaker interleave exactly where an unlocked check-then-set would race."""

    def __lt__(self, other: object) -> bool:
        time.sleep(0.002)
        return super().__lt__(other)  # type: ignore[operator]


def test_of_many_threads_racing_for_the_half_open_trial_only_one_wins():
    breaker = opened_breaker()
    later = YieldingInstant.fromtimestamp((T0 + timedelta(seconds=30)).timestamp(), UTC)
    start = threading.Barrier(16)
    wins: list[bool] = []
    lock = threading.Lock()

    def race() -> None:
        start.wait()
        admitted = breaker.try_acquire(later)
        with lock:
            wins.append(admitted)

    threads = [threading.Thread(target=race) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(wins) == [False] * 15 + [True]
