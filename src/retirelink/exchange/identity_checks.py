"""Identity check against 户籍 (公安's household registration), asked live.

We ask 公安 whether the ID number is registered, whether the name matches and what the
registration's status is (正常 / 死亡注销 / 迁出注销), then compare its record with the person we
hold (name, sex, birth date). The answer keeps 公安's record as the evidence. 公安 being down
is an ``UnavailableError`` the caller shows or retries; nothing is guessed.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from retirelink.archives.model import DepartmentKind
from retirelink.errors import PartnerResponseError
from retirelink.exchange.model import OutboxOperation, Purpose
from retirelink.exchange.ports import ExchangeUnitOfWork, PartnerGateway, PersonLookup
from retirelink.exchange.registry import Registry
from retirelink.ledger.model import LedgerAction
from retirelink.rules.identifiers import IdNumber, parse_id_number
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

HOUSEHOLD_ITEM = "public_security.household_registration"
# 公安户籍状态代码 (department code table; standard number to be confirmed, see the catalogue).
HUKOU_STATUS = {"10": "正常", "21": "死亡注销", "22": "迁出注销"}
_SEX = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}


@dataclass(frozen=True)
class HukouRecord:
    id_number: str
    name: str
    sex: str
    birth_date: date
    status: str
    status_date: date | None

    @property
    def status_label(self) -> str:
        return HUKOU_STATUS.get(self.status, f"未知代码{self.status}")


@dataclass(frozen=True)
class IdentityCheck:
    """公安's answer and how it compares with what we hold."""

    id_number: str
    name: str
    found: bool
    name_matches: bool
    record: HukouRecord | None
    differences: tuple[str, ...]

    @property
    def summary_zh(self) -> str:
        if not self.found:
            return "户籍中查无此公民身份号码"
        assert self.record is not None
        parts = ["姓名一致" if self.name_matches else "姓名与户籍不一致"]
        parts.append(f"户籍状态：{self.record.status_label}")
        parts.extend(self.differences)
        return "；".join(parts)


def check_identity(
    uow: ExchangeUnitOfWork,
    *,
    actor: Actor,
    gateway: PartnerGateway,
    registry: Registry,
    id_number: str,
    name: str,
    purpose: str,
) -> IdentityCheck:
    """Ask 公安 and compare; the check (and the personal data it read) is ledgered."""
    require(actor, Permission.EXCHANGE_VERIFY)
    parsed = parse_id_number(id_number, on=uow.clock.today())
    person = parsed.value
    link = registry.by_kind(DepartmentKind.PUBLIC_SECURITY.value)
    delivery = gateway.send(
        link,
        operation=OutboxOperation.IDENTITY_CHECK,
        item=HOUSEHOLD_ITEM,
        purpose=Purpose.RETIREMENT_REVIEW.value,
        body={"id_number": person, "name": name},
        idempotent=True,  # a question, not a change: asking twice is harmless
    )
    record = _record(delivery.response)
    check = IdentityCheck(
        id_number=person,
        name=name,
        found=record is not None,
        name_matches=record is not None and record.name == name,
        record=record,
        differences=_differences(record, parsed, uow.persons) if record else (),
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_VERIFICATION,
        subject=uow.ledger.subject("person", person),
        purpose=f"户籍身份核验：{check.summary_zh}；用途：{purpose}"[:200],
    )
    uow.commit()
    return check


def _record(answer: dict[str, Any]) -> HukouRecord | None:
    found, raw = answer.get("found"), answer.get("record")
    if found is False:
        return None
    if found is not True or not isinstance(raw, dict):
        raise PartnerResponseError("公安户籍核验的答复格式错误：缺少 found 或 record")
    try:
        status_date = raw.get("status_date")
        return HukouRecord(
            id_number=str(raw["id_number"]),
            name=str(raw["name"]),
            sex=str(raw["sex"]),
            birth_date=date.fromisoformat(str(raw["birth_date"])),
            status=str(raw["status"]),
            status_date=date.fromisoformat(str(status_date)) if status_date else None,
        )
    except (KeyError, ValueError):
        raise PartnerResponseError(
            "公安户籍核验的答复格式错误：户籍记录字段缺失或日期无效"
        ) from None


def _differences(record: HukouRecord, asked: IdNumber, persons: PersonLookup) -> tuple[str, ...]:
    """How 公安's record differs from the ID number and from the person we hold."""
    ours = persons.names_by_id_numbers([asked.value]).get(asked.value)
    found: list[str] = []
    if ours is not None and ours != record.name:
        found.append(f"本系统登记姓名“{ours}”与户籍“{record.name}”不一致")
    if record.birth_date != asked.birth_date:
        found.append(f"户籍出生日期{record.birth_date}与身份号码中的{asked.birth_date}不一致")
    if record.id_number != asked.value:
        found.append("公安答复的公民身份号码与所问号码不一致")
    if record.sex in _SEX and record.sex != asked.sex.value:
        found.append(f"户籍性别“{_SEX[record.sex]}”与身份号码中的性别不一致")
    return tuple(found)
