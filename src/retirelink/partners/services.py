"""What a simulated department does with a request, apart from HTTP: its "desk".

Disputes (数据异议) are filed and answered with a signed receipt; 公安 checks an identity
against its household register; 住建 pays out a retirement withdrawal; 医保 moves an insured
person to retiree enrolment. Requests that carry a ``request_id`` (and disputes, by their
``dispute_id``) are idempotent: the same id with the same body gets the first answer again,
the same id with a different body is a conflict. Every request is kept in :class:`Desk`, so a
test can see exactly what the platform sent.
"""

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from retirelink.errors import ConflictError, InvalidInputError
from retirelink.exchange.receipts import Direction, issue_receipt
from retirelink.ledger.chain import canonical_json
from retirelink.partners.data import PartnerDatasets
from retirelink.partners.model import Department
from retirelink.partners.records import AccountStatus, HukouStatus
from retirelink.rules.identifiers import parse_id_number
from retirelink.security.crypto import digest_hex

Answer = dict[str, Any]
_MAX_ID = 64


@dataclass(frozen=True)
class Received:
    """One request as the department received it (for tests and the demo)."""

    kind: str  # "dispute", "hukou_verify", "withdrawal", "transfer"
    client_id: str
    payload: Mapping[str, Any]
    answer: Mapping[str, Any]
    received_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "client_id": self.client_id,
            "payload": dict(self.payload),
            "answer": dict(self.answer),
            "received_at": self.received_at.isoformat(),
        }


@dataclass
class Desk:
    """Requests received and answers given by one department; safe across threads."""

    received: list[Received] = field(default_factory=list)
    _answers: dict[tuple[str, str], tuple[str, Answer]] = field(default_factory=dict)
    _closed_accounts: set[str] = field(default_factory=set)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def of_kind(self, kind: str) -> list[Received]:
        return [entry for entry in self.snapshot() if entry.kind == kind]

    def once(
        self, kind: str, key: str, payload: Mapping[str, Any], produce: Callable[[int], Answer]
    ) -> tuple[Answer, bool]:
        """The stored answer for ``(kind, key)``, or ``produce(serial)`` stored as the answer.

        Returns the answer and whether it is a replay. ``serial`` counts answers of the kind.
        """
        fingerprint = digest_hex(canonical_json(payload))
        with self._lock:
            known = self._answers.get((kind, key))
            if known is not None:
                if known[0] != fingerprint:
                    raise ConflictError(f"编号“{key}”已用于另一笔不同内容的请求，请更换编号")
                return known[1], True
            serial = 1 + sum(1 for stored_kind, _ in self._answers if stored_kind == kind)
            answer = produce(serial)
            self._answers[(kind, key)] = (fingerprint, answer)
            return answer, False

    def keep(self, entry: Received) -> None:
        with self._lock:
            self.received.append(entry)

    def close_account(self, id_number: str) -> bool:
        """Mark a housing-fund account paid out; False when it already was."""
        with self._lock:
            if id_number in self._closed_accounts:
                return False
            self._closed_accounts.add(id_number)
            return True


def text_field(payload: Mapping[str, Any], name: str, label: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{label}（{name}）不能为空，且应为文本", field=name)
    if len(value) > 200:
        raise InvalidInputError(f"{label}（{name}）过长", field=name)
    return value.strip()


def request_id_field(payload: Mapping[str, Any], name: str = "request_id") -> str:
    value = text_field(payload, name, "请求编号")
    if len(value) > _MAX_ID:
        raise InvalidInputError(f"请求编号（{name}）不能超过{_MAX_ID}个字符", field=name)
    return value


def id_number_field(payload: Mapping[str, Any], *, on: date) -> str:
    return parse_id_number(text_field(payload, "id_number", "公民身份号码"), on=on).value


def date_field(payload: Mapping[str, Any], name: str, label: str) -> date:
    text = text_field(payload, name, label)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"{label}（{name}）应为 YYYY-MM-DD 格式的日期", field=name
        ) from None


def file_dispute(
    desk: Desk,
    department: Department,
    payload: Mapping[str, Any],
    *,
    body: bytes,
    signed_item: str,
    counterpart: str,
    key: bytes,
    now: datetime,
) -> Answer:
    """Accept a 数据异议 and answer a receipt signed with the key shared with ``counterpart``."""
    dispute_id = request_id_field(payload, "dispute_id")
    item = text_field(payload, "item", "数据项")
    if item not in department.items:
        raise InvalidInputError(f"{department.name}不提供数据项“{item}”", field="item")
    if item != signed_item:
        raise InvalidInputError("请求体中的数据项与签名中的数据项不一致", field="item")
    id_number_field(payload, on=now.date())
    text_field(payload, "reason", "异议理由")
    if not isinstance(payload.get("evidence", []), list):
        raise InvalidInputError("证据（evidence）应为列表", field="evidence")

    def answer(serial: int) -> Answer:
        receipt = issue_receipt(
            receipt_id=f"{department.code}-YY-{now:%Y%m%d}-{serial:06d}",
            direction=Direction.INBOUND,  # the partner received the dispute
            partner=counterpart,
            item=item,
            payload_digest=digest_hex(body),
            record_count=1,
            accepted=1,
            rejected=0,
            received_at=now,
            key=key,
        )
        return {"receipt": receipt.to_dict()}

    result, _ = desk.once("dispute", dispute_id, payload, answer)
    desk.keep(Received("dispute", counterpart, payload, result, now))
    return result


def verify_hukou(
    desk: Desk, datasets: PartnerDatasets, payload: Mapping[str, Any], *, caller: str, now: datetime
) -> Answer:
    """公安 户籍核验: is the person registered, does the name match, what is the status."""
    id_number = id_number_field(payload, on=now.date())
    name = text_field(payload, "name", "姓名")
    household = datasets.households.get(id_number)
    if household is None:
        result: Answer = {"found": False, "match": False, "record": None}
    else:
        result = {
            "found": True,
            "match": household.name == name,
            "record": {
                "id_number": household.id_number,
                "name": household.name,
                "sex": household.sex,
                "birth_date": household.birth_date.isoformat(),
                "status": household.status.value,
                "status_date": (
                    household.status_date.isoformat() if household.status_date else None
                ),
            },
        }
    desk.keep(Received("hukou_verify", caller, payload, result, now))
    return result


def _refused(reason: str, code: str, **extra: Any) -> Answer:
    """A refusal: the 中文 reason for people, the code (docs/exchange.md) for programs."""
    return {"accepted": False, "reference": None, **extra, "reason": reason, "code": code}


def retirement_withdrawal(
    desk: Desk, datasets: PartnerDatasets, payload: Mapping[str, Any], *, caller: str, now: datetime
) -> Answer:
    """住建 退休提取: pays the balance out once and closes the account."""
    request_id = request_id_field(payload)
    id_number = id_number_field(payload, on=now.date())
    name = text_field(payload, "name", "姓名")
    date_field(payload, "retirement_date", "退休日期")

    def answer(serial: int) -> Answer:
        account = datasets.housing_accounts.get(id_number)
        if account is None:
            return _refused("该人员无住房公积金账户", "no_account", balance=None)
        if account.name != name:
            return _refused("姓名与公积金账户登记不符", "name_mismatch", balance=None)
        if account.status is AccountStatus.CLOSED or not desk.close_account(id_number):
            return _refused("公积金账户已销户，不能重复提取", "closed", balance=None)
        reference = f"GJJ-TQ-{now:%Y%m%d}-{serial:06d}"
        return {"accepted": True, "reference": reference, "balance": f"{account.balance:.2f}"}

    result, _ = desk.once("withdrawal", request_id, payload, answer)
    desk.keep(Received("withdrawal", caller, payload, result, now))
    return result


def retiree_transfer(
    desk: Desk, datasets: PartnerDatasets, payload: Mapping[str, Any], *, caller: str, now: datetime
) -> Answer:
    """医保 退休人员参保关系转入: an insured person becomes a retiree member."""
    request_id = request_id_field(payload)
    id_number = id_number_field(payload, on=now.date())
    date_field(payload, "retirement_date", "退休日期")

    def answer(serial: int) -> Answer:
        household = datasets.households.get(id_number)
        if household is None:
            return _refused("查无此人的医保参保登记", "not_enrolled")
        if household.status is HukouStatus.DECEASED:
            return _refused("该人员已死亡注销，不能办理退休参保转移", "deceased")
        return {"accepted": True, "reference": f"YB-ZR-{now:%Y%m%d}-{serial:06d}"}

    result, _ = desk.once("transfer", request_id, payload, answer)
    desk.keep(Received("transfer", caller, payload, result, now))
    return result


# --- beyond the district: the national register and other provinces' nodes -------------------

OUR_PROVINCE = "130000"  # every person of the demo district is insured here


def insured_provinces(
    desk: Desk, datasets: PartnerDatasets, payload: Mapping[str, Any], *, caller: str, now: datetime
) -> Answer:
    """全国参保登记信息库: the provinces where the person is registered (ours included)."""
    request_id_field(payload)
    id_number = id_number_field(payload, on=now.date())
    provinces = [OUR_PROVINCE] if id_number in datasets.households else []
    provinces += [record.province for record in datasets.elsewhere.get(id_number, ())]
    result: Answer = {"id_number": id_number, "provinces": provinces}
    desk.keep(Received("insured_provinces", caller, payload, result, now))
    return result


def contribution_history(
    desk: Desk,
    datasets: PartnerDatasets,
    payload: Mapping[str, Any],
    *,
    province: str,
    caller: str,
    now: datetime,
) -> Answer:
    """Another province's node: the person's contribution history there, the relationship's
    转移接续 state and whether it holds their archive. A question: the same request id gets
    the same answer (and 查询编号) again."""
    request_id = request_id_field(payload)
    id_number = id_number_field(payload, on=now.date())

    def answer(serial: int) -> Answer:
        held = next(
            (r for r in datasets.elsewhere.get(id_number, ()) if r.province == province), None
        )
        result: Answer = {
            "request_id": request_id,
            "reference": f"CX-{province}-{now:%Y%m%d}-{serial:06d}",
            "id_number": id_number,
            "province": province,
            "found": held is not None,
            "relationship": held.relationship if held else None,
            "transferred_to": OUR_PROVINCE if held and held.relationship == "transferred" else None,
            "archive_held": bool(held and held.archive_held),
            "years": [
                {
                    "year": y.year,
                    "months": y.months,
                    "base": f"{y.base:.2f}",
                    "employer": y.employer,
                }
                for y in (held.years if held else ())
            ],
        }
        return result

    result, _ = desk.once("contribution_history", request_id, payload, answer)
    desk.keep(Received("contribution_history", caller, payload, result, now))
    return result
