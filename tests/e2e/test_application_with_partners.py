"""A retirement application worked against the partner simulators (real HTTP servers on
loopback): 公安 answers the identity check live, 公积金 pays the balance out and 医保 moves
the person to retiree membership — each once, by the application's own request ids — and a
department that is down leaves only its own task waiting."""

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


@pytest.fixture
def partners(services, settings, clock):
    load_demo(services, seed=SEED, persons=PERSONS)
    config = SimulatorConfig.for_tests(
        persons=PERSONS, seed=SEED, as_of=date(2026, 11, 23), clock=clock
    )
    with running_partners(config) as sims:
        write_registry(settings.partners_file, sims.registry())
        yield sims


def _applicant(services, sims):
    """A person the pre-review finds due within six months who has a housing-fund account."""
    run_prereview(
        services.uow, actor=SYSTEM_ACTOR, months=6, params=services.parameters, region="130406"
    )
    with services.uow() as uow:
        due, _ = list_checklists(uow, actor=SYSTEM_ACTOR, status=None, limit=500)
        persons = [uow.persons.get(stored.checklist.person_id) for stored in due]
    accounts = sims.datasets().housing_accounts
    return next(
        p for p in persons if p.id_number in accounts and p.name == accounts[p.id_number].name
    )


def _apply(services, person):
    request = ApplicationRequest(
        id_number=person.id_number,
        route=ApplicationRoute.STATUTORY,
        channel=Channel.EMPLOYER,
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


def test_the_partner_tasks_are_decided_by_the_departments_themselves(services, partners):
    person = _applicant(services, partners)
    application = _apply(services, person)

    services.run_tasks()

    tasks = _tasks(services, application)
    identity = tasks[TaskKind.IDENTITY]
    assert identity.status is TaskStatus.DONE, identity.summary
    assert "姓名一致" in identity.summary and identity.evidence[0].startswith("partner:公安")
    housing = tasks[TaskKind.HOUSING_FUND]
    assert housing.status is TaskStatus.DONE, housing.summary
    assert "GJJ-TQ-" in housing.summary and housing.result["balance"]
    medical = tasks[TaskKind.MEDICAL_INSURANCE]
    assert medical.status is TaskStatus.DONE and "YB-ZR-" in medical.summary
    assert tasks[TaskKind.ALIVE_AND_FREE].status is TaskStatus.DONE
    # The departments acted once, on the application's own request ids.
    received = partners.received("GJJ", "withdrawal")
    assert [entry.payload["request_id"] for entry in received] == [f"{application.reference}-GJJ"]


def test_a_department_down_holds_only_its_own_task(services, partners, clock):
    person = _applicant(services, partners)
    application = _apply(services, person)
    partners.set_mode("GJJ", Mode.DOWN)

    services.run_tasks()

    tasks = _tasks(services, application)
    assert tasks[TaskKind.HOUSING_FUND].status is TaskStatus.WAITING
    assert tasks[TaskKind.IDENTITY].status is TaskStatus.DONE
    assert tasks[TaskKind.MEDICAL_INSURANCE].status is TaskStatus.DONE

    partners.set_mode("GJJ", Mode.NORMAL)
    clock.advance(timedelta(minutes=1))
    services.run_tasks()

    housing = _tasks(services, application)[TaskKind.HOUSING_FUND]
    assert housing.status is TaskStatus.DONE and housing.attempts == 2
