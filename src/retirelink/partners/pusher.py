"""A partner pushing event records to the platform: ``POST /api/v1/partner/notices``.

The request is signed as the department (its ``client_id`` and the key it shares with us, or
its SM2 private key: ``SM2-SM3``), for a catalogue item and a purpose. The platform answers a
receipt signed with the shared key whose ``payload_digest`` is the SM3 of the body it
received; both are checked here, so a partner holds evidence that the platform received
exactly what was sent. (A department registered with SM2 only gets a receipt signed with the
platform's own key, which it cannot check: then only the digest and the item are.) Anything else in
the answer is an error: ``UnavailableError`` when the platform cannot be reached,
``AuthenticationError`` when it refuses the signature, ``PartnerResponseError`` when the
answer cannot be trusted or read.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from retirelink.clock import Clock, SystemClock
from retirelink.errors import (
    AuthenticationError,
    InvalidInputError,
    PartnerResponseError,
    UnavailableError,
)
from retirelink.exchange.model import Purpose
from retirelink.exchange.receipts import Receipt, receipt_from_dict, verify_receipt
from retirelink.exchange.signing import sign_request
from retirelink.security.crypto import digest_hex
from retirelink.security.sm2 import SM2PrivateKey

NOTICES_PATH = "/api/v1/partner/notices"
DEFAULT_PLATFORM = "http://127.0.0.1:8000"
STATUSES = ("applied", "duplicate", "rejected")
DEATH_RECORD_TYPE = "死亡注销"


@dataclass(frozen=True)
class NoticeRecord:
    """One event record in our field names (docs/exchange.md)."""

    id_number: str
    name: str
    event_date: date
    end_date: date | None = None
    record_type: str = ""

    def to_dict(self) -> dict[str, str | None]:
        return {
            "id_number": self.id_number,
            "name": self.name,
            "event_date": self.event_date.isoformat(),
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "record_type": self.record_type,
        }


@dataclass(frozen=True)
class PushResult:
    status: str  # applied | duplicate | rejected
    receipt: Receipt  # payload digest (and, with a receipt key, signature) already verified
    issues: tuple[Mapping[str, Any], ...]
    http_status: int
    body: bytes  # exactly what was sent (its SM3 is the receipt's payload_digest)
    receipt_signature_checked: bool = True


def notices_body(message_id: str, records: Sequence[NoticeRecord]) -> bytes:
    payload = {"message_id": message_id, "records": [record.to_dict() for record in records]}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def death_message_id(id_number: str, died_on: date) -> str:
    """Deterministic, so pushing the same death twice is recognised as a duplicate."""
    return f"GA-{died_on:%Y%m%d}-{digest_hex(f'{id_number}|{died_on}'.encode())[:12]}"


def death_notice(id_number: str, name: str, died_on: date) -> NoticeRecord:
    return NoticeRecord(id_number, name, died_on, None, DEATH_RECORD_TYPE)


def _error_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, dict):
        return str(data.get("error") or data.get("detail") or data)
    return str(data)[:200]


def _parse_answer(response: httpx.Response) -> dict[str, Any]:
    if response.status_code == 401:
        raise AuthenticationError(f"平台拒绝了本部门的签名：{_error_message(response)}")
    if response.status_code not in (200, 422):
        raise PartnerResponseError(
            f"平台返回 HTTP {response.status_code}：{_error_message(response)}"
        )
    try:
        answer = response.json()
    except ValueError:
        raise PartnerResponseError("平台的应答不是有效的 JSON") from None
    if not isinstance(answer, dict) or answer.get("status") not in STATUSES:
        raise PartnerResponseError("平台的应答缺少有效的处理状态（status）")
    if (answer["status"] == "rejected") != (response.status_code == 422):
        raise PartnerResponseError(
            f"平台的处理状态 {answer['status']} 与 HTTP {response.status_code} 不符"
        )
    if not isinstance(answer.get("receipt"), dict) or not isinstance(answer.get("issues"), list):
        raise PartnerResponseError("平台的应答缺少回执（receipt）或问题列表（issues）")
    return answer


def _checked_receipt(
    data: Mapping[str, Any], *, key: bytes | None, item: str, body: bytes
) -> Receipt:
    try:
        receipt = receipt_from_dict(data)
    except InvalidInputError as error:
        raise PartnerResponseError(f"平台回执无法解析：{error.message}") from None
    if key is not None and not verify_receipt(receipt, key):
        raise PartnerResponseError(f"平台回执 {receipt.receipt_id} 的签名无效")
    if receipt.payload_digest != digest_hex(body):
        raise PartnerResponseError(
            f"平台回执 {receipt.receipt_id} 的载荷摘要与本部门发送的请求体不一致"
        )
    if receipt.item != item:
        raise PartnerResponseError(f"平台回执 {receipt.receipt_id} 的数据项不是 {item}")
    return receipt


def push_notices(
    platform_url: str,
    *,
    client_id: str,
    key: bytes | SM2PrivateKey,
    item: str,
    message_id: str,
    records: Sequence[NoticeRecord],
    purpose: str = Purpose.BENEFIT_SUSPENSION.value,
    receipt_key: bytes | None = None,
    clock: Clock | None = None,
    timeout: float = 10.0,
    transport: httpx.BaseTransport | None = None,
) -> PushResult:
    """Sign and send ``records`` of ``item`` as ``client_id``; verify the receipt returned.

    ``key`` is the shared HMAC-SM3 key or the department's SM2 private key. The receipt's
    signature is checked with ``receipt_key`` (default: ``key`` when it is the shared key);
    with neither, only its payload digest and item are (``receipt_signature_checked`` False).
    """
    if receipt_key is None and isinstance(key, bytes):
        receipt_key = key
    url = httpx.URL(platform_url.rstrip("/") + NOTICES_PATH)
    body = notices_body(message_id, records)
    now = (clock or SystemClock()).now()
    headers = sign_request(
        "POST",
        url.path,
        {},
        body,
        client_id=client_id,
        key=key,
        item=item,
        purpose=purpose,
        now=now,
    )
    headers["Content-Type"] = "application/json; charset=utf-8"
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            response = client.post(url, content=body, headers=headers)
    except httpx.TransportError as error:
        raise UnavailableError(f"无法连接平台 {platform_url}：{error}") from None
    answer = _parse_answer(response)
    receipt = _checked_receipt(answer["receipt"], key=receipt_key, item=item, body=body)
    return PushResult(
        status=str(answer["status"]),
        receipt=receipt,
        issues=tuple(issue for issue in answer["issues"] if isinstance(issue, dict)),
        http_status=response.status_code,
        body=body,
        receipt_signature_checked=receipt_key is not None,
    )
