"""The special paths of an application on the real database: illness retirement on the
劳动能力鉴定 conclusion (劳社部发〔1999〕8号第二条第（三）项: 男50, 完全丧失劳动能力), and the
公示 of a special-job early retirement, decided when its period ends unless an objection is
recorded while it is up. The test clock is 2026-11-23."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from retirelink.archives.cataloguing import MaterialEntry, catalogue_material
from retirelink.archives.holdings import DatePrecision, FuzzyDate
from retirelink.archives.material_classes import MaterialType
from retirelink.errors import InvalidInputError
from retirelink.rules import WorkCapacity, YearMonth
from retirelink.security.model import SYSTEM_ACTOR, Actor, Role
from retirelink.workflow.application_services import (
    ApplicationRequest,
    application_view,
    submit_application,
)
from retirelink.workflow.applications import (
    ApplicationRoute,
    ApplicationState,
    Appraisal,
    Channel,
    TaskKind,
    TaskStatus,
)
from retirelink.workflow.task_runner import TaskSettings, complete_task, run_due_tasks
from tests.support.insured import (
    digitised_archive,
    insured_person,
    register_test_employer,
)
from tests.support.insured import miner as make_miner
from tests.support.partner_checks import FakePartnerChecks

pytestmark = pytest.mark.integration

CLERK = Actor(2, "clerk", "窗口", "SHEBAO", frozenset({Role.CLERK}))
COMPLETE = Appraisal(WorkCapacity.COMPLETE_LOSS, "邯劳鉴〔2026〕0123号", date(2026, 11, 2))


def _request(person, route, **changes):
    request = ApplicationRequest(
        id_number=person.id_number,
        route=route,
        channel=Channel.EMPLOYER,
        bank_name="邯郸银行峰峰支行",
        bank_account="6222021304000012349",
    )
    return replace(request, **changes)


def _submit(services, request):
    with services.uow() as uow:
        return submit_application(
            uow, request, actor=CLERK, params=services.parameters, region="130406"
        ).application


def _run(services):
    settings = TaskSettings(
        params=services.parameters, region="130406", partners=FakePartnerChecks()
    )
    return run_due_tasks(services.uow, settings)


def _view(services, application):
    with services.uow() as uow:
        return application_view(uow, actor=CLERK, application_id=application.id)


def _task(view, kind):
    return next(task for task in view.tasks if task.kind is kind)


@pytest.fixture
def ill(seeded):
    """A man born in March 1975 (51), at work since 1994-03, 300 months paid."""
    register_test_employer(seeded)
    person = insured_person(
        seeded, birth="19750315", name="刘波", months=300, employed_from=YearMonth(1994, 3)
    )
    digitised_archive(seeded, person, born="1975年3月15日", work_start="1994年3月")
    return person


def test_illness_retirement_with_complete_loss_of_capacity_is_ready(seeded, ill):
    application = _submit(seeded, _request(ill, ApplicationRoute.ILLNESS, appraisal=COMPLETE))
    _run(seeded)

    view = _view(seeded, application)
    assert application.retirement_month == YearMonth(2026, 12)  # the month after applying
    assert view.application.appraisal == COMPLETE
    assert view.state is ApplicationState.READY, [t.summary for t in view.tasks]


def test_partial_loss_of_capacity_is_not_eligible(seeded, ill):
    partial = COMPLETE._replace(capacity=WorkCapacity.PARTIAL_LOSS)
    application = _submit(seeded, _request(ill, ApplicationRoute.ILLNESS, appraisal=partial))
    _run(seeded)

    view = _view(seeded, application)
    archive = _task(view, TaskKind.ARCHIVE_REVIEW)
    assert archive.status is TaskStatus.REFUSED
    assert "不符合因病提前退休条件" in archive.summary and "完全丧失劳动能力" in archive.summary
    assert archive.evidence == ("appraisal:邯劳鉴〔2026〕0123号",)
    assert view.state is ApplicationState.NOT_ELIGIBLE


def test_below_the_illness_age_is_not_eligible(seeded):
    """A man of 46: illness retirement starts at 50 (劳社部发〔1999〕8号)."""
    register_test_employer(seeded)
    young = insured_person(
        seeded, birth="19800301", name="马超", months=240, employed_from=YearMonth(2000, 3)
    )
    digitised_archive(seeded, young, born="1980年3月1日", work_start="2000年3月")
    application = _submit(seeded, _request(young, ApplicationRoute.ILLNESS, appraisal=COMPLETE))
    _run(seeded)

    archive = _task(_view(seeded, application), TaskKind.ARCHIVE_REVIEW)
    assert archive.status is TaskStatus.REFUSED and "50" in archive.summary


@pytest.mark.parametrize(
    ("appraisal", "message"),
    [
        (None, "劳动能力鉴定结论"),
        (COMPLETE._replace(reference=" "), "鉴定结论书编号"),
        (COMPLETE._replace(appraised_on=date(2026, 11, 24)), "不能晚于今天"),
        (COMPLETE._replace(appraised_on=date(2025, 11, 22)), "超过一年"),
    ],
)
def test_an_illness_application_without_a_valid_appraisal_is_refused(
    seeded, ill, appraisal, message
):
    with pytest.raises(InvalidInputError) as refused:
        _submit(seeded, _request(ill, ApplicationRoute.ILLNESS, appraisal=appraisal))

    assert message in refused.value.message


@pytest.fixture
def miner(seeded):
    """A man born in August 1971 (55 in 2026-08), 井下 from 1988-03 to 1998-02 (120 months ≥
    the 108 of 国发〔1978〕104号), with the 特殊工种审批表 in his archive."""
    person = make_miner(seeded, name="周平", underground_until=YearMonth(1998, 3))
    with seeded.uow() as uow:
        archive = uow.archives.get_by_person(person.id)
        catalogue_material(
            uow,
            actor=SYSTEM_ACTOR,
            archive_id=archive.id,
            entry=MaterialEntry(
                "9-2",
                MaterialType.SPECIAL_JOB_APPROVAL,
                "特殊工种审批表",
                FuzzyDate(date(1988, 3, 1), DatePrecision.DAY),
                1,
            ),
        )
        uow.commit()
    return person


def test_the_public_notice_is_decided_when_its_period_ends(seeded, miner, clock):
    application = _submit(seeded, _request(miner, ApplicationRoute.SPECIAL_JOB))
    _run(seeded)

    view = _view(seeded, application)
    notice = _task(view, TaskKind.PUBLIC_NOTICE)
    assert len(view.tasks) == 9 and notice.status is TaskStatus.WAITING
    archive = _task(view, TaskKind.ARCHIVE_REVIEW)
    assert archive.status is TaskStatus.DONE, archive.summary
    assert view.state is ApplicationState.IN_PROGRESS

    clock.advance(timedelta(days=6))
    _run(seeded)
    assert _task(_view(seeded, application), TaskKind.PUBLIC_NOTICE).status is TaskStatus.WAITING

    clock.advance(timedelta(days=1, minutes=1))
    _run(seeded)

    view = _view(seeded, application)
    notice = _task(view, TaskKind.PUBLIC_NOTICE)
    assert notice.status is TaskStatus.DONE
    assert "公示期2026-11-23至2026-11-30届满，未收到异议" in notice.summary
    assert view.state is ApplicationState.READY


def test_an_objection_recorded_during_the_notice_refuses_it(seeded, miner):
    application = _submit(seeded, _request(miner, ApplicationRoute.SPECIAL_JOB))
    _run(seeded)
    notice = _task(_view(seeded, application), TaskKind.PUBLIC_NOTICE)

    with seeded.uow() as uow:
        complete_task(
            uow,
            actor=CLERK,
            task_id=notice.id,
            status=TaskStatus.REFUSED,
            note="收到实名异议：1994年至1998年实际在地面工作，经核实异议成立",
        )

    view = _view(seeded, application)
    assert _task(view, TaskKind.PUBLIC_NOTICE).status is TaskStatus.REFUSED
    assert view.state is ApplicationState.NOT_ELIGIBLE
