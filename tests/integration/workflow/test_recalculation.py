"""重新核定 on the real database: a pension granted while the province had not published the
retirement year's 计发基数 is paid provisionally (预发); once the figures are out it is
computed again, the difference for the months already paid is recorded (补发), ledgered and
told to the pensioner — once. Practice: 各省计发基数公布前预发、公布后重新核定 ([U],
rules.provisional); 国发〔2005〕38号 for the formula."""

from datetime import timedelta
from decimal import Decimal

import pytest

from retirelink.errors import ConflictError
from retirelink.ledger.model import LedgerAction
from retirelink.security.model import SYSTEM_ACTOR, Actor, Role
from retirelink.workflow.application_services import ApplicationRequest, submit_application
from retirelink.workflow.applications import ApplicationRoute, Channel, TaskKind
from retirelink.workflow.approval import determine, review
from retirelink.workflow.recalculation_services import recalculate_pension, run_recalculations
from retirelink.workflow.task_runner import TaskSettings, run_due_tasks
from tests.support.insured import digitised_archive, insured_person, register_test_employer
from tests.support.partner_checks import FakePartnerChecks
from tests.support.rule_params import published

pytestmark = pytest.mark.integration

CLERK = Actor(2, "clerk", "窗口", "SHEBAO", frozenset({Role.CLERK}))
REVIEWER = Actor(4, "reviewer", "复核", "SHEBAO", frozenset({Role.REVIEWER}))


@pytest.fixture
def application(seeded):
    """王建国 retires 2027-01 (first paid 2027-02) on the shipped parameters, which do not
    hold the 2026 and 2027 计发基数: his pension is provisional. Determined and approved."""
    register_test_employer(seeded)
    person = insured_person(seeded, birth="19660815", name="王建国", months=170)
    digitised_archive(seeded, person, born="1966年8月15日")
    request = ApplicationRequest(
        id_number=person.id_number,
        route=ApplicationRoute.STATUTORY,
        channel=Channel.WINDOW,
        bank_name="中国工商银行邯郸峰峰支行",
        bank_account="6222021304000012349",
    )
    with seeded.uow() as uow:
        submitted = submit_application(
            uow, request, actor=CLERK, params=seeded.parameters, region="130406"
        ).application
    run_due_tasks(seeded.uow, _settings(seeded, seeded.parameters))
    return submitted


def _settings(services, params):
    return TaskSettings(params=params, region="130406", partners=FakePartnerChecks())


def _approve(services, application):
    with services.uow() as uow:
        determine(uow, actor=CLERK, application_id=application.id, grant=True, note="")
    with services.uow() as uow:
        review(uow, actor=REVIEWER, application_id=application.id, approve=True, note="")


def _pension_task(services, application):
    with services.uow() as uow:
        tasks = uow.tasks.for_application(application.id)
    return next(task for task in tasks if task.kind is TaskKind.PENSION)


def _recalculate(services, application, params):
    with services.uow() as uow:
        return recalculate_pension(
            uow,
            actor=SYSTEM_ACTOR,
            application_id=application.id,
            settings=_settings(services, params),
        )


def test_a_provisional_pension_is_recalculated_once_the_figures_are_published(
    seeded, application, clock
):
    task = _pension_task(seeded, application)
    assert any("计发基数尚未公布" in note for note in task.result["provisional"])
    paid_first = Decimal(task.result["pension"]["total"])
    _approve(seeded, application)

    # Nothing published yet: nothing recorded, every day.
    assert _recalculate(seeded, application, seeded.parameters) is None

    clock.advance(timedelta(days=240))  # 2027-07: five months paid (2027-02 … 2027-06)
    today = clock.now().date()
    figures = published(seeded.parameters, region="130406", on=today, through_year=2027)
    with seeded.uow() as uow:
        assert uow.recalculations.provisional_pensions(limit=10) == [application.id]
    assert run_recalculations(seeded.uow, _settings(seeded, figures)) == 1

    with seeded.uow() as uow:
        (done,) = uow.recalculations.for_application(application.id)
        assert uow.recalculations.provisional_pensions(limit=10) == []
        actions = [e.action for e in uow.ledger.store.recent(limit=50)]
        notices = uow.notifications.for_person(uow.applications.get(application.id).person_id)
    assert done.final and done.previous_monthly == paid_first
    # A higher 计发基数 raises the 基础养老金 and the 过渡性养老金 (国发〔2005〕38号).
    assert done.monthly > paid_first
    assert done.months_paid == 5 and str(done.start_month) == "2027-02"
    assert done.difference == (done.monthly - paid_first) * 5
    assert done.settlement_label.startswith("补发")
    assert LedgerAction.PENSION_RECALCULATED.value in actions
    assert any(done.settlement_label in n.body for n in notices)
    # Final: a second run records nothing more.
    assert run_recalculations(seeded.uow, _settings(seeded, figures)) == 0


def test_only_an_approved_grant_is_recalculated(seeded, application):
    with pytest.raises(ConflictError, match="只有已批准退休"):
        _recalculate(seeded, application, seeded.parameters)  # not decided yet
    with seeded.uow() as uow:
        determine(uow, actor=CLERK, application_id=application.id, grant=False, note="测试不予批准")
    with seeded.uow() as uow:
        review(uow, actor=REVIEWER, application_id=application.id, approve=True, note="")
    with seeded.uow() as uow:
        assert uow.recalculations.provisional_pensions(limit=10) == []
    with pytest.raises(ConflictError, match="只有已批准退休"):
        _recalculate(seeded, application, seeded.parameters)


def test_a_partial_publication_recalculates_again_when_the_rest_is_out(seeded, application, clock):
    """2026 published first, lower than the figure paid on (2027 still provisional, now on
    the 2026 figure): the overpaid month is given back (扣回); then 2027, equal to 2026."""
    first = Decimal(_pension_task(seeded, application).result["pension"]["total"])
    _approve(seeded, application)
    clock.advance(timedelta(days=120))  # 2027-03: one month paid
    today = clock.now().date()
    lower = "0.95"
    partial = published(
        seeded.parameters, region="130406", on=today, through_year=2026, raise_by=lower
    )
    step = _recalculate(seeded, application, partial)
    assert step is not None and not step.final
    assert all("2027年" in note for note in step.still_provisional)
    assert step.months_paid == 1 and step.previous_monthly == first
    # 2027 is now paid on the lower 2026 figure: one month overpaid, given back.
    assert step.monthly < first and step.settlement_label == f"扣回{first - step.monthly}元"

    clock.advance(timedelta(days=60))  # 2027-05: three months paid
    whole = published(
        seeded.parameters, region="130406", on=clock.now().date(), through_year=2027, raise_by=lower
    )
    final = _recalculate(seeded, application, whole)
    assert final is not None and final.final
    assert final.previous_monthly == step.monthly and final.months_paid == 3
    # 2027 came out equal to the 2026 figure it was paid on since: nothing more to settle.
    assert final.monthly == step.monthly and final.settlement_label == "无差额"
    assert _recalculate(seeded, application, whole) is None
