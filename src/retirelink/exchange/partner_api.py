"""Use cases behind the signed partner API: a department pushes event records to us.

The signature, timestamp and nonce were checked by ``signing.verify_request`` before this
module sees the body. Here the caller must be a registered partner pushing one of its own
department's items for one of the item's purposes; anything else is refused and the refusal
ledgered (the catalogue is the contract). The body is then read strictly and the records go
through the same pipeline as files (``receiving.receive``): all applied or all rejected, the
same message id recognised when sent again, a receipt signed with the partner's key.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from retirelink.errors import ConflictError, InvalidInputError, PermissionDeniedError
from retirelink.exchange.catalogue import Catalogue
from retirelink.exchange.file_schema import PARTNER_EVENT_SCHEMA, RowIssue
from retirelink.exchange.model import CatalogueItem, ImportOutcome, PartnerLink, Transport
from retirelink.exchange.ports import ExchangeUnitOfWork
from retirelink.exchange.receiving import (
    RowList,
    RowResult,
    Transfer,
    find_earlier,
    receive,
    recognise_duplicate,
)
from retirelink.exchange.services import is_event_item
from retirelink.exchange.signing import VerifiedCaller
from retirelink.ledger.model import LedgerAction
from retirelink.security.crypto import digest_hex
from retirelink.security.model import Actor, Role

MAX_RECORDS_PER_MESSAGE = 10_000
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_COLUMNS = {spec.name: index for index, spec in enumerate(PARTNER_EVENT_SCHEMA.fields)}


@dataclass(frozen=True)
class Caller:
    """A verified partner: the registry entry and what its signed headers declared."""

    link: PartnerLink
    verified: VerifiedCaller

    @property
    def actor(self) -> Actor:
        """Partner systems act as their department's liaison (协同部门联络员)."""
        return Actor(
            user_id=0,
            username=self.link.client_id[:64],
            display_name=f"{self.link.kind.label}系统",
            department_code=self.link.department,
            roles=frozenset({Role.DEPT_OFFICER}),
        )


def receive_notices(
    uow: ExchangeUnitOfWork, *, caller: Caller, body: bytes, catalogue: Catalogue
) -> ImportOutcome:
    """Apply a pushed message whole or reject it whole; see the module docstring."""
    item = _pushable_item(uow, caller, catalogue)
    message_id, records = _parse_body(body)
    transfer = Transfer(
        transport=Transport.API,
        item=item,
        reference=message_id,
        dedupe_key=f"api:{caller.link.client_id}:{message_id}",
        payload_digest=digest_hex(body),
        partner=caller.link.client_id,
        receipt_key=caller.link.receipt_key,
    )
    earlier = find_earlier(uow, transfer)
    if earlier is not None:
        if earlier.job.payload_digest != transfer.payload_digest:
            raise ConflictError(
                f"消息编号 {message_id} 已用于内容不同的另一条消息，请使用新的消息编号",
                field="message_id",
            )
        return recognise_duplicate(uow, caller.actor, transfer, earlier)
    rows = RowList(tuple(_rows(records, uow.clock.today())), format="json")
    return receive(uow, actor=caller.actor, transfer=transfer, rows=rows, known_new=True)


def _pushable_item(uow: ExchangeUnitOfWork, caller: Caller, catalogue: Catalogue) -> CatalogueItem:
    declared = caller.verified.item
    item = catalogue.item(declared) if declared in catalogue else None
    reason = _refusal(caller, item)
    if reason is not None:
        refuse(uow, caller, reason)
    assert item is not None
    return item


def _refusal(caller: Caller, item: CatalogueItem | None) -> str | None:
    if item is None:
        return f"共享目录中没有数据项“{caller.verified.item}”"
    if item.department is not caller.link.kind:
        return f"{item.title}由{item.department.label}报送，{caller.link.kind.label}不得推送"
    if not is_event_item(item):
        return f"{item.title}不是可推送的事件类数据项"
    if caller.verified.purpose not in {purpose.value for purpose in item.purposes}:
        return f"{item.title}不可用于“{caller.verified.purpose}”"
    return None


def refuse(uow: ExchangeUnitOfWork, caller: Caller, reason: str) -> None:
    """Ledger a request outside the catalogue's conditions, commit, and refuse it (403)."""
    uow.ledger.record(
        actor=caller.actor,
        action=LedgerAction.EXCHANGE_ACCESS_REFUSED,
        subject=uow.ledger.subject("catalogue_item", caller.verified.item),
        purpose=f"拒绝：{reason}"[:200],
    )
    uow.commit()
    raise PermissionDeniedError(f"拒绝：{reason}")


def _parse_body(body: bytes) -> tuple[str, list[Any]]:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInputError("请求体不是有效的 UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise InvalidInputError("请求体应为 JSON 对象，含 message_id 和 records")
    message_id = document.get("message_id")
    if not isinstance(message_id, str) or not _MESSAGE_ID.fullmatch(message_id):
        raise InvalidInputError(
            "message_id 应为1–100位字母、数字或 _ . : - 组成的字符串", field="message_id"
        )
    records = document.get("records")
    if not isinstance(records, list) or not records:
        raise InvalidInputError("records 应为非空列表", field="records")
    if len(records) > MAX_RECORDS_PER_MESSAGE:
        raise InvalidInputError(
            f"每条消息最多{MAX_RECORDS_PER_MESSAGE}条记录，请分批推送", field="records"
        )
    return message_id, records


def _rows(records: list[Any], as_of: Any) -> list[RowResult]:
    rows: list[RowResult] = []
    for number, record in enumerate(records, 1):
        if not isinstance(record, Mapping):
            rows.append((number, {}, [RowIssue(number, None, "记录应为 JSON 对象")]))
            continue
        cells, issues = _cells(number, record)
        if issues:
            rows.append((number, {}, issues))
            continue
        parsed, problems = PARTNER_EVENT_SCHEMA.validate(number, cells, _COLUMNS, as_of)
        rows.append((number, parsed, problems))
    return rows


def _cells(number: int, record: Mapping[str, Any]) -> tuple[list[str | None], list[RowIssue]]:
    cells: list[str | None] = []
    issues: list[RowIssue] = []
    for spec in PARTNER_EVENT_SCHEMA.fields:
        value = record.get(spec.name)
        if value is not None and not isinstance(value, str):
            issues.append(RowIssue(number, spec.name, f"{spec.label}应为字符串", str(value)))
            value = None
        cells.append(value)
    return cells, issues
