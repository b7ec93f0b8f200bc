"""The HTTP and JSON details of partner calls, in our terms.

How partner connections are set up (explicit timeouts, no proxies from the environment),
what an ``httpx`` exception means for retrying (was the request sent at all?), and strict
reading of a JSON answer.
"""

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import httpx

from retirelink.errors import PartnerResponseError
from retirelink.exchange.resilience import Failure, FailureKind

JsonObject = dict[str, Any]
_DETAIL_MAX = 200


@dataclass(frozen=True, slots=True)
class PartnerTimeouts:
    """Seconds to wait for a connection, for an answer, to send, and for a pooled slot."""

    connect: float = 3.0
    read: float = 10.0
    write: float = 10.0
    pool: float = 5.0


def build_http_client(
    timeouts: PartnerTimeouts = PartnerTimeouts(),
    *,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` for partner calls; the caller closes it."""
    # trust_env=False: on the government private network no proxy from the environment may
    # silently sit between us and a partner; redirects are answers to report, not follow.
    return httpx.Client(
        timeout=httpx.Timeout(
            connect=timeouts.connect, read=timeouts.read, write=timeouts.write, pool=timeouts.pool
        ),
        transport=transport,
        trust_env=False,
        follow_redirects=False,
    )


def _seconds(value: float | None) -> str:
    return "不限时" if value is None else f"{value:g} 秒"


def transport_failure(error: httpx.TransportError, timeout: httpx.Timeout) -> Failure:
    """What a transport exception means for retrying: was the request sent at all?"""
    if isinstance(error, httpx.ConnectTimeout):
        return Failure(FailureKind.CONNECT_TIMEOUT, f"{_seconds(timeout.connect)}内未建立连接")
    if isinstance(error, httpx.PoolTimeout):
        return Failure(FailureKind.CONNECT_TIMEOUT, "等待空闲连接超时")
    if isinstance(error, httpx.TimeoutException):
        return Failure(FailureKind.TIMEOUT, f"{_seconds(timeout.read)}内未返回")
    if isinstance(error, httpx.ConnectError):
        return Failure(FailureKind.CONNECT_REFUSED)
    return Failure(FailureKind.CONNECTION_RESET)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def parse_json_object(content: bytes, required: Collection[str] = ()) -> JsonObject:
    """Strict JSON: an object holding ``required`` keys; else ``PartnerResponseError`` (中文)."""
    try:
        data = json.loads(content, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise PartnerResponseError("应答不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise PartnerResponseError("应答应为 JSON 对象")
    missing = [key for key in required if key not in data]
    if missing:
        raise PartnerResponseError(f"应答缺少字段 {'、'.join(missing)}")
    return data


def partner_detail(response: httpx.Response) -> str:
    """The partner's own 中文 reason from an error answer, when it gave one."""
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError):
        return ""
    detail = data.get("detail") or data.get("message") if isinstance(data, dict) else None
    return detail[:_DETAIL_MAX] if isinstance(detail, str) else ""
