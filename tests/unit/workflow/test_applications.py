"""The application's pure rules: the fan-out, the state derived from the tasks and the
decision, the bank-card check, and the retry delays of a department that is down."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from retirelink.errors import InvalidInputError
from retirelink.workflow.applications import (
    TASK_PLAN,
    ApplicationRoute,
    ApplicationState,
    Decision,
    DecisionStatus,
    TaskKind,
    TaskStatus,
    application_state,
    check_bank_account,
    reference_for,
    still_needed,
    tasks_for,
)
from retirelink.workflow.task_runner import retry_delay

SUBMITTED = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)


def _tasks(**statuses: TaskStatus):
    return [
        replace(task, status=statuses.get(task.kind.value, task.status))
        for task in tasks_for(1, SUBMITTED, ApplicationRoute.STATUTORY)
    ]


def _all(status: TaskStatus):
    return _tasks(**{kind.value: status for kind in TaskKind})


STATUTORY_KINDS = [kind for kind in TaskKind if kind is not TaskKind.PUBLIC_NOTICE]


def test_the_fan_out_creates_every_task_at_once_with_its_own_time_limit():
    tasks = tasks_for(1, SUBMITTED, ApplicationRoute.STATUTORY)

    assert [task.kind for task in tasks] == STATUTORY_KINDS
    assert all(task.status is TaskStatus.WAITING for task in tasks)
    assert all(task.next_attempt_at == SUBMITTED for task in tasks)
    assert {task.kind: task.due_at - SUBMITTED for task in tasks} == {
        kind: TASK_PLAN[kind].sla for kind in STATUTORY_KINDS
    }


def test_the_special_job_route_adds_the_public_notice_decided_when_its_period_ends():
    tasks = tasks_for(1, SUBMITTED, ApplicationRoute.SPECIAL_JOB)

    notice = tasks[-1]
    assert notice.kind is TaskKind.PUBLIC_NOTICE and len(tasks) == 9
    assert notice.next_attempt_at == SUBMITTED + timedelta(days=7)
    assert notice.due_at == SUBMITTED + timedelta(days=10)


def test_the_state_follows_the_tasks():
    assert (
        application_state(tasks_for(1, SUBMITTED, ApplicationRoute.STATUTORY))
        is ApplicationState.IN_PROGRESS
    )
    assert application_state(_all(TaskStatus.DONE)) is ApplicationState.READY
    one_waiting = _tasks(**{k.value: TaskStatus.DONE for k in TaskKind if k.value != "pension"})
    assert application_state(one_waiting) is ApplicationState.IN_PROGRESS
    disputed = _tasks(identity=TaskStatus.DISPUTED)
    assert application_state(disputed) is ApplicationState.NEEDS_ATTENTION
    # A refusal outweighs everything else: the person is not eligible whatever else says.
    both = _tasks(identity=TaskStatus.DISPUTED, contributions=TaskStatus.REFUSED)
    assert application_state(both) is ApplicationState.NOT_ELIGIBLE
    assert application_state([]) is ApplicationState.IN_PROGRESS


def _decision(status: DecisionStatus, grant: bool) -> Decision:
    return Decision(1, status, grant, "clerk", SUBMITTED, "", {})


def test_once_determined_the_decision_says_and_a_returned_one_falls_back_to_the_tasks():
    done = _all(TaskStatus.DONE)

    assert application_state(done, _decision(DecisionStatus.DETERMINED, True)) is (
        ApplicationState.DETERMINED
    )
    assert application_state(done, _decision(DecisionStatus.APPROVED, True)) is (
        ApplicationState.APPROVED
    )
    assert application_state(done, _decision(DecisionStatus.APPROVED, False)) is (
        ApplicationState.REJECTED
    )
    assert application_state(done, _decision(DecisionStatus.RETURNED, True)) is (
        ApplicationState.READY
    )


def test_still_needed_lists_the_unfinished_tasks_in_plain_chinese():
    lines = still_needed(_tasks(identity=TaskStatus.DISPUTED))

    assert len(lines) == 8
    assert "户籍身份核验：数据存在异议" in lines
    assert "跨省参保记录核查：等待办理" in lines


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("6222021304000012349", "6222021304000012349"),
        ("6222 0213 0400 0012 349", "6222021304000012349"),
        ("4111111111111111", "4111111111111111"),  # the ISO/IEC 7812 test number, 16 digits
    ],
)
def test_a_valid_card_number_is_stored_without_spaces(typed, stored):
    assert check_bank_account(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("6222021304000012348", "校验位错误"),
        ("411111111111111", "16至19位"),
        ("62220213040000123491", "16至19位"),
        ("6222-0213-0400-0012", "只能由数字组成"),
        ("６２２２０２１３０４００００１２３４９", "只能由数字组成"),  # full-width digits
    ],
)
def test_an_impossible_card_number_is_refused_in_chinese(typed, message):
    with pytest.raises(InvalidInputError) as refused:
        check_bank_account(typed)
    assert message in refused.value.message and refused.value.field == "bank_account"


def test_the_reference_carries_region_day_and_serial():
    assert reference_for("130406", SUBMITTED.date(), 12) == "TX130406-20261123-000012"


def test_a_department_down_is_retried_sooner_first_then_at_most_hourly():
    assert retry_delay(1) == timedelta(seconds=15)
    assert retry_delay(2) == timedelta(seconds=30)
    assert retry_delay(4) == timedelta(minutes=2)
    assert retry_delay(30) == timedelta(hours=1)
