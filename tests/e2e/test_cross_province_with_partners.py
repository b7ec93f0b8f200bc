"""跨省参保记录核查 against the simulators over HTTP on loopback: the national register
(全国参保登记信息库) and the 山西/河南 nodes answer signed requests; a person with years in
河南 transferred here gets them counted, a person without any is done at once; a node that
is down or answers garbage leaves only the cross-province task waiting.

The demo district (seed 7, 300 persons) has two persons due within six months on 2026-11-23:
one worked three years in 河南 before coming here (transferred), the other never elsewhere.
"""

from datetime import date, timedelta

import pytest

from retirelink.demo.loader import load_demo
from retirelink.partners.model import Mode
from retirelink.partners.registry import write_registry
from retirelink.partners.server import SimulatorConfig, running_partners
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.workflow.application_services import (
    ApplicationRequest,
    application_view,
    submit_application,
)
from retirelink.workflow.applications import ApplicationRoute, Channel, TaskKind, TaskStatus
from retirelink.workflow.services import list_checklists, run_prereview

pytestmark = pytest.mark.e2e

SEED, PERSONS = 7, 300
BANK_ACCOUNT = "6222021304000012349"
HENAN = "410000"


@pytest.fixture
def partners(services, settings, clock):
    load_demo(services, seed=SEED, persons=PERSONS)
    config = SimulatorConfig.for_tests(
        persons=PERSONS, seed=SEED, as_of=date(2026, 11, 23), clock=clock
    )
    with running_partners(config) as sims:
        write_registry(settings.partners_file, sims.registry())
        yield sims


def _due(services):
    run_prereview(
        services.uow, actor=SYSTEM_ACTOR, months=6, params=services.parameters, region="130406"
    )
    with services.uow() as uow:
        due, _ = list_checklists(uow, actor=SYSTEM_ACTOR, status=None, limit=500)
        return [uow.persons.get(stored.checklist.person_id) for stored in due]


def _from_henan(services, sims):
    elsewhere = sims.datasets().elsewhere
    return next(p for p in _due(services) if p.id_number in elsewhere)


def _never_elsewhere(services, sims):
    elsewhere = sims.datasets().elsewhere
    return next(p for p in _due(services) if p.id_number not in elsewhere)


def _apply(services, person):
    request = ApplicationRequest(
        id_number=person.id_number,
        route=ApplicationRoute.STATUTORY,
        channel=Channel.PERSON,
        bank_name="邯郸银行峰峰支行",
        bank_account=BANK_ACCOUNT,
    )
    with services.uow() as uow:
        return submit_application(
            uow, request, actor=SYSTEM_ACTOR, params=services.parameters, region="130406"
        ).application


def _tasks(services, application):
    with services.uow() as uow:
        view = application_view(uow, actor=SYSTEM_ACTOR, application_id=application.id)
    return {task.kind: task for task in view.tasks}


def test_years_transferred_from_another_province_are_found_and_counted(services, partners):
    person = _from_henan(services, partners)
    (record,) = partners.datasets().elsewhere[person.id_number]
    assert record.province == HENAN and record.relationship == "transferred"
    application = _apply(services, person)

    services.run_tasks()

    cross = _tasks(services, application)[TaskKind.CROSS_PROVINCE]
    months = sum(line.months for line in record.years)
    assert cross.status is TaskStatus.DONE, cross.summary
    assert cross.summary.startswith("外省缴费已转移接续至本省：河南省")
    assert cross.result["transferred_months"] == months
    assert cross.result["provinces"][HENAN]["months"] == months
    assert f"partner:全国参保登记信息库:{application.reference}-KS" in cross.evidence
    reference = cross.result["provinces"][HENAN]["reference"]
    assert reference.startswith("CX-410000-") and f"partner:河南省社保经办机构:{reference}" in (
        cross.evidence
    )
    # Each side was asked once, signed, by the application's own request ids; 山西 not at all.
    (asked,) = partners.received("QUANGUO", "insured_provinces")
    assert asked.payload == {
        "request_id": f"{application.reference}-KS",
        "id_number": person.id_number,
    }
    (history,) = partners.received("HENAN", "contribution_history")
    assert history.payload["request_id"] == f"{application.reference}-KS-41"
    assert partners.received("SHANXI") == []


def test_a_person_never_insured_elsewhere_is_done_at_once(services, partners):
    application = _apply(services, _never_elsewhere(services, partners))

    services.run_tasks()

    cross = _tasks(services, application)[TaskKind.CROSS_PROVINCE]
    assert cross.status is TaskStatus.DONE and cross.summary == "外省无参保记录"
    assert partners.received("HENAN") == [] and partners.received("SHANXI") == []


def test_a_node_down_holds_only_the_cross_province_task(services, partners, clock):
    person = _from_henan(services, partners)
    application = _apply(services, person)
    partners.set_mode("HENAN", Mode.DOWN)

    services.run_tasks()

    tasks = _tasks(services, application)
    cross = tasks[TaskKind.CROSS_PROVINCE]
    assert cross.status is TaskStatus.WAITING and "稍后自动重试" in cross.summary
    assert tasks[TaskKind.IDENTITY].status is TaskStatus.DONE
    assert tasks[TaskKind.MEDICAL_INSURANCE].status is TaskStatus.DONE
    assert tasks[TaskKind.CONTRIBUTIONS].status is TaskStatus.DONE  # enough years here

    partners.set_mode("HENAN", Mode.NORMAL)
    clock.advance(timedelta(minutes=1))
    services.run_tasks()

    cross = _tasks(services, application)[TaskKind.CROSS_PROVINCE]
    assert cross.status is TaskStatus.DONE and cross.attempts == 2


def test_a_node_answering_garbage_leaves_the_task_waiting_and_retried(services, partners, clock):
    person = _from_henan(services, partners)
    application = _apply(services, person)
    partners.set_mode("HENAN", Mode.GARBAGE)

    for _ in range(2):  # a cut-off body, then a JSON array: neither is the contract
        services.run_tasks()
        cross = _tasks(services, application)[TaskKind.CROSS_PROVINCE]
        assert cross.status is TaskStatus.WAITING, cross.summary
        assert "稍后自动重试" in cross.summary
        clock.advance(timedelta(minutes=2))

    partners.set_mode("HENAN", Mode.NORMAL)
    services.run_tasks()

    assert _tasks(services, application)[TaskKind.CROSS_PROVINCE].status is TaskStatus.DONE
