"""The retirement application on the real database: one submission fans out into the
parallel tasks at once, the worker decides them, the state follows from the tasks, and bad
input, duplicates, partners down, crashes and contradictions are handled as the issue says.

The test clock is 2026-11-23. A man born in August 1966 reaches his statutory age of 60
years 5 months in January 2027 (人社部发〔2024〕94号 附件1); 2027 still needs 15 years of
contributions (附件4 raises the minimum from 2030).
"""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from retirelink.archives.insured import InsuranceStatus
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from retirelink.ledger.model import LedgerAction
from retirelink.rules import YearMonth
from retirelink.security.model import Actor, Role
from retirelink.workflow.application_services import (
    ApplicationRequest,
    application_view,
    submit_application,
)
from retirelink.workflow.applications import (
    ApplicationRoute,
    ApplicationState,
    Channel,
    TaskKind,
    TaskStatus,
)
from retirelink.workflow.ports import TaskOutcome
from retirelink.workflow.task_runner import (
    LEASE,
    TaskSettings,
    complete_task,
    retry_task,
    run_due_tasks,
)
from tests.support.insured import (
    add_grading_form,
    digitised_archive,
    insured_person,
    miner,
    register_test_employer,
)
from tests.support.partner_checks import FakePartnerChecks

pytestmark = pytest.mark.integration

CLERK = Actor(2, "clerk", "窗口", "SHEBAO", frozenset({Role.CLERK}))
REVIEWER = Actor(4, "reviewer", "复核", "SHEBAO", frozenset({Role.REVIEWER}))
ARCHIVIST = Actor(5, "archivist", "档案", "SHEBAO", frozenset({Role.ARCHIVIST}))
BANK_ACCOUNT = "6222 0213 0400 0012 349"  # Luhn-valid, typed with spaces


@pytest.fixture
def partners():
    return FakePartnerChecks()


@pytest.fixture
def complete(seeded):
    """王建国: born 1966-08-15, at work since 1984-03 (142 deemed months before the 1996-01
    account start, proven by his 招工登记表), 170 months paid: 312 ≥ 180."""
    register_test_employer(seeded)
    person = insured_person(seeded, birth="19660815", name="王建国", months=170)
    digitised_archive(seeded, person, born="1966年8月15日")
    return person


def _request(person, **changes):
    request = ApplicationRequest(
        id_number=person.id_number,
        route=ApplicationRoute.STATUTORY,
        channel=Channel.PERSON,
        bank_name="中国工商银行邯郸峰峰支行",
        bank_account=BANK_ACCOUNT,
    )
    return replace(request, **changes)


def _submit(services, request, actor=CLERK):
    with services.uow() as uow:
        return submit_application(
            uow, request, actor=actor, params=services.parameters, region="130406"
        )


def _run(services, partners):
    settings = TaskSettings(params=services.parameters, region="130406", partners=partners)
    return run_due_tasks(services.uow, settings)


def _view(services, application):
    with services.uow() as uow:
        return application_view(uow, actor=CLERK, application_id=application.id)


def _tasks(view):
    return {task.kind: task for task in view.tasks}


def _count(services, table):
    with services.uow() as uow:
        return uow.session.execute(text(f"select count(*) from {table}")).scalar()


def test_one_application_fans_out_into_every_task_at_once(seeded, complete):
    submitted = _submit(seeded, _request(complete))

    view = _view(seeded, submitted.application)
    assert submitted.created
    assert submitted.application.reference == "TX130406-20261123-000001"
    assert submitted.application.retirement_month == YearMonth(2027, 1)
    assert submitted.application.bank_account == "6222021304000012349"
    assert {task.kind for task in view.tasks} == set(TaskKind) - {TaskKind.PUBLIC_NOTICE}
    assert {task.status for task in view.tasks} == {TaskStatus.WAITING}
    assert view.state is ApplicationState.IN_PROGRESS
    # Each task has its own time limit: the partner business 5 days, the checks one day.
    due = {task.kind: task.due_at - submitted.application.submitted_at for task in view.tasks}
    assert due[TaskKind.HOUSING_FUND] == timedelta(days=5)
    assert due[TaskKind.IDENTITY] == timedelta(days=1)


def test_complete_facts_make_the_application_ready_for_determination(seeded, complete, partners):
    application = _submit(seeded, _request(complete)).application

    summary = _run(seeded, partners)

    view = _view(seeded, application)
    tasks = _tasks(view)
    assert summary.decided == 8 and summary.waiting == 0
    assert view.state is ApplicationState.READY, [t.summary for t in view.tasks]
    assert view.ready_at is not None and view.materials_asked == 0 and view.visits == 0
    archive = tasks[TaskKind.ARCHIVE_REVIEW]
    assert "1966年8月" in archive.summary and "11年10个月" in archive.summary
    assert any(item.startswith("material:") for item in archive.evidence)
    contributions = tasks[TaskKind.CONTRIBUTIONS]
    assert contributions.result["paid_months"] == 170
    assert contributions.result["required_months"] == 180
    pension = tasks[TaskKind.PENSION]
    # 2027's 计发基数 is not published (the shipped series ends with 2025): paid provisionally.
    assert "预发" in pension.summary
    assert any("2027年计发基数尚未公布" in note for note in pension.result["provisional"])
    assert pension.result["pension"]["total"] == pension.summary.split("每月")[1].split("元")[0]
    # Every partner was asked once; the housing fund with the application's own request id.
    assert ("housing_fund", "TX130406-20261123-000001-GJJ") in partners.calls
    assert ("cross_province", "TX130406-20261123-000001-KS") in partners.calls
    assert len(partners.calls) == 5
    assert tasks[TaskKind.CROSS_PROVINCE].summary == "外省无参保记录"
    # No department is asked inside a database transaction (on SQLite, the write lock).
    assert partners.asked_in_transaction == []


def test_a_second_submission_for_the_same_month_returns_the_first(seeded, complete):
    first = _submit(seeded, _request(complete))
    again = _submit(seeded, _request(complete, channel=Channel.WINDOW))

    assert not again.created and again.application.id == first.application.id
    assert _count(seeded, "retirement_applications") == 1
    assert _count(seeded, "application_tasks") == 8


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bank_account": "6222021304000012348"}, "银行卡号校验位错误"),
        ({"bank_account": "62220213"}, "16至19位"),
        ({"bank_name": " "}, "开户银行"),
        ({"id_number": "130406196608151310"}, "校验码"),
        ({"retirement_month": YearMonth(2027, 3)}, "法定退休年月为2027年1月"),
        (
            {"route": ApplicationRoute.FLEXIBLE_EARLY, "retirement_month": None},
            "弹性退休须填写",
        ),
        (
            {"route": ApplicationRoute.FLEXIBLE_LATE, "retirement_month": YearMonth(2027, 3)},
            "单位同意",
        ),
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(seeded, complete, changes, message):
    with pytest.raises(InvalidInputError) as refused:
        _submit(seeded, _request(complete, **changes))

    assert message in refused.value.message
    assert _count(seeded, "retirement_applications") == 0
    assert _count(seeded, "application_tasks") == 0


def test_applying_far_too_early_is_refused(seeded, complete):
    young = insured_person(seeded, birth="19700101", name="赵强", months=200)

    with pytest.raises(InvalidInputError) as refused:
        _submit(seeded, _request(young))

    assert "申请过早" in refused.value.message and "6个月" in refused.value.message
    assert _count(seeded, "retirement_applications") == 0


@pytest.mark.parametrize(
    ("status", "message"),
    [(InsuranceStatus.RETIRED, "已于"), (InsuranceStatus.DECEASED, "已死亡")],
)
def test_a_retired_or_deceased_person_cannot_apply(seeded, complete, status, message):
    person = insured_person(seeded, birth="19660901", name="孙亮", months=300, status=status)

    with pytest.raises(ConflictError) as refused:
        _submit(seeded, _request(person))

    assert message in refused.value.message
    assert _count(seeded, "retirement_applications") == 0


def test_an_unknown_person_and_an_unpermitted_actor_are_refused(seeded, complete):
    from tests.support.builders import make_id_number

    with pytest.raises(NotFoundError):
        _submit(seeded, _request(complete, id_number=make_id_number("19660815", sequence="555")))
    with pytest.raises(PermissionDeniedError):
        _submit(seeded, _request(complete), actor=ARCHIVIST)


def test_a_partner_down_leaves_its_task_waiting_while_the_rest_proceed(
    seeded, complete, partners, clock
):
    application = _submit(seeded, _request(complete)).application
    partners.down.add("housing_fund")

    first = _run(seeded, partners)

    tasks = _tasks(_view(seeded, application))
    assert first.decided == 7 and first.waiting == 1
    waiting = tasks[TaskKind.HOUSING_FUND]
    assert waiting.status is TaskStatus.WAITING and waiting.attempts == 1
    assert "稍后自动重试" in waiting.summary
    assert waiting.next_attempt_at > clock.now()
    assert all(t.status is TaskStatus.DONE for k, t in tasks.items() if k != TaskKind.HOUSING_FUND)
    # Not yet due again: nothing is claimed.
    assert _run(seeded, partners).decided == 0

    partners.down.clear()
    clock.advance(timedelta(seconds=20))
    _run(seeded, partners)

    view = _view(seeded, application)
    assert view.state is ApplicationState.READY
    assert _tasks(view)[TaskKind.HOUSING_FUND].attempts == 2


def test_a_crash_between_tasks_resumes_from_the_tasks_states(seeded, complete, partners, clock):
    application = _submit(seeded, _request(complete)).application
    # A worker claims every task and dies before deciding any.
    with seeded.uow() as uow:
        claimed = uow.tasks.claim_due(now=clock.now(), lease=LEASE, limit=50)
        uow.commit()
    assert len(claimed) == 8
    assert _run(seeded, partners).decided == 0  # leased to the dead worker

    clock.advance(LEASE + timedelta(seconds=1))
    resumed = _run(seeded, partners)

    assert resumed.decided == 8
    assert _view(seeded, application).state is ApplicationState.READY
    assert _count(seeded, "application_tasks") == 8


def test_a_contradiction_from_a_partner_is_a_dispute_for_a_person(seeded, complete, partners):
    application = _submit(seeded, _request(complete)).application
    partners.answers["identity"] = TaskOutcome(
        TaskStatus.DISPUTED, "户籍出生日期1966-09-15与身份号码中的1966-08-15不一致"
    )
    _run(seeded, partners)

    view = _view(seeded, application)
    identity = _tasks(view)[TaskKind.IDENTITY]
    assert view.state is ApplicationState.NEEDS_ATTENTION
    assert identity.status is TaskStatus.DISPUTED and "不一致" in identity.summary

    with seeded.uow() as uow:
        done = complete_task(
            uow, actor=CLERK, task_id=identity.id, status=TaskStatus.DONE, note="户籍已更正"
        )
    assert done.status is TaskStatus.DONE and done.finished_by == "clerk"
    assert "user:clerk" in done.evidence
    assert _view(seeded, application).state is ApplicationState.READY
    with seeded.uow() as uow, pytest.raises(ConflictError):
        complete_task(uow, actor=CLERK, task_id=identity.id, status=TaskStatus.DONE, note="再次")


def test_a_missing_material_waits_for_the_employer_then_the_task_is_run_again(seeded, partners):
    register_test_employer(seeded)
    person = insured_person(seeded, birth="19660815", name="王建国", months=170)
    digitised_archive(seeded, person, born="1966年8月15日", grading=False)
    application = _submit(seeded, _request(person)).application
    _run(seeded, partners)

    view = _view(seeded, application)
    archive = _tasks(view)[TaskKind.ARCHIVE_REVIEW]
    assert archive.status is TaskStatus.NEEDS_PERSON and "转正定级表" in archive.summary
    assert view.materials_asked == 1 and view.state is ApplicationState.NEEDS_ATTENTION
    assert _tasks(view)[TaskKind.PENSION].status is TaskStatus.NEEDS_PERSON

    add_grading_form(seeded, person)
    for kind in (TaskKind.ARCHIVE_REVIEW, TaskKind.PENSION):
        with seeded.uow() as uow:
            retry_task(uow, actor=CLERK, task_id=_tasks(view)[kind].id)
    _run(seeded, partners)

    assert _view(seeded, application).state is ApplicationState.READY


def test_special_job_years_short_make_the_application_not_eligible(seeded, partners):
    """井下 work needs 9 years (108 months, 国发〔1978〕104号); 1988-03 to 1997-01 is 106."""
    person = miner(seeded, name="周平", underground_until=YearMonth(1997, 1))
    application = _submit(seeded, _request(person, route=ApplicationRoute.SPECIAL_JOB)).application
    _run(seeded, partners)

    view = _view(seeded, application)
    archive = _tasks(view)[TaskKind.ARCHIVE_REVIEW]
    assert archive.status is TaskStatus.REFUSED, archive.summary
    assert "不符合特殊工种提前退休条件" in archive.summary
    assert view.state is ApplicationState.NOT_ELIGIBLE


def test_a_task_past_its_time_limit_is_escalated_once(seeded, complete, partners, clock):
    application = _submit(seeded, _request(complete)).application
    partners.down.add("identity")
    _run(seeded, partners)

    clock.advance(timedelta(days=1, minutes=1))
    escalated = _run(seeded, partners).escalated
    again = _run(seeded, partners).escalated

    identity = _tasks(_view(seeded, application))[TaskKind.IDENTITY]
    assert escalated == 1 and again == 0
    assert identity.escalated_at is not None and identity.status is TaskStatus.WAITING
    with seeded.uow() as uow:
        actions = [entry.action for entry in uow.ledger.store.recent(limit=100)]
    assert LedgerAction.TASK_ESCALATED.value in actions
    assert LedgerAction.APPLICATION_SUBMITTED.value in actions
    assert actions.count(LedgerAction.TASK_DECIDED.value) == 7
    # One 督办 notice, to the department that owns the task (公安), once.
    with seeded.uow() as uow:
        notices = [
            n for n in uow.notifications.pending(limit=100) if n.recipient_kind == "department"
        ]
    assert [(n.recipient, n.dedupe_key) for n in notices] == [
        (TaskKind.IDENTITY.department, f"escalation:{identity.id}")
    ]
    assert application.reference in notices[0].subject and "户籍" in notices[0].subject


def test_reading_an_application_needs_the_task_permission(seeded, complete):
    application = _submit(seeded, _request(complete)).application

    with seeded.uow() as uow, pytest.raises(PermissionDeniedError):
        application_view(uow, actor=ARCHIVIST, application_id=application.id)
    assert _view(seeded, application).person.name == "王建国"
