"""Requests made of partner departments when a person retires, asked live.

住建/公积金 is asked to pay the housing-fund balance out (退休提取, which closes the account);
医保 is asked to move the insured person to retiree enrolment (退休人员参保关系转入). Both are
acts, not questions: the caller's ``request_id`` travels in the body, and the partner answers
the same request id with its first answer, so a retried call is never acted on twice.

The partner's answer is read strictly (anything but the contract is a ``PartnerResponseError``
naming the department); a partner that is down is an ``UnavailableError`` the caller shows or
retries, and nothing is ledgered for a request that got no answer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from retirelink.archives.model import DepartmentKind
from retirelink.errors import InvalidInputError, PartnerResponseError
from retirelink.exchange.model import OutboxOperation, Purpose
from retirelink.exchange.ports import ExchangeUnitOfWork, PartnerGateway
from retirelink.exchange.registry import Registry
from retirelink.ledger.model import LedgerAction
from retirelink.rules.identifiers import parse_id_number
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

HOUSING_FUND_ITEM = "housing_fund.deposits_and_withdrawals"
MEDICAL_INSURANCE_ITEM = "medical_insurance.enrolment_and_settlement"
# The refusal codes partners may give (docs/exchange.md).
REFUSAL_CODES = frozenset({"no_account", "name_mismatch", "closed", "not_enrolled", "deceased"})
# Partners keep request ids of at most this many characters (docs/exchange.md).
MAX_REQUEST_ID = 64

DetailsParser = Callable[[dict[str, Any], str], dict[str, str]]


@dataclass(frozen=True)
class PartnerRequestAnswer:
    """A partner's answer to one of our requests: accepted with its reference, or refused
    with its reason. ``department`` is the partner's department kind (``housing_fund``…);
    ``details`` holds what else the answer carries, e.g. ``{"balance": "12345.67"}``."""

    department: str
    operation: OutboxOperation
    request_id: str
    accepted: bool
    reference: str | None
    reason: str
    details: dict[str, str]
    # Why it was refused, for programs (docs/exchange.md): no_account, name_mismatch,
    # closed, not_enrolled, deceased; "" when accepted or when the partner gave none.
    reason_code: str = ""

    @property
    def summary_zh(self) -> str:
        """E.g. ``公积金退休提取已受理，业务编号GJJ-TQ-20261123-000001，账户余额12345.67元``."""
        if not self.accepted:
            return f"{self.operation.label}未受理：{self.reason}"
        parts = [f"{self.operation.label}已受理", f"业务编号{self.reference}"]
        if "balance" in self.details:
            parts.append(f"账户余额{self.details['balance']}元")
        return "，".join(parts)


def request_housing_fund_withdrawal(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    gateway: PartnerGateway,
    registry: Registry,
    request_id: str,
    id_number: str,
    name: str,
    retirement_date: date,
    purpose: str,
) -> PartnerRequestAnswer:
    """Ask 住建/公积金 to pay the retiree's housing-fund balance out; the request is ledgered."""
    require(actor, Permission.EXCHANGE_MANAGE)
    person = parse_id_number(id_number, on=uow.clock.today()).value
    key = _request_id(request_id)
    if not name.strip():
        raise InvalidInputError("姓名不能为空", field="name")
    body = {
        "request_id": key,
        "id_number": person,
        "name": name.strip(),
        "retirement_date": retirement_date.isoformat(),
    }
    return _request(
        uow,
        actor=actor,
        gateway=gateway,
        registry=registry,
        kind=DepartmentKind.HOUSING_FUND,
        operation=OutboxOperation.HOUSING_FUND_WITHDRAWAL,
        item=HOUSING_FUND_ITEM,
        person=person,
        body=body,
        purpose=purpose,
        details=_withdrawal_details,
    )


def request_retiree_medical_transfer(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    gateway: PartnerGateway,
    registry: Registry,
    request_id: str,
    id_number: str,
    retirement_date: date,
    purpose: str,
) -> PartnerRequestAnswer:
    """Ask 医保 to move the person to retiree enrolment; the request is ledgered."""
    require(actor, Permission.EXCHANGE_MANAGE)
    person = parse_id_number(id_number, on=uow.clock.today()).value
    body = {
        "request_id": _request_id(request_id),
        "id_number": person,
        "retirement_date": retirement_date.isoformat(),
    }
    return _request(
        uow,
        actor=actor,
        gateway=gateway,
        registry=registry,
        kind=DepartmentKind.MEDICAL_INSURANCE,
        operation=OutboxOperation.RETIREE_MEDICAL_TRANSFER,
        item=MEDICAL_INSURANCE_ITEM,
        person=person,
        body=body,
        purpose=purpose,
        details=_no_details,
    )


def _request_id(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise InvalidInputError("请求编号不能为空", field="request_id")
    if len(text) > MAX_REQUEST_ID:
        raise InvalidInputError(f"请求编号不能超过{MAX_REQUEST_ID}个字符", field="request_id")
    return text


def _request(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    gateway: PartnerGateway,
    registry: Registry,
    kind: DepartmentKind,
    operation: OutboxOperation,
    item: str,
    person: str,
    body: dict[str, str],
    purpose: str,
    details: DetailsParser,
) -> PartnerRequestAnswer:
    link = registry.by_kind(kind.value)
    delivery = gateway.send(
        link,
        operation=operation,
        item=item,
        purpose=Purpose.RETIREMENT_REVIEW.value,
        body=body,
        idempotent=True,  # the partner answers a request_id it has seen with its first answer
    )
    answer = _answer(delivery.response, kind, operation, body["request_id"], details)
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_REQUEST_DELIVERED,
        subject=uow.ledger.subject("person", person),
        purpose=f"{answer.summary_zh}；请求编号：{answer.request_id}；用途：{purpose}"[:200],
    )
    uow.commit()
    return answer


def _answer(
    raw: dict[str, Any],
    kind: DepartmentKind,
    operation: OutboxOperation,
    request_id: str,
    details: DetailsParser,
) -> PartnerRequestAnswer:
    what = f"{kind.label}对{operation.label}的答复格式错误"
    accepted, reference, reason = raw.get("accepted"), raw.get("reference"), raw.get("reason")
    if not isinstance(accepted, bool):
        raise PartnerResponseError(f"{what}：accepted 应为 true 或 false")
    if accepted:
        if not isinstance(reference, str) or not reference.strip():
            raise PartnerResponseError(f"{what}：已受理但缺少业务编号（reference）")
        return PartnerRequestAnswer(
            department=kind.value,
            operation=operation,
            request_id=request_id,
            accepted=True,
            reference=reference.strip(),
            reason="",
            details=details(raw, what),
        )
    if not isinstance(reason, str) or not reason.strip():
        raise PartnerResponseError(f"{what}：未受理但缺少原因（reason）")
    if reference is not None and not isinstance(reference, str):
        raise PartnerResponseError(f"{what}：业务编号（reference）应为文本或 null")
    refused_reference = reference.strip() if isinstance(reference, str) else ""
    code = raw.get("code", "")
    if not isinstance(code, str) or (code and code not in REFUSAL_CODES):
        raise PartnerResponseError(f"{what}：未受理原因代码（code）不在约定范围内")
    return PartnerRequestAnswer(
        department=kind.value,
        operation=operation,
        request_id=request_id,
        accepted=False,
        reference=refused_reference or None,
        reason=reason.strip(),
        details={},
        reason_code=code,
    )


def _withdrawal_details(raw: dict[str, Any], what: str) -> dict[str, str]:
    """The balance paid out, as the partner wrote it (a decimal amount in yuan, as text)."""
    balance = raw.get("balance")
    if not isinstance(balance, str):
        raise PartnerResponseError(f"{what}：已受理但缺少账户余额（balance）")
    try:
        amount = Decimal(balance.strip())
    except InvalidOperation:
        raise PartnerResponseError(f"{what}：账户余额（balance）不是有效金额") from None
    if not amount.is_finite() or amount < 0:
        raise PartnerResponseError(f"{what}：账户余额（balance）不是有效金额")
    return {"balance": balance.strip()}


def _no_details(_raw: dict[str, Any], _what: str) -> dict[str, str]:
    return {}
