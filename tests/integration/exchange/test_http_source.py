"""Pulling a partner's change feed over real HTTP on loopback, with a partner that misbehaves:
retries, timeouts, the circuit breaker, malformed answers and fresh signatures per attempt."""

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from retirelink.clock import FixedClock
from retirelink.errors import PartnerResponseError, UnavailableError
from retirelink.exchange.digests import batch_digest
from retirelink.exchange.model import BreakerState
from retirelink.exchange.resilience import (
    CircuitBreaker,
    CircuitOpenError,
    FailureKind,
    PartnerUnavailableError,
    RetryPolicy,
)
from retirelink.exchange.signing import sign_request
from retirelink.exchange.sources.http_api import HttpDepartmentSource
from retirelink.exchange.sources.http_wire import PartnerTimeouts, build_http_client
from retirelink.exchange.sources.partner_client import CallOutcome, PartnerHttpClient
from tests.support.flaky_partner import FlakyPartner, Mode, flaky_partner

pytestmark = pytest.mark.integration

OUR_ID = "SHEBAO-130406"
KEY = bytes.fromhex("5a" * 32)
ITEM = "public_security.death_cancellation"
PURPOSE = "benefit_suspension"
PARTNER = "公安（GONGAN）"
# Long enough for a loaded CI machine to answer normally, short enough to keep tests quick.
READ_TIMEOUT = 0.5
RESET = timedelta(seconds=30)
RECORDS = [
    {
        "seq": seq,
        "gmsfhm": f"13040619500101{seq:03d}X",
        "xm": "张三" if seq % 2 else "李𠮷",
        "swrq": "20261130",
        "zxyy": None if seq % 3 else "死亡注销",
    }
    for seq in range(1, 26)
]


class Harness:
    """Our client against the flaky partner; ``sleep`` advances the shared clock instead of
    waiting, and remembers each backoff delay."""

    def __init__(
        self, partner: FlakyPartner, clock: FixedClock, *, key: bytes = KEY, threshold: int = 3
    ) -> None:
        self.partner = partner
        self.clock = clock
        self.slept: list[float] = []
        self.breaker = CircuitBreaker(PARTNER, failure_threshold=threshold, reset_timeout=RESET)
        timeouts = PartnerTimeouts(connect=2.0, read=READ_TIMEOUT, write=2.0, pool=2.0)
        self.http = build_http_client(timeouts)
        self.client = PartnerHttpClient(
            partner.url,
            client_id=OUR_ID,
            key=key,
            http=self.http,
            retry=RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4),
            breaker=self.breaker,
            clock=clock,
            sleep=self.sleep,
        )
        self.source = HttpDepartmentSource(
            self.client, ITEM, name=f"{ITEM}@http", purpose=PURPOSE, count_page_size=10
        )

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))

    def get_changes(self) -> dict[str, object]:
        return self.client.get_json(
            "/api/changes", {"item": ITEM, "limit": "5"}, item=ITEM, purpose=PURPOSE
        )


@pytest.fixture
def partner(clock: FixedClock) -> Iterator[FlakyPartner]:
    with flaky_partner(
        client_id=OUR_ID, key=KEY, clock=clock, item=ITEM, records=RECORDS, slow_seconds=2.0
    ) as running:
        yield running


@pytest.fixture
def harness(partner: FlakyPartner, clock: FixedClock) -> Iterator[Harness]:
    built = Harness(partner, clock)
    yield built
    built.http.close()


def test_a_pull_returns_the_records_in_order_with_text_fields_and_the_batch_digest(harness):
    batch = harness.source.fetch_changes(None, limit=10)

    assert [record.position for record in batch.records] == [str(n) for n in range(1, 11)]
    assert batch.records[1].fields == {
        "gmsfhm": "13040619500101002X",
        "xm": "李𠮷",
        "swrq": "20261130",
    }  # zxyy was null: a missing field, and seq is the position, not a field
    assert batch.records[2].fields["zxyy"] == "死亡注销"
    assert (batch.after, batch.next_after, batch.has_more) == (None, "10", True)
    assert batch.digest == batch_digest(batch.records)
    assert batch.source == f"{ITEM}@http"


def test_pulls_resume_from_the_cursor_until_the_feed_is_drained(harness):
    positions, cursor, has_more = [], None, True
    while has_more:
        batch = harness.source.fetch_changes(cursor, limit=10)
        positions += [int(record.position) for record in batch.records]
        cursor, has_more = batch.next_after, batch.has_more

    assert positions == list(range(1, 26))
    empty = harness.source.fetch_changes(cursor, limit=10)
    assert (empty.records, empty.next_after, empty.has_more) == ((), "25", False)


def test_count_between_pages_through_the_feed(harness):
    assert harness.source.count_between("3", "17") == 14
    assert [r.query["after"] for r in harness.partner.seen] == [["3"], ["13"]]
    assert harness.source.count_between(None, "25") == 25
    assert harness.source.count_between("20", "20") == 0


def test_retryable_failures_are_retried_with_backoff_until_the_partner_answers(harness):
    harness.partner.script(Mode.UNAVAILABLE_503, Mode.ERROR_500)

    batch = harness.source.fetch_changes(None, limit=5)

    assert batch.count == 5
    assert len(harness.partner.seen) == 3
    assert harness.slept == [0.5, 1.0]
    call = harness.client.last_call
    assert call is not None
    assert (call.attempts, call.outcome, call.failure) == (3, CallOutcome.OK, None)
    assert call.latency_seconds > 0
    assert harness.breaker.snapshot().consecutive_failures == 0


def test_every_attempt_is_signed_afresh_so_the_partner_never_sees_a_replay(harness):
    harness.partner.script(Mode.UNAVAILABLE_503, Mode.UNAVAILABLE_503)

    harness.get_changes()

    seen = harness.partner.seen
    assert len(seen) == 3
    assert [request.refused for request in seen] == [None, None, None]
    assert len({request.nonce for request in seen}) == 3


def test_the_partner_refuses_a_replayed_request(partner, clock):
    headers = sign_request(
        "GET", "/api/changes", {"item": ITEM}, b"", client_id=OUR_ID, key=KEY,
        item=ITEM, purpose=PURPOSE, now=clock.now(),
    )  # fmt: skip
    with httpx.Client(trust_env=False) as raw:
        first = raw.get(f"{partner.url}/api/changes", params={"item": ITEM}, headers=headers)
        replay = raw.get(f"{partner.url}/api/changes", params={"item": ITEM}, headers=headers)

    assert first.status_code == 200
    assert replay.status_code == 401
    assert "重放" in replay.json()["detail"]


def test_a_partner_that_never_answers_in_time_is_unavailable_after_every_attempt(harness):
    harness.partner.mode = Mode.SLOW

    with pytest.raises(PartnerUnavailableError) as failed:
        harness.source.fetch_changes(None, limit=5)

    assert isinstance(failed.value, UnavailableError)
    assert failed.value.attempts == 3
    assert failed.value.failure.kind is FailureKind.TIMEOUT
    assert failed.value.message == (
        f"{PARTNER}响应超时（{READ_TIMEOUT:g} 秒内未返回）：GET /api/changes，共尝试 3 次"
    )
    assert len(harness.partner.seen) == 3


def test_the_breaker_opens_after_repeated_failures_and_then_refuses_without_calling(harness):
    harness.partner.mode = Mode.UNAVAILABLE_503
    with pytest.raises(PartnerUnavailableError, match="HTTP 503（系统维护中）"):
        harness.get_changes()
    assert harness.breaker.snapshot().state is BreakerState.OPEN
    calls_before = len(harness.partner.seen)

    with pytest.raises(CircuitOpenError) as refused:
        harness.get_changes()

    assert len(harness.partner.seen) == calls_before == 3
    assert PARTNER in refused.value.message
    assert "北京时间" in refused.value.message
    assert refused.value.retry_at == harness.breaker.snapshot().opened_at + RESET
    call = harness.client.last_call
    assert call is not None
    assert (call.attempts, call.outcome) == (0, CallOutcome.CIRCUIT_OPEN)


def test_retries_stop_without_waiting_once_the_breaker_has_opened(partner, clock):
    partner.mode = Mode.ERROR_500
    quick_to_open = Harness(partner, clock, threshold=2)
    try:
        with pytest.raises(PartnerUnavailableError) as failed:
            quick_to_open.get_changes()
    finally:
        quick_to_open.http.close()

    assert failed.value.attempts == 2
    assert quick_to_open.slept == [0.5]
    assert len(partner.seen) == 2


def test_the_breaker_lets_one_trial_through_and_closes_when_the_partner_is_back(harness):
    harness.partner.stop()
    with pytest.raises(PartnerUnavailableError, match="无法连接"):
        harness.get_changes()
    assert harness.breaker.snapshot().state is BreakerState.OPEN
    harness.partner.start()
    assert harness.partner.seen == []

    harness.clock.advance(RESET)
    answer = harness.get_changes()

    assert len(answer["records"]) == 5
    assert len(harness.partner.seen) == 1
    snapshot = harness.breaker.snapshot()
    assert snapshot.state is BreakerState.CLOSED
    assert snapshot.last_success == harness.clock.now()
    assert snapshot.last_error is not None and "无法连接" in snapshot.last_error


def test_a_failed_trial_is_not_retried_and_opens_the_breaker_again(harness):
    harness.partner.mode = Mode.UNAVAILABLE_503
    with pytest.raises(PartnerUnavailableError):
        harness.get_changes()
    harness.clock.advance(RESET)

    with pytest.raises(PartnerUnavailableError) as failed:
        harness.get_changes()

    assert failed.value.attempts == 1
    assert len(harness.partner.seen) == 3 + 1
    assert harness.breaker.snapshot().state is BreakerState.OPEN
    assert harness.breaker.snapshot().opened_at == harness.clock.now()


def test_garbage_is_a_partner_response_error_after_one_retry(harness):
    harness.partner.mode = Mode.GARBAGE

    with pytest.raises(PartnerResponseError) as failed:
        harness.source.fetch_changes(None, limit=5)

    assert "应答不是有效的 JSON" in failed.value.message
    assert PARTNER in failed.value.message
    assert len(harness.partner.seen) == 2
    assert harness.breaker.snapshot().consecutive_failures == 2


def test_an_answer_of_the_wrong_shape_is_a_partner_response_error(harness):
    harness.partner.mode = Mode.WRONG_SHAPE

    with pytest.raises(PartnerResponseError, match="第 1 条记录的 seq 缺失或不是整数"):
        harness.source.fetch_changes(None, limit=5)

    assert len(harness.partner.seen) == 2


def test_a_malformed_answer_followed_by_a_good_one_succeeds(harness):
    harness.partner.script(Mode.GARBAGE)

    assert harness.source.fetch_changes(None, limit=5).count == 5
    assert len(harness.partner.seen) == 2


def test_a_non_idempotent_post_is_not_resent_after_it_may_have_reached_the_partner(harness):
    harness.partner.script(Mode.UNAVAILABLE_503)

    with pytest.raises(PartnerUnavailableError) as failed:
        harness.client.post_json(
            "/api/disputes", {"item": ITEM}, item=ITEM, purpose=PURPOSE, idempotent=False
        )

    assert failed.value.attempts == 1
    assert [request.method for request in harness.partner.seen] == ["POST"]
    assert harness.slept == []


def test_an_idempotent_post_is_resent_with_the_same_body(harness):
    harness.partner.script(Mode.ERROR_500)
    body = {"request_id": "ZJ-2026-0001", "id_number": "13040619500101011X", "name": "张三"}

    answer = harness.client.post_json(
        "/api/housing-fund/retirement-withdrawals",
        body,
        item="housing_fund.deposits_and_withdrawals",
        purpose="retirement_review",
        idempotent=True,
        required=("accepted",),
    )

    assert answer["echo"] == body
    seen = harness.partner.seen
    assert len(seen) == 2
    assert seen[0].body == seen[1].body
    assert seen[0].nonce != seen[1].nonce


def test_a_post_that_could_not_connect_is_resent_even_when_not_idempotent(harness):
    harness.partner.stop()

    with pytest.raises(PartnerUnavailableError) as failed:
        harness.client.post_json(
            "/api/disputes", {"item": ITEM}, item=ITEM, purpose=PURPOSE, idempotent=False
        )

    assert failed.value.attempts == 3
    assert failed.value.failure.kind is FailureKind.CONNECT_REFUSED
    assert f"{PARTNER}无法连接" in failed.value.message


def test_a_refusal_by_the_partner_is_not_retried_and_does_not_open_the_breaker(partner, clock):
    wrong_key = Harness(partner, clock, key=bytes.fromhex("a5" * 32))
    try:
        with pytest.raises(PartnerUnavailableError) as failed:
            wrong_key.get_changes()
    finally:
        wrong_key.http.close()

    assert failed.value.failure.status == 401
    assert "请求签名无效" in failed.value.message  # the partner's own reason, passed on
    assert len(partner.seen) == 1
    assert wrong_key.breaker.snapshot().state is BreakerState.CLOSED
    assert wrong_key.breaker.snapshot().consecutive_failures == 0


def test_missing_keys_in_an_answer_are_a_partner_response_error(harness):
    with pytest.raises(PartnerResponseError, match="应答缺少字段 receipt"):
        harness.client.post_json(
            "/api/disputes",
            {"dispute_id": "YY-1"},
            item=ITEM,
            purpose=PURPOSE,
            idempotent=True,
            required=("receipt",),
        )
