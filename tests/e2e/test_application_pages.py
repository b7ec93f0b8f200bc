"""The 退休申请 pages over HTTP: a clerk takes an application at the window, follows its
parallel tasks, works a disputed one from the queue; bad input is a 中文 error that writes
nothing; masking and permissions hold."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from retirelink.ledger.model import LedgerAction
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.storage.rows import RetirementApplicationRow
from retirelink.workflow.applications import TaskStatus
from retirelink.workflow.approval import determine, review
from retirelink.workflow.ports import TaskOutcome
from retirelink.workflow.recalculation_services import recalculate_pension
from retirelink.workflow.task_runner import TaskSettings, run_due_tasks
from tests.e2e.helpers import ledger_actions, logged_in, page_csrf
from tests.support.builders import actor_for
from tests.support.insured import digitised_archive, insured_person, register_test_employer
from tests.support.partner_checks import FakePartnerChecks
from tests.support.rule_params import published

pytestmark = pytest.mark.e2e

BANK_ACCOUNT = "6222021304000012349"


@pytest.fixture
def person(seeded):
    register_test_employer(seeded)
    person = insured_person(seeded, birth="19660815", name="王建国", months=170)
    digitised_archive(seeded, person, born="1966年8月15日")
    return person


def _form(client, person, **changes):
    data = {
        "csrf_token": page_csrf(client, "/applications"),
        "id_number": person.id_number,
        "route": "statutory",
        "channel": "window",
        "retirement_month": "",
        "bank_name": "中国工商银行邯郸峰峰支行",
        "bank_account": BANK_ACCOUNT,
    }
    data.update(changes)
    return client.post("/applications", data=data, follow_redirects=False)


def _applications(services):
    with services.uow() as uow:
        return uow.session.scalar(select(func.count(RetirementApplicationRow.id)))


def _work(services, partners):
    run_due_tasks(
        services.uow,
        TaskSettings(params=services.parameters, region="130406", partners=partners),
    )


def test_a_clerk_takes_an_application_and_sees_its_tasks(client, seeded, person):
    logged_in(client, "clerk")

    response = _form(client, person)

    assert response.status_code == 303
    detail = client.get(response.headers["location"])
    assert "TX130406-20261123-000001" in detail.text
    assert "2027年1月（法定退休）" in detail.text
    assert detail.text.count('data-status="waiting"') == 8
    assert "跨省参保记录核查" in detail.text
    assert "王*" in detail.text and "王建国" not in detail.text  # clerks see masked names
    assert "6222****2349" in detail.text and BANK_ACCOUNT not in detail.text
    assert "跑动 1 次" in detail.text  # at the window
    # The same application again: the first one, not a second.
    again = _form(client, person)
    assert again.headers["location"] == response.headers["location"]
    assert _applications(seeded) == 1
    assert ledger_actions(seeded, LedgerAction.APPLICATION_SUBMITTED.value)


def test_a_wrong_card_number_is_a_chinese_error_and_nothing_is_written(client, seeded, person):
    logged_in(client, "clerk")

    response = _form(client, person, bank_account="6222021304000012348")

    assert response.status_code == 422
    assert "银行卡号校验位错误" in response.text
    assert person.id_number in response.text  # the form keeps what was typed
    assert _applications(seeded) == 0


def test_worked_tasks_make_it_ready_with_the_pension_shown(client, seeded, person):
    logged_in(client, "clerk")
    location = _form(client, person).headers["location"]

    _work(seeded, FakePartnerChecks())

    detail = client.get(location)
    assert "待核定" in detail.text and 'data-status="waiting"' not in detail.text
    assert "基本养老金（月）" in detail.text and "暂按2025年公布值" in detail.text
    assert "material:" in detail.text


def test_a_disputed_task_is_worked_from_the_queue(client, seeded, person):
    logged_in(client, "clerk")
    location = _form(client, person).headers["location"]
    partners = FakePartnerChecks()
    partners.answers["identity"] = TaskOutcome(
        TaskStatus.DISPUTED, "户籍姓名“王建囯”与本系统登记姓名不一致"
    )
    _work(seeded, partners)

    queue = client.get("/applications/tasks")
    assert "户籍身份核验" in queue.text and "数据存在异议" in queue.text
    assert '<a href="/applications/tasks" aria-current="page">待办任务</a>' in queue.text
    detail = client.get(location)
    assert "待人工处理" in detail.text
    task_id = detail.text.split('data-task="identity"')[1].split("/tasks/")[1].split('"')[0]
    action = f"{location}/tasks/{task_id}"

    no_note = client.post(
        action, data={"csrf_token": page_csrf(client, location), "action": "done", "note": ""}
    )
    assert no_note.status_code == 422 and "请填写办理意见" in no_note.text

    done = client.post(
        action,
        data={"csrf_token": page_csrf(client, location), "action": "done", "note": "户籍已更正"},
        follow_redirects=True,
    )
    assert "人工办理：户籍已更正" in done.text and "待核定" in done.text
    assert "没有待办任务" in client.get("/applications/tasks").text


def test_an_archivist_may_not_see_applications(client, person):
    logged_in(client, "archivist")

    assert client.get("/applications").status_code == 403


def _ready(client, seeded, person):
    logged_in(client, "clerk")
    location = _form(client, person).headers["location"]
    _work(seeded, FakePartnerChecks())
    return location


def _post(client, url, page, **data):
    data["csrf_token"] = page_csrf(client, page)
    return client.post(url, data=data, follow_redirects=False)


def test_determined_by_the_clerk_approved_by_the_reviewer_then_printed(client, seeded, person):
    location = _ready(client, seeded, person)
    assert "核定：同意退休" in client.get(location).text

    determined = _post(client, f"{location}/determine", location, conclusion="grant", note="")
    assert determined.status_code == 303
    # The clerk cannot review their own determination: no review form for them.
    page = client.get(location).text
    assert "已核定，待复核" in page and "复核通过" not in page

    client.post("/logout", data={"csrf_token": page_csrf(client, location)})
    logged_in(client, "reviewer")
    assert "复核通过" in client.get(location).text
    approved = _post(client, f"{location}/review", location, conclusion="approve", note="")
    assert approved.status_code == 303

    page = client.get(location).text
    assert "已批准退休" in page and "打印职工退休审批表" in page
    pdf = client.get(f"{location}/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in pdf.headers["content-disposition"]
    assert ledger_actions(seeded, LedgerAction.APPROVAL_FORM_ISSUED.value)


def test_refusing_without_a_reason_is_a_chinese_error(client, seeded, person):
    location = _ready(client, seeded, person)

    refused = _post(client, f"{location}/determine", location, conclusion="refuse", note="")

    assert refused.status_code == 422 and "不予批准须写明理由" in refused.text
    assert "待核定" in refused.text


def test_the_form_cannot_be_printed_before_the_decision(client, seeded, person):
    location = _ready(client, seeded, person)

    assert client.get(f"{location}/form.pdf").status_code == 409


def _progress(client, reference, id_number, path="/progress"):
    page = client.get("/progress")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(
        path, data={"csrf_token": token, "reference": reference, "id_number": id_number}
    )


def test_the_applicant_follows_progress_and_downloads_the_form_without_an_account(
    client, seeded, person
):
    location = _ready(client, seeded, person)
    reference = "TX130406-20261123-000001"
    _post(client, f"{location}/determine", location, conclusion="grant", note="")
    client.post("/logout", data={"csrf_token": page_csrf(client, location)})
    logged_in(client, "reviewer")
    _post(client, f"{location}/review", location, conclusion="approve", note="")
    client.post("/logout", data={"csrf_token": page_csrf(client, location)})

    wrong = _progress(client, reference, "130406196608151322")
    assert wrong.status_code == 404 and "不匹配" in wrong.text

    shown = _progress(client, reference, person.id_number)
    assert shown.status_code == 200
    assert "已批准退休" in shown.text and "王*" in shown.text
    assert shown.text.count("已完成") == 8
    assert "外省无参保记录" in shown.text  # the cross-province task, in plain Chinese
    pdf = _progress(client, reference, person.id_number, "/progress/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_progress_form_refuses_a_post_without_its_token(client, seeded, person):
    response = client.post(
        "/progress", data={"reference": "TX1", "id_number": person.id_number, "csrf_token": "x"}
    )

    assert response.status_code == 403


def test_the_applicant_cannot_download_a_form_before_the_decision(client, seeded, person):
    _ready(client, seeded, person)
    client.post("/logout", data={"csrf_token": page_csrf(client, "/applications")})

    early = _progress(client, "TX130406-20261123-000001", person.id_number, "/progress/form.pdf")

    assert early.status_code == 409 and "审批完成后才能出具" in early.text


def test_a_recalculated_pension_shows_on_the_application(client, seeded, person, clock):
    logged_in(client, "clerk")
    location = _form(client, person).headers["location"]
    application_id = int(location.rsplit("/", 1)[1])
    _work(seeded, FakePartnerChecks())
    with seeded.uow() as uow:
        determine(
            uow,
            actor=actor_for(seeded, "clerk"),
            application_id=application_id,
            grant=True,
            note="",
        )
    with seeded.uow() as uow:
        review(
            uow,
            actor=actor_for(seeded, "reviewer"),
            application_id=application_id,
            approve=True,
            note="",
        )
    clock.advance(timedelta(days=240))
    figures = published(
        seeded.parameters, region="130406", on=clock.now().date(), through_year=2027
    )
    with seeded.uow() as uow:
        recalculate_pension(
            uow,
            actor=SYSTEM_ACTOR,
            application_id=application_id,
            settings=TaskSettings(params=figures, region="130406", partners=FakePartnerChecks()),
        )
    logged_in(client, "clerk")  # the session outlived its idle time while the clock moved
    page = client.get(location)
    assert 'id="recalculations"' in page.text
    assert "补发" in page.text and "无（最终核定）" in page.text
