"""The 退休预审 pages over HTTP: the list by status, one person's checklist with the rules'
determination and the notices, masking by role, ledgered reads, bad filters."""

import pytest

from retirelink.ledger.model import LedgerAction
from retirelink.security.model import SYSTEM_ACTOR
from retirelink.workflow.services import run_prereview
from tests.e2e.helpers import ledger_actions, logged_in
from tests.support.insured import insured_person, register_test_employer

pytestmark = pytest.mark.e2e


@pytest.fixture
def reviewed(seeded):
    """Two men due in the six months from the test date (2026-11-23), one not yet due."""
    register_test_employer(seeded)
    short = insured_person(seeded, birth="19660815", name="王建国", months=170)
    insured_person(seeded, birth="19660920", name="李明", months=300)
    insured_person(seeded, birth="19800101", name="赵强", months=200)
    run_prereview(
        seeded.uow, actor=SYSTEM_ACTOR, months=6, params=seeded.parameters, region="130406"
    )
    return short


def test_the_list_shows_who_is_due_masked_for_a_clerk(client, reviewed):
    logged_in(client, "clerk")

    page = client.get("/prereview")

    assert page.status_code == 200
    assert "共 2 人" in page.text
    assert "王*" in page.text and "王建国" not in page.text
    assert "赵" not in page.text  # retires in 2040: not in view
    assert "人事档案未数字化（档案管理部门）" in page.text
    assert f'href="/prereview/{reviewed.id}"' in page.text


def test_a_reviewer_opens_a_checklist_and_the_read_is_ledgered(client, seeded, reviewed):
    logged_in(client, "reviewer")
    before = len(ledger_actions(seeded, LedgerAction.PREREVIEW_READ.value))

    page = client.get(f"/prereview/{reviewed.id}")

    assert page.status_code == 200
    assert "王建国" in page.text and reviewed.id_number in page.text
    assert "2027年1月（法定退休）" in page.text
    # 170 months paid, deemed months not yet known: the person is told the shortfall.
    assert "差10个月" in page.text and "视同缴费待档案核定" in page.text
    assert "<td>本人</td>" in page.text and "待发送" in page.text
    assert len(ledger_actions(seeded, LedgerAction.PREREVIEW_READ.value)) == before + 1


def test_a_status_filter_that_does_not_exist_is_a_chinese_error(client, reviewed):
    logged_in(client, "clerk")

    page = client.get("/prereview", params={"status": "bogus"})

    assert page.status_code == 422
    assert "预审状态只能是" in page.text


def test_a_person_without_a_checklist_is_a_404(client, reviewed):
    logged_in(client, "clerk")
    assert client.get("/prereview/9999").status_code == 404


def test_an_archivist_may_not_see_pre_review(client, reviewed):
    logged_in(client, "archivist")
    assert client.get("/prereview").status_code == 403
