"""Maker-checker (核定/复核) on the real database, the printed 职工退休审批表, and the
applicant's own view by 受理编号 and ID number."""

import pypdfium2
import pytest

from retirelink.archives.insured import InsuranceStatus
from retirelink.archives.scan_intake import ScanError
from retirelink.archives.scan_reading import read_scan
from retirelink.documents.approval_form import approval_form_pdf
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
    DecisionStatus,
    TaskStatus,
)
from retirelink.workflow.approval import (
    applicant_approval_form,
    applicant_view,
    approval_form,
    determine,
    review,
)
from retirelink.workflow.ports import TaskOutcome
from retirelink.workflow.task_runner import TaskSettings, run_due_tasks
from tests.support import scans
from tests.support.insured import digitised_archive, insured_person, register_test_employer
from tests.support.partner_checks import FakePartnerChecks

pytestmark = pytest.mark.integration

CLERK = Actor(2, "clerk", "窗口", "SHEBAO", frozenset({Role.CLERK}))
REVIEWER = Actor(4, "reviewer", "复核", "SHEBAO", frozenset({Role.REVIEWER}))
# One person holding both roles still may not review their own determination.
BOTH = Actor(9, "clerk", "窗口兼复核", "SHEBAO", frozenset({Role.CLERK, Role.REVIEWER}))


@pytest.fixture
def person(seeded):
    register_test_employer(seeded)
    person = insured_person(seeded, birth="19660815", name="王建国", months=170)
    digitised_archive(seeded, person, born="1966年8月15日")
    return person


def _apply(services, person, partners=None):
    request = ApplicationRequest(
        id_number=person.id_number,
        route=ApplicationRoute.STATUTORY,
        channel=Channel.PERSON,
        bank_name="中国工商银行邯郸峰峰支行",
        bank_account="6222021304000012349",
    )
    with services.uow() as uow:
        application = submit_application(
            uow, request, actor=CLERK, params=services.parameters, region="130406"
        ).application
    settings = TaskSettings(
        params=services.parameters, region="130406", partners=partners or FakePartnerChecks()
    )
    run_due_tasks(services.uow, settings)
    return application


def _state(services, application):
    with services.uow() as uow:
        return application_view(uow, actor=CLERK, application_id=application.id).state


def _determine(services, application, actor=CLERK, grant=True, note=""):
    with services.uow() as uow:
        return determine(uow, actor=actor, application_id=application.id, grant=grant, note=note)


def _review(services, application, actor=REVIEWER, approve=True, note=""):
    with services.uow() as uow:
        return review(uow, actor=actor, application_id=application.id, approve=approve, note=note)


def test_a_clerk_determines_and_a_reviewer_approves(seeded, person):
    application = _apply(seeded, person)
    assert _state(seeded, application) is ApplicationState.READY

    determined = _determine(seeded, application)
    assert _state(seeded, application) is ApplicationState.DETERMINED
    assert determined.basis["tasks"][0]["kind"] == "archive_review"
    assert determined.basis["tasks"][2]["result"]["pension"]["total"]

    approved = _review(seeded, application)

    assert approved.status is DecisionStatus.APPROVED and approved.reviewed_by == "reviewer"
    assert _state(seeded, application) is ApplicationState.APPROVED
    with seeded.uow() as uow:
        record = uow.insured.get(person.id)
        notices = uow.notifications.for_person(person.id)
        actions = [e.action for e in uow.ledger.store.recent(limit=200)]
    assert record.status is InsuranceStatus.RETIRED
    assert record.retirement_month == YearMonth(2027, 1)
    assert any("已批准" in n.body and application.reference in n.body for n in notices)
    assert LedgerAction.APPLICATION_DETERMINED.value in actions
    assert LedgerAction.APPLICATION_REVIEWED.value in actions
    # Retired now: a second application is refused.
    with pytest.raises(ConflictError):
        _apply(seeded, person)


def test_a_reviewer_may_not_approve_their_own_determination(seeded, person):
    application = _apply(seeded, person)
    _determine(seeded, application, actor=BOTH)

    with pytest.raises(PermissionDeniedError) as refused:
        _review(seeded, application, actor=BOTH)

    assert "不能与核定人为同一人" in refused.value.message
    assert _state(seeded, application) is ApplicationState.DETERMINED


def test_a_clerk_may_not_approve_and_a_reviewer_may_not_determine(seeded, person):
    application = _apply(seeded, person)

    with pytest.raises(PermissionDeniedError):
        _determine(seeded, application, actor=REVIEWER)
    _determine(seeded, application)
    with pytest.raises(PermissionDeniedError):
        _review(seeded, application, actor=CLERK)


def test_granting_needs_every_task_done_and_determining_happens_once(seeded, person):
    partners = FakePartnerChecks(
        answers={"identity": TaskOutcome(TaskStatus.DISPUTED, "户籍姓名不一致")}
    )
    application = _apply(seeded, person, partners)

    with pytest.raises(ConflictError) as refused:
        _determine(seeded, application)
    assert "户籍身份核验" in refused.value.message

    with pytest.raises(InvalidInputError):
        _determine(seeded, application, grant=False, note=" ")
    _determine(seeded, application, grant=False, note="户籍信息与本人不符，待公安更正")
    with pytest.raises(ConflictError):
        _determine(seeded, application, grant=False, note="再次")


def test_a_returned_determination_goes_back_to_the_clerk(seeded, person):
    application = _apply(seeded, person)
    _determine(seeded, application)

    with pytest.raises(InvalidInputError):
        _review(seeded, application, approve=False)
    returned = _review(seeded, application, approve=False, note="请核对银行账户")

    assert returned.status is DecisionStatus.RETURNED
    assert _state(seeded, application) is ApplicationState.READY
    assert _determine(seeded, application).status is DecisionStatus.DETERMINED


def test_a_refusal_approved_is_final_and_the_person_stays_insured(seeded, person):
    application = _apply(seeded, person)
    _determine(seeded, application, grant=False, note="本人申请撤回")
    _review(seeded, application)

    assert _state(seeded, application) is ApplicationState.REJECTED
    with seeded.uow() as uow:
        assert uow.insured.get(person.id).status is InsuranceStatus.INSURED


def _pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return "".join(text.split())  # letter-spaced headings come out as 职 工 退 休


def test_the_approval_form_prints_the_decision_and_its_basis(seeded, person):
    application = _apply(seeded, person)
    with seeded.uow() as uow, pytest.raises(ConflictError):
        approval_form(uow, actor=CLERK, application_id=application.id)
    _determine(seeded, application)
    _review(seeded, application)

    with seeded.uow() as uow:
        form = approval_form(uow, actor=CLERK, application_id=application.id)
    data = approval_form_pdf(form)

    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    pension = next(t for t in form.view.tasks if t.kind.value == "pension")
    for expected in (
        "职工退休审批表",
        application.reference,
        "王建国",
        "1966年8月",
        "2027年1月",
        "峰峰集团大淮煤矿",
        pension.result["pension"]["total"],
        "暂按2025年公布值",
        "核定人：clerk",
        "复核人：reviewer",
        "已批准退休",
    ):
        assert expected in text, expected
    assert person.id_number not in text  # printed masked


def test_the_applicant_sees_progress_and_downloads_the_form_with_reference_and_id(seeded, person):
    application = _apply(seeded, person)
    with seeded.uow() as uow, pytest.raises(NotFoundError):
        applicant_view(uow, reference=application.reference, id_number="130406196608151322")
    with seeded.uow() as uow:
        view = applicant_view(
            uow, reference=application.reference.lower(), id_number=person.id_number.lower()
        )
    assert view.state is ApplicationState.READY
    with seeded.uow() as uow, pytest.raises(ConflictError):
        applicant_approval_form(uow, reference=application.reference, id_number=person.id_number)

    _determine(seeded, application)
    _review(seeded, application)
    with seeded.uow() as uow:
        form = applicant_approval_form(
            uow, reference=application.reference, id_number=person.id_number
        )
        entries = uow.ledger.store.recent(limit=50)
    assert form.view.state is ApplicationState.APPROVED
    issued = [e for e in entries if e.action == LedgerAction.APPROVAL_FORM_ISSUED.value]
    assert issued and issued[0].actor_roles == "applicant"


def test_printing_a_form_leaves_truncated_scans_refused(seeded, person, tmp_path):
    """WeasyPrint switches Pillow's process-wide LOAD_TRUNCATED_IMAGES on when imported; the
    web server prints forms and ingests scans in one process, so a broken scan must still
    be refused after a form was printed."""
    application = _apply(seeded, person)
    _determine(seeded, application)
    _review(seeded, application)
    with seeded.uow() as uow:
        approval_form_pdf(approval_form(uow, actor=CLERK, application_id=application.id))

    data = scans.encode(scans.text_page(noise=3), "JPEG", quality=85)
    path = scans.write(tmp_path / "cut.jpg", data[: len(data) // 2])
    with pytest.raises(ScanError, match="图像文件已损坏或不完整"):
        read_scan(path)
