"""The retirement workflow's partner departments, answered by the exchange: each answer of
公安, 卫健, 民政, 司法, 公积金 and 医保 becomes what the task should be, with the records used
as evidence; other provinces' answers (跨省参保记录) are handed over as values for the
workflow to weigh.

The mapping is deliberately conservative: what contradicts the application (a death record
for a person who has just applied, 户籍 disagreeing with the ID number) is a dispute for a
person, never a silent refusal.
"""

from collections.abc import Callable
from datetime import date

from retirelink.errors import NotFoundError
from retirelink.exchange.cross_province import (
    ContributionHistory,
    contribution_history,
    insured_provinces,
)
from retirelink.exchange.identity_checks import IdentityCheck, check_identity
from retirelink.exchange.model import PartnerRecord
from retirelink.exchange.ports import ExchangeUnitOfWork, PartnerGateway
from retirelink.exchange.registry import Registry
from retirelink.exchange.retirement_requests import (
    PartnerRequestAnswer,
    request_housing_fund_withdrawal,
    request_retiree_medical_transfer,
)
from retirelink.exchange.status_checks import StatusCheck, check_alive_and_free
from retirelink.security.model import Actor
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.workflow.applications import TaskStatus
from retirelink.workflow.ports import TaskOutcome, WorkflowUnitOfWork
from retirelink.workflow.province_records import (
    CrossProvinceRecords,
    ProvinceHistory,
    ProvinceYear,
    Relationship,
)

PURPOSE = "退休申请并联审批"
DECEASED = "21"  # 公安户籍状态代码: 死亡注销


class ExchangePartnerChecks:
    """``workflow.ports.PartnerChecks`` over the exchange services (same transaction)."""

    def __init__(self, gateway: PartnerGateway, registry: Callable[[], Registry]) -> None:
        self._gateway = gateway
        self._registry = registry

    def identity(
        self, uow: WorkflowUnitOfWork, *, actor: Actor, id_number: str, name: str
    ) -> TaskOutcome:
        check = check_identity(
            _exchange(uow),
            actor=actor,
            gateway=self._gateway,
            registry=self._registry(),
            id_number=id_number,
            name=name,
            purpose=PURPOSE,
        )
        return identity_outcome(check)

    def alive_and_free(
        self, uow: WorkflowUnitOfWork, *, actor: Actor, id_number: str, on: date
    ) -> TaskOutcome:
        check = check_alive_and_free(
            _exchange(uow), actor=actor, id_number=id_number, on=on, purpose=PURPOSE
        )
        return status_outcome(check)

    def housing_fund(
        self,
        uow: WorkflowUnitOfWork,
        *,
        actor: Actor,
        request_id: str,
        id_number: str,
        name: str,
        retirement_date: date,
    ) -> TaskOutcome:
        answer = request_housing_fund_withdrawal(
            _exchange(uow),
            actor=actor,
            gateway=self._gateway,
            registry=self._registry(),
            request_id=request_id,
            id_number=id_number,
            name=name,
            retirement_date=retirement_date,
            purpose=PURPOSE,
        )
        return request_outcome(answer, "公积金")

    def medical_transfer(
        self,
        uow: WorkflowUnitOfWork,
        *,
        actor: Actor,
        request_id: str,
        id_number: str,
        retirement_date: date,
    ) -> TaskOutcome:
        answer = request_retiree_medical_transfer(
            _exchange(uow),
            actor=actor,
            gateway=self._gateway,
            registry=self._registry(),
            request_id=request_id,
            id_number=id_number,
            retirement_date=retirement_date,
            purpose=PURPOSE,
        )
        return request_outcome(answer, "医保")

    def cross_province(
        self,
        uow: WorkflowUnitOfWork,
        *,
        actor: Actor,
        request_id: str,
        id_number: str,
        own_province: str,
    ) -> CrossProvinceRecords:
        """The national register, then every other listed province's node, one after the
        other; any of them down raises, and the whole question is asked again later."""
        exchange, registry = _exchange(uow), self._registry()
        index = insured_provinces(
            exchange,
            actor=actor,
            gateway=self._gateway,
            registry=registry,
            request_id=request_id,
            id_number=id_number,
            purpose=PURPOSE,
        )
        listed = tuple(code for code in index.provinces if code != own_province)
        histories: list[ProvinceHistory] = []
        unregistered: list[str] = []
        for province in listed:
            try:
                registry.node_for(province)
            except NotFoundError:
                unregistered.append(province)
                continue
            answer = contribution_history(
                exchange,
                actor=actor,
                gateway=self._gateway,
                registry=registry,
                province=province,
                request_id=f"{request_id}-{province[:2]}",
                id_number=id_number,
                purpose=PURPOSE,
            )
            histories.append(province_history(answer))
        return CrossProvinceRecords(
            index.request_id, index.id_number, listed, tuple(histories), tuple(unregistered)
        )


def province_history(answer: ContributionHistory) -> ProvinceHistory:
    return ProvinceHistory(
        province=answer.province,
        request_id=answer.request_id,
        reference=answer.reference,
        answered_for=answer.answered_for,
        answered_province=answer.answered_province,
        found=answer.found,
        relationship=Relationship(answer.relationship) if answer.relationship else None,
        transferred_to=answer.transferred_to,
        archive_held=answer.archive_held,
        years=tuple(
            ProvinceYear(line.year, line.months, line.base, line.employer) for line in answer.years
        ),
    )


def _exchange(uow: WorkflowUnitOfWork) -> ExchangeUnitOfWork:
    if not isinstance(uow, SqlAlchemyUnitOfWork):
        raise TypeError("the exchange and the workflow share the SQL unit of work")
    return uow


def identity_outcome(check: IdentityCheck) -> TaskOutcome:
    evidence = (f"partner:公安:户籍:{check.id_number}",)
    record = check.record
    if record is None:
        return TaskOutcome(TaskStatus.DISPUTED, check.summary_zh, evidence)
    details = {"户籍状态": record.status_label, "户籍姓名": record.name}
    if record.status == DECEASED:
        return TaskOutcome(
            TaskStatus.DISPUTED,
            f"公安户籍显示已死亡注销（{record.status_date}），与本人申请矛盾，须核实",
            evidence,
            details,
        )
    if not check.name_matches or check.differences:
        return TaskOutcome(TaskStatus.DISPUTED, check.summary_zh, evidence, details)
    return TaskOutcome(TaskStatus.DONE, check.summary_zh, evidence, details)


def status_outcome(check: StatusCheck) -> TaskOutcome:
    """A death record against a living applicant is a dispute for a person to verify; so is
    custody: 服刑期间 no pension is paid (劳社厅函〔2001〕44号), so a person decides whether
    the retirement is handled now."""
    evidence = tuple(_record_id(r) for r in check.death_evidence + check.custody_evidence)
    consulted = {"核验日期": check.on.isoformat(), "查询数据项": "、".join(check.consulted_items)}
    if not check.alive or check.disputed:
        return TaskOutcome(
            TaskStatus.DISPUTED,
            f"{check.summary_zh}：与本人提出申请矛盾，须核实后办理",
            evidence,
            consulted,
        )
    if not check.free:
        return TaskOutcome(
            TaskStatus.NEEDS_PERSON,
            f"{check.summary_zh}：服刑期间不发放基本养老金（劳社厅函〔2001〕44号），请经办人审核",
            evidence,
            consulted,
        )
    return TaskOutcome(TaskStatus.DONE, check.summary_zh, evidence, consulted)


def _record_id(record: PartnerRecord) -> str:
    return f"partner:{record.department}:{record.item_code}:{record.id or record.event_date}"


# What a refusal means for the application: nothing to withdraw is not a problem; a name
# the partner holds differently is a dispute; the rest a person must look at.
_REFUSALS = {
    "no_account": (TaskStatus.DONE, "无住房公积金账户，无需办理退休提取"),
    "closed": (TaskStatus.DONE, "公积金账户已销户（余额此前已提取），无需再办理"),
    "name_mismatch": (TaskStatus.DISPUTED, ""),
    "deceased": (TaskStatus.DISPUTED, ""),
}


def request_outcome(answer: PartnerRequestAnswer, department: str) -> TaskOutcome:
    evidence = (f"partner:{department}:{answer.reference or answer.request_id}",)
    if answer.accepted:
        return TaskOutcome(TaskStatus.DONE, answer.summary_zh, evidence, dict(answer.details))
    status, summary = _REFUSALS.get(answer.reason_code, (TaskStatus.NEEDS_PERSON, ""))
    reason = {"部门答复": answer.reason}
    return TaskOutcome(status, summary or answer.summary_zh, evidence, reason)
