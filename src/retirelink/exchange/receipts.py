"""Exchange receipts (回执): the evidence both sides of a transfer keep.

A receipt states what was exchanged (partner, catalogue item, SM3 digest of the payload),
how many records it held, how many were accepted and rejected, and when. The issuer signs
the canonical JSON with the HMAC-SM3 key it shares with the partner, so the partner can
check that the receipt it was handed is the one we ledgered, byte for byte. (A partner
registered with SM2 public keys only shares no key: its receipts are signed with the
platform's own receipt key, ``PartnerLink.receipt_key``.)
Pure module: no clock, no I/O.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from retirelink.errors import InvalidInputError
from retirelink.ledger.chain import canonical_json
from retirelink.security.crypto import constant_time_equal, hmac_hex

RECEIPT_VERSION = "RL-RECEIPT-1"
_HEX64_RE = re.compile(r"[0-9a-f]{64}")


class Direction(StrEnum):
    INBOUND = "inbound"  # the partner sent, we received
    OUTBOUND = "outbound"  # we sent, the partner received


@dataclass(frozen=True)
class Receipt:
    receipt_id: str
    direction: Direction
    partner: str
    item: str
    payload_digest: str
    record_count: int
    accepted: int
    rejected: int
    received_at: datetime
    our_signature: str

    def signed_fields(self) -> dict[str, Any]:
        """Every field except the signature, in wire form."""
        return {
            "version": RECEIPT_VERSION,
            "receipt_id": self.receipt_id,
            "direction": self.direction.value,
            "partner": self.partner,
            "item": self.item,
            "payload_digest": self.payload_digest,
            "record_count": self.record_count,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "received_at": self.received_at.astimezone(UTC).isoformat(timespec="microseconds"),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON object returned to the partner."""
        return {**self.signed_fields(), "our_signature": self.our_signature}


def canonical_receipt(receipt: Receipt) -> bytes:
    return canonical_json(receipt.signed_fields())


def _check_fields(
    receipt_id: str,
    partner: str,
    item: str,
    payload_digest: str,
    counts: tuple[int, int, int],
    received_at: datetime,
) -> None:
    for name, text in (("receipt_id", receipt_id), ("partner", partner), ("item", item)):
        if not text.strip():
            raise InvalidInputError(f"回执字段 {name} 不能为空", field=name)
    if not _HEX64_RE.fullmatch(payload_digest):
        raise InvalidInputError("载荷摘要应为 64 位小写十六进制 SM3 摘要", field="payload_digest")
    record_count, accepted, rejected = counts
    if min(counts) < 0:
        raise InvalidInputError("回执中的记录数不能为负数", field="record_count")
    if accepted + rejected != record_count:
        raise InvalidInputError(
            f"接收数 {accepted} 与拒收数 {rejected} 之和不等于记录总数 {record_count}",
            field="record_count",
        )
    if received_at.tzinfo is None:
        raise InvalidInputError("回执时间必须带时区", field="received_at")


def issue_receipt(
    *,
    receipt_id: str,
    direction: Direction,
    partner: str,
    item: str,
    payload_digest: str,
    record_count: int,
    accepted: int,
    rejected: int,
    received_at: datetime,
    key: bytes,
) -> Receipt:
    """Build and sign a receipt with the HMAC-SM3 key shared with ``partner``."""
    _check_fields(
        receipt_id,
        partner,
        item,
        payload_digest,
        (record_count, accepted, rejected),
        received_at,
    )
    unsigned = Receipt(
        receipt_id=receipt_id,
        direction=Direction(direction),
        partner=partner,
        item=item,
        payload_digest=payload_digest,
        record_count=record_count,
        accepted=accepted,
        rejected=rejected,
        received_at=received_at.astimezone(UTC),
        our_signature="",
    )
    return replace(unsigned, our_signature=hmac_hex(key, canonical_receipt(unsigned)))


def verify_receipt(receipt: Receipt, key: bytes) -> bool:
    return constant_time_equal(hmac_hex(key, canonical_receipt(receipt)), receipt.our_signature)


def receipt_from_dict(data: Mapping[str, Any]) -> Receipt:
    """Parse a receipt received as JSON; the signature is *not* checked here."""
    try:
        if data["version"] != RECEIPT_VERSION:
            raise InvalidInputError(f"不支持的回执版本：{data['version']}", field="version")
        return Receipt(
            receipt_id=str(data["receipt_id"]),
            direction=Direction(data["direction"]),
            partner=str(data["partner"]),
            item=str(data["item"]),
            payload_digest=str(data["payload_digest"]),
            record_count=_as_int(data["record_count"]),
            accepted=_as_int(data["accepted"]),
            rejected=_as_int(data["rejected"]),
            received_at=_as_aware(data["received_at"]),
            our_signature=str(data["our_signature"]),
        )
    except KeyError as missing:
        raise InvalidInputError(f"回执缺少字段 {missing.args[0]}", field=str(missing)) from None
    except ValueError:
        raise InvalidInputError("回执格式错误") from None


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(value)
    return value


def _as_aware(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(value)
    return parsed


def reconcile(expected_count: int, expected_digest: str, receipt: Receipt) -> list[str]:
    """中文 descriptions of every way the receipt disagrees with what we sent; empty if none."""
    problems: list[str] = []
    if receipt.record_count != expected_count:
        problems.append(
            f"记录数不一致：我方 {expected_count} 条，回执 {receipt.record_count} 条"
            f"（{receipt.partner} / {receipt.item}，回执 {receipt.receipt_id}）"
        )
    if receipt.payload_digest.lower() != expected_digest.lower():
        problems.append(
            f"载荷摘要不一致：我方 {expected_digest}，回执 {receipt.payload_digest}"
            f"（{receipt.partner} / {receipt.item}，回执 {receipt.receipt_id}）"
        )
    return problems
