"""The cross-province task and the contributions task on the real database, with the other
nodes faked: a person short of the minimum here gets the months transferred in from another
province counted (国办发〔2009〕66号: 缴费年限累计计算), the contributions task waiting for the
cross-province one meanwhile; a node down leaves only its task waiting.

赵铁柱: born 1966-08-15, at work here since 1995-10 (3 deemed months before the 1996-01 account
start), 100 months paid here (1996–2004): 103 < the 180 needed in 2027.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from retirelink.rules import YearMonth
from retirelink.workflow.applications import ApplicationState, TaskKind, TaskStatus
from retirelink.workflow.province_records import (
    CrossProvinceRecords,
    ProvinceHistory,
    ProvinceYear,
    Relationship,
)
from tests.integration.workflow.test_applications import _request, _run, _submit, _tasks, _view
from tests.support.insured import digitised_archive, insured_person, register_test_employer
from tests.support.partner_checks import FakePartnerChecks

pytestmark = pytest.mark.integration

SHANXI = "140000"


@pytest.fixture
def short(seeded):
    register_test_employer(seeded)
    person = insured_person(
        seeded, birth="19660815", name="赵铁柱", months=100, employed_from=YearMonth(1995, 10)
    )
    digitised_archive(seeded, person, born="1966年8月15日", work_start="1995年10月")
    return person


def _shanxi(person, years, relationship=Relationship.TRANSFERRED):
    lines = tuple(ProvinceYear(y, 12, Decimal("1500.00"), "山西焦煤西山煤电") for y in years)
    history = ProvinceHistory(
        SHANXI,
        "req",
        "SX-CX-000001",
        person.id_number,
        SHANXI,
        True,
        relationship,
        "130000" if relationship is Relationship.TRANSFERRED else "",
        False,
        lines,
    )
    return CrossProvinceRecords("req", person.id_number, (SHANXI,), (history,))


def _rounds(services, partners, clock, n=4):
    for _ in range(n):
        _run(services, partners)
        clock.advance(timedelta(minutes=2))


def test_months_transferred_in_make_up_the_minimum_once_the_cross_province_task_has_them(
    seeded, short, clock
):
    partners = FakePartnerChecks(down={"cross_province"})
    application = _submit(seeded, _request(short)).application

    _run(seeded, partners)

    tasks = _tasks(_view(seeded, application))
    assert tasks[TaskKind.CROSS_PROVINCE].status is TaskStatus.WAITING
    contributions = tasks[TaskKind.CONTRIBUTIONS]
    assert contributions.status is TaskStatus.WAITING, contributions.summary
    assert "待跨省参保记录核查完成后合并外省转入年限" in contributions.summary
    assert tasks[TaskKind.IDENTITY].status is TaskStatus.DONE  # the others proceed

    partners.down.clear()
    partners.records = _shanxi(short, range(2005, 2012))  # 84 months, transferred here
    _rounds(seeded, partners, clock)

    tasks = _tasks(_view(seeded, application))
    cross = tasks[TaskKind.CROSS_PROVINCE]
    assert cross.status is TaskStatus.DONE and cross.result["transferred_months"] == 84
    contributions = tasks[TaskKind.CONTRIBUTIONS]
    assert contributions.status is TaskStatus.DONE, contributions.summary
    assert "累计缴费15年7个月（含外省转入7年）" in contributions.summary
    assert contributions.result["transferred_months"] == 84
    assert "task:cross_province" in contributions.evidence


def test_too_few_months_transferred_in_still_refuse_with_the_shortfall(seeded, short, clock):
    partners = FakePartnerChecks(records=_shanxi(short, range(2005, 2007)))
    application = _submit(seeded, _request(short)).application

    _rounds(seeded, partners, clock)

    contributions = _tasks(_view(seeded, application))[TaskKind.CONTRIBUTIONS]
    assert contributions.status is TaskStatus.REFUSED
    assert "差53个月" in contributions.summary and "外省转入" in contributions.summary


def test_an_open_relationship_elsewhere_hands_both_tasks_to_a_person(seeded, short, clock):
    partners = FakePartnerChecks(records=_shanxi(short, range(2005, 2012), Relationship.OPEN))
    application = _submit(seeded, _request(short)).application

    _rounds(seeded, partners, clock)

    view = _view(seeded, application)
    tasks = _tasks(view)
    assert tasks[TaskKind.CROSS_PROVINCE].status is TaskStatus.NEEDS_PERSON
    assert "须办理养老保险关系转移接续（山西省）" in tasks[TaskKind.CROSS_PROVINCE].summary
    contributions = tasks[TaskKind.CONTRIBUTIONS]
    assert contributions.status is TaskStatus.NEEDS_PERSON
    assert "外省参保记录待人工核查" in contributions.summary
    assert view.state is ApplicationState.NEEDS_ATTENTION
