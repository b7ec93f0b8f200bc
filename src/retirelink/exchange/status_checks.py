"""Automatic verification we offer (自动核验): is a person alive, and free, on a given day?

The answer combines what 公安 (death cancellation), 卫健 (death certificate), 民政 (cremation)
and 司法 (imprisonment) shared with us, and names every record it used, so the workflow and
the fund guard can show a clerk the evidence instead of a bare yes or no. Absence of a death
record is not proof of life: the answer says "no death record" (``alive`` true) and lists
which kinds of records were consulted; one record from one department is enough to answer
"dead", and the agreeing departments are counted so callers can weigh the answer.
"""

from dataclasses import dataclass
from datetime import date

from retirelink.exchange.model import PartnerRecord, RecordFlag
from retirelink.exchange.ports import ExchangeUnitOfWork
from retirelink.exchange.verification import DEATH_DATE_ITEMS, DEATH_ITEMS
from retirelink.ledger.model import LedgerAction
from retirelink.rules.identifiers import parse_id_number
from retirelink.security.model import Actor, Permission
from retirelink.security.permissions import require

IMPRISONMENT_ITEMS = frozenset({"justice.prisoners_in_custody"})
CONSULTED_ITEMS = DEATH_ITEMS | IMPRISONMENT_ITEMS


@dataclass(frozen=True)
class StatusCheck:
    """The answer: ``alive``/``free`` on ``on``, and the records behind each half of it."""

    id_number: str
    on: date
    alive: bool
    free: bool
    death_evidence: tuple[PartnerRecord, ...]
    custody_evidence: tuple[PartnerRecord, ...]
    consulted_items: tuple[str, ...]

    @property
    def death_departments(self) -> int:
        """How many departments report the death (1 is a signal, 2 or 3 agree)."""
        return len({record.department for record in self.death_evidence})

    @property
    def disputed(self) -> bool:
        """Whether any record used is under a 数据异议 (the answer may change)."""
        used = self.death_evidence + self.custody_evidence
        return any(record.flag is RecordFlag.DISPUTED for record in used)

    @property
    def earliest_death(self) -> date | None:
        """The earliest plausible death date among the records (a cremation dates no death)."""
        dates = [r.event_date for r in self.death_evidence if r.item_code in DEATH_DATE_ITEMS]
        return min(dates, default=None)

    @property
    def summary_zh(self) -> str:
        parts = []
        if self.alive:
            parts.append("无死亡记录")
        else:
            parts.append(f"已死亡（{self.death_departments}个部门报送）")
        parts.append("未在押服刑" if self.free else "正在服刑")
        if self.disputed:
            parts.append("所依据记录存在数据异议")
        return "，".join(parts)


def check_alive_and_free(
    uow: ExchangeUnitOfWork, *, actor: Actor, id_number: str, on: date, purpose: str
) -> StatusCheck:
    """Answer from the records we hold; the read of a person's shared records is ledgered."""
    require(actor, Permission.EXCHANGE_VERIFY)
    person = parse_id_number(id_number, on=on).value
    records = uow.partner_records.for_persons([person], CONSULTED_ITEMS)
    deaths = tuple(r for r in records if r.item_code in DEATH_ITEMS and _died_by(r, on))
    custody = tuple(r for r in records if r.item_code in IMPRISONMENT_ITEMS and _held_on(r, on))
    check = StatusCheck(
        id_number=person,
        on=on,
        alive=not deaths,
        free=not custody,
        death_evidence=deaths,
        custody_evidence=custody,
        consulted_items=tuple(sorted(CONSULTED_ITEMS)),
    )
    uow.ledger.record(
        actor=actor,
        action=LedgerAction.EXCHANGE_VERIFICATION,
        subject=uow.ledger.subject("person", person),
        purpose=f"生存与服刑状态核验（{on.isoformat()}）：{check.summary_zh}；用途：{purpose}"[
            :200
        ],
    )
    uow.commit()
    return check


def _died_by(record: PartnerRecord, on: date) -> bool:
    # A death date, or a cremation, on or before ``on`` proves a death on or before it.
    return record.event_date <= on


def _held_on(record: PartnerRecord, on: date) -> bool:
    return record.event_date <= on and (record.end_date is None or record.end_date > on)
