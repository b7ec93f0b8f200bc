"""What HTTP and JSON problems mean in our terms: retryable or not, sent or not, readable or not."""

import httpx
import pytest

from retirelink.clock import FixedClock
from retirelink.errors import PartnerResponseError
from retirelink.exchange.resilience import CircuitBreaker, FailureKind, RetryPolicy
from retirelink.exchange.sources.http_wire import (
    PartnerTimeouts,
    build_http_client,
    parse_json_object,
    partner_detail,
    transport_failure,
)
from retirelink.exchange.sources.partner_client import PartnerHttpClient
from tests.fakes import FAKE_NOW

TIMEOUT = httpx.Timeout(connect=3, read=10, write=10, pool=5)


@pytest.mark.parametrize(
    ("error", "kind", "detail"),
    [
        (httpx.ConnectTimeout("x"), FailureKind.CONNECT_TIMEOUT, "3 秒内未建立连接"),
        (httpx.PoolTimeout("x"), FailureKind.CONNECT_TIMEOUT, "等待空闲连接超时"),
        (httpx.ReadTimeout("x"), FailureKind.TIMEOUT, "10 秒内未返回"),
        (httpx.WriteTimeout("x"), FailureKind.TIMEOUT, "10 秒内未返回"),
        (httpx.ConnectError("x"), FailureKind.CONNECT_REFUSED, ""),
        (httpx.ReadError("x"), FailureKind.CONNECTION_RESET, ""),
        (httpx.RemoteProtocolError("x"), FailureKind.CONNECTION_RESET, ""),
    ],
)
def test_transport_errors_are_classified(error, kind, detail):
    failure = transport_failure(error, TIMEOUT)

    assert (failure.kind, failure.detail) == (kind, detail)
    assert failure.retryable


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "应答不是有效的 JSON"),
        (b"", "应答不是有效的 JSON"),
        (b'{"a": NaN}', "应答不是有效的 JSON"),
        (b"\xff\xfe{", "应答不是有效的 JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "应答不是有效的 JSON"),
        (b"[1, 2]", "应答应为 JSON 对象"),
        (b'"ok"', "应答应为 JSON 对象"),
        (b'{"found": true}', "应答缺少字段 match、record"),
    ],
)
def test_anything_but_an_object_with_the_required_keys_is_refused(content, message):
    with pytest.raises(PartnerResponseError, match=message):
        parse_json_object(content, ("found", "match", "record"))


def test_a_good_object_is_returned_as_is():
    data = '{"found": true, "match": true, "record": {"xm": "张三"}}'.encode()

    assert parse_json_object(data, ("found",)) == {
        "found": True,
        "match": True,
        "record": {"xm": "张三"},
    }


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ('{"detail": "系统维护中"}'.encode(), "系统维护中"),
        ('{"message": "请求过于频繁"}'.encode(), "请求过于频繁"),
        (b'{"detail": {"code": 1}}', ""),
        (b"<html>oops</html>", ""),
        (('{"detail": "' + "错" * 500 + '"}').encode(), "错" * 200),
    ],
)
def test_the_partner_reason_is_taken_from_an_error_answer_when_readable(content, detail):
    assert partner_detail(httpx.Response(503, content=content)) == detail


def test_partner_clients_are_built_with_every_timeout_and_no_environment_proxies():
    with build_http_client(PartnerTimeouts(connect=1, read=2, write=3, pool=4)) as http:
        assert http.timeout == httpx.Timeout(connect=1, read=2, write=3, pool=4)
        assert not http.trust_env
        assert not http.follow_redirects


def test_a_client_without_explicit_timeouts_is_refused():
    with httpx.Client(timeout=None) as unbounded, pytest.raises(ValueError, match="timeouts"):
        PartnerHttpClient(
            "http://127.0.0.1:1",
            client_id="SHEBAO-130406",
            key=b"k" * 32,
            http=unbounded,
            retry=RetryPolicy(),
            breaker=CircuitBreaker("公安（GONGAN）"),
            clock=FixedClock(FAKE_NOW),
        )
