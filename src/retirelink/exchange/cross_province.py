"""Cross-province records (跨省参保记录), asked live of other nodes over the signed exchange.

Each province runs its own node (DESIGN §5). The national register (全国参保登记信息库) says in
which provinces a person is registered; each of those provinces' nodes then answers the
person's contribution history there: months paid per year with the base and the employer,
whether the insurance relationship has been transferred out (转移接续) or is still open
there, and whether it holds a personnel archive for them.

Both are questions, not changes: a retried request is harmless, and the request id travels
only so each side can cite the other. The answer's *shape* is read strictly (anything else
is a ``PartnerResponseError`` naming the node: the caller waits and retries); what it *says*
(another ID number, 13 months in a year) is handed on as received, for the caller to weigh
against what it knows — an impossible answer is a dispute, not a reason to ask again.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from retirelink.archives.model import DepartmentKind
from retirelink.errors import PartnerResponseError
from retirelink.exchange.model import OutboxOperation, PartnerLink, Purpose
from retirelink.exchange.ports import ExchangeUnitOfWork, PartnerGateway
from retirelink.exchange.registry import Registry
from retirelink.ledger.model import LedgerAction
from retirelink.rules.benefit_place import province_name
from retirelink.rules.identifiers import parse_id_number
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

INSURED_PROVINCES_ITEM = "national_insurance_index.insured_provinces"
CONTRIBUTION_HISTORY_ITEM = "provincial_node.contribution_history"
# 转移接续 state of the relationship at the answering node (docs/exchange.md).
TRANSFERRED, OPEN = "transferred", "open"


@dataclass(frozen=True)
class InsuredProvinces:
    """The national register's answer: the provinces (GB/T 2260 codes) where the person is
    registered, as given, and the ID number it answered for."""

    request_id: str
    id_number: str
    provinces: tuple[str, ...]


@dataclass(frozen=True)
class PaidYear:
    year: int
    months: int
    base: Decimal
    employer: str


@dataclass(frozen=True)
class ContributionHistory:
    """One node's answer about one person. ``province`` is the node asked; ``answered_for``
    the ID number and ``answered_province`` the province the answer itself names."""

    province: str
    request_id: str
    reference: str
    answered_for: str
    answered_province: str
    found: bool
    relationship: str  # TRANSFERRED or OPEN ('' when not found)
    transferred_to: str
    archive_held: bool
    years: tuple[PaidYear, ...]

    @property
    def months(self) -> int:
        return sum(line.months for line in self.years)


def insured_provinces(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    gateway: PartnerGateway,
    registry: Registry,
    request_id: str,
    id_number: str,
    purpose: str,
) -> InsuredProvinces:
    """Ask the national register where the person is registered; the query is ledgered."""
    require(actor, Permission.EXCHANGE_VERIFY)
    person = parse_id_number(id_number, on=uow.clock.today()).value
    link = registry.by_kind(DepartmentKind.NATIONAL_INSURANCE_INDEX.value)
    raw = _ask(gateway, link, OutboxOperation.INSURED_PROVINCES, request_id, person)
    answer = InsuredProvinces(request_id, *_provinces(raw))
    named = "、".join(province_name(code) for code in answer.provinces) or "无"
    _ledger(uow, actor, person, f"全国参保登记查询：参保省份{named}；请求编号{request_id}", purpose)
    return answer


def contribution_history(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    gateway: PartnerGateway,
    registry: Registry,
    province: str,
    request_id: str,
    id_number: str,
    purpose: str,
) -> ContributionHistory:
    """Ask another province's node for the person's contribution history there; ledgered."""
    require(actor, Permission.EXCHANGE_VERIFY)
    person = parse_id_number(id_number, on=uow.clock.today()).value
    link = registry.node_for(province)
    raw = _ask(gateway, link, OutboxOperation.CONTRIBUTION_HISTORY, request_id, person)
    history = _history(raw, province, request_id)
    what = f"{province_name(province)}参保缴费记录查询：缴费{history.months}个月"
    _ledger(uow, actor, person, f"{what}；查询编号{history.reference}", purpose)
    return history


def _ask(
    gateway: PartnerGateway,
    link: PartnerLink,
    operation: OutboxOperation,
    request_id: str,
    person: str,
) -> dict[str, Any]:
    item = {
        OutboxOperation.INSURED_PROVINCES: INSURED_PROVINCES_ITEM,
        OutboxOperation.CONTRIBUTION_HISTORY: CONTRIBUTION_HISTORY_ITEM,
    }[operation]
    delivery = gateway.send(
        link,
        operation=operation,
        item=item,
        purpose=Purpose.RETIREMENT_REVIEW.value,
        body={"request_id": request_id, "id_number": person},
        idempotent=True,  # a question, not a change: asking twice is harmless
    )
    return delivery.response


def _ledger(uow: ExchangeUnitOfWork, actor: Actor, person: str, what: str, purpose: str) -> None:
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_VERIFICATION,
        subject=uow.ledger.subject("person", person),
        purpose=f"{what}；用途：{purpose}"[:200],
    )
    uow.commit()


def _provinces(raw: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    what = "全国参保登记信息库的答复格式错误"
    answered, provinces = raw.get("id_number"), raw.get("provinces")
    if not isinstance(answered, str) or not isinstance(provinces, list):
        raise PartnerResponseError(f"{what}：缺少 id_number 或 provinces")
    if not all(_is_province(code) for code in provinces):
        raise PartnerResponseError(f"{what}：provinces 应为省级行政区划代码（如 140000）")
    return answered, tuple(dict.fromkeys(provinces))


def _is_province(code: object) -> bool:
    return (
        isinstance(code, str)
        and len(code) == 6
        and code.isascii()
        and code.isdigit()
        and code.endswith("0000")
    )


def _history(raw: dict[str, Any], province: str, request_id: str) -> ContributionHistory:
    what = f"{province_name(province)}社保经办机构的答复格式错误"
    found = _typed(raw, "found", bool, what)
    relationship = raw.get("relationship") or ""
    if found and relationship not in (TRANSFERRED, OPEN):
        raise PartnerResponseError(f"{what}：relationship 应为 transferred 或 open")
    years = raw.get("years")
    if not isinstance(years, list):
        raise PartnerResponseError(f"{what}：years 应为列表")
    return ContributionHistory(
        province=province,
        request_id=request_id,
        reference=_typed(raw, "reference", str, what),
        answered_for=_typed(raw, "id_number", str, what),
        answered_province=_typed(raw, "province", str, what),
        found=found,
        relationship=str(relationship),
        transferred_to=str(raw.get("transferred_to") or ""),
        archive_held=bool(raw.get("archive_held", False)),
        years=tuple(_paid_year(line, what) for line in years),
    )


def _typed(raw: dict[str, Any], name: str, kind: type, what: str) -> Any:
    value = raw.get(name)
    # bool is an int: a "months": true must not pass as 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PartnerResponseError(f"{what}：{name} 缺失或类型错误")
    return value


def _paid_year(line: Any, what: str) -> PaidYear:
    if not isinstance(line, dict):
        raise PartnerResponseError(f"{what}：years 的每一项应为 JSON 对象")
    try:
        base = Decimal(_typed(line, "base", str, what))
    except InvalidOperation:
        raise PartnerResponseError(f"{what}：缴费基数（base）不是有效金额") from None
    if not base.is_finite():
        raise PartnerResponseError(f"{what}：缴费基数（base）不是有效金额")
    return PaidYear(
        year=_typed(line, "year", int, what),
        months=_typed(line, "months", int, what),
        base=base,
        employer=_typed(line, "employer", str, what),
    )
