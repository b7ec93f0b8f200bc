"""A fake of the workflow's partner departments (workflow.ports.PartnerChecks): answers as
told, or is down, and records each call — for tests of the task runner without HTTP.

Other provinces (``cross_province``) answer ``records`` when given; by default the national
register lists no other province for anybody (外省无参保记录)."""

from dataclasses import dataclass, field
from datetime import date

from retirelink.errors import UnavailableError
from retirelink.security.model import Actor
from retirelink.workflow.applications import TaskStatus
from retirelink.workflow.ports import TaskOutcome, WorkflowUnitOfWork
from retirelink.workflow.province_records import CrossProvinceRecords


@dataclass
class FakePartnerChecks:
    # kind ('identity', 'alive_and_free', 'housing_fund', 'medical_transfer') -> answer
    answers: dict[str, TaskOutcome] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (kind, id_number / request)
    # Kinds asked while the unit of work had a transaction open (on SQLite: the write lock)
    asked_in_transaction: list[str] = field(default_factory=list)
    # What the national register and the other nodes answer ('cross_province' in ``down``:
    # a node is down); the index answers for whoever is asked unless ``records`` is given.
    records: CrossProvinceRecords | None = None

    def _ask(self, kind: str, key: str, uow: WorkflowUnitOfWork | None) -> None:
        self.calls.append((kind, key))
        session = getattr(uow, "session", None)
        if session is not None and session.in_transaction():
            self.asked_in_transaction.append(kind)
        if kind in self.down:
            raise UnavailableError(f"{kind}部门服务暂不可用")

    def _answer(self, kind: str, key: str, uow: WorkflowUnitOfWork | None = None) -> TaskOutcome:
        self._ask(kind, key, uow)
        return self.answers.get(kind, TaskOutcome(TaskStatus.DONE, f"{kind}核验通过"))

    def identity(
        self, uow: WorkflowUnitOfWork, *, actor: Actor, id_number: str, name: str
    ) -> TaskOutcome:
        return self._answer("identity", id_number, uow)

    def alive_and_free(
        self, uow: WorkflowUnitOfWork, *, actor: Actor, id_number: str, on: date
    ) -> TaskOutcome:
        return self._answer("alive_and_free", id_number)

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
        return self._answer("housing_fund", request_id, uow)

    def medical_transfer(
        self,
        uow: WorkflowUnitOfWork,
        *,
        actor: Actor,
        request_id: str,
        id_number: str,
        retirement_date: date,
    ) -> TaskOutcome:
        return self._answer("medical_transfer", request_id, uow)

    def cross_province(
        self,
        uow: WorkflowUnitOfWork,
        *,
        actor: Actor,
        request_id: str,
        id_number: str,
        own_province: str,
    ) -> CrossProvinceRecords:
        self._ask("cross_province", request_id, uow)
        if self.records is not None:
            return self.records
        return CrossProvinceRecords(request_id, id_number, (), ())
