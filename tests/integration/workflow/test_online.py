"""The applicant's own channel on the real database: applicant accounts bound to a person or
an employer, applying online only for whom the account acts, handing in a missing material
(a broken or substandard scan refused before anything is stored, the same file twice is one
submission), and the archive receiving it — catalogued, ingested, the person pre-reviewed
again at once and a waiting archive task run again — or returning it with a reason."""

from datetime import date

import pytest

from retirelink.accounts.services import create_user, grant_role
from retirelink.archives.material_classes import MaterialType
from retirelink.archives.services import register_employer
from retirelink.errors import ConflictError, InvalidInputError, NotFoundError
from retirelink.ledger.model import LedgerAction
from retirelink.rules.identifiers import credit_code_check_character
from retirelink.security.model import SYSTEM_ACTOR, Actor, Principal, PrincipalKind, Role
from retirelink.workflow.application_services import ApplicationRequest, submit_application
from retirelink.workflow.applications import ApplicationRoute, Channel, TaskKind, TaskStatus
from retirelink.workflow.model import ChecklistStatus, ItemCode
from retirelink.workflow.online import online_application, online_cases
from retirelink.workflow.services import run_prereview
from retirelink.workflow.supplement_services import (
    SupplementUpload,
    accept_supplement,
    clean_file_name,
    pending_supplements,
    return_supplement,
    submit_supplement,
)
from retirelink.workflow.supplements import SupplementStatus
from retirelink.workflow.task_runner import TaskSettings, run_due_tasks
from tests.support.builders import make_id_number
from tests.support.insured import (
    CREDIT_CODE,
    digitised_archive,
    insured_person,
    register_test_employer,
)
from tests.support.partner_checks import FakePartnerChecks
from tests.support.scans import encode, text_page

pytestmark = pytest.mark.integration

ARCHIVIST = Actor(5, "archivist", "档案", "SHEBAO", frozenset({Role.ARCHIVIST}))
A4_300 = (2480, 3508)
BANK = ("中国工商银行邯郸峰峰支行", "6222021304000012349")


def _applicant(username: str, kind: PrincipalKind, code: str) -> Actor:
    return Actor(
        90, username, "申请人", "SHEBAO", frozenset({Role.APPLICANT}), Principal(kind, code)
    )


@pytest.fixture
def worker(seeded):
    """王建国, due in the window, whose archive lacks its 转正定级表 (pre-reviewed)."""
    register_test_employer(seeded)
    person = insured_person(seeded, birth="19660815", name="王建国", months=170)
    digitised_archive(seeded, person, born="1966年8月15日", grading=False)
    run_prereview(
        seeded.uow, actor=SYSTEM_ACTOR, months=6, params=seeded.parameters, region="130406"
    )
    return person


def _scan(seed: int = 1, dpi: int = 300) -> bytes:
    return encode(text_page(A4_300, seed=seed, seal=True), "JPEG", dpi=(dpi, dpi), quality=80)


def _upload(person, data: bytes, **changes) -> SupplementUpload:
    fields = {
        "id_number": person.id_number,
        "material_type": MaterialType.REGULARISATION_GRADING,
        "formation_date": date(1985, 3, 1),
        "file_name": "转正定级表.jpg",
        "data": data,
    } | changes
    return SupplementUpload(**fields)


def _checklist_codes(services, person) -> set[ItemCode]:
    with services.uow() as uow:
        stored = uow.checklists.get(person.id)
    return {item.code for item in stored.checklist.items}


# --- accounts --------------------------------------------------------------------------------


def test_applicant_accounts_act_for_one_registered_person_or_employer(seeded, worker):
    def create(username, roles, represents):
        with seeded.uow() as uow:
            return create_user(
                uow,
                actor=SYSTEM_ACTOR,
                username=username,
                display_name="申请人",
                department_code="SHEBAO",
                password="Strong-Pass-2026!",
                roles=frozenset(roles),
                represents=represents,
            )

    person = create("geren", {Role.APPLICANT}, Principal(PrincipalKind.PERSON, worker.id_number))
    assert person.actor().represents == Principal(PrincipalKind.PERSON, worker.id_number)
    employer = create(
        "danwei", {Role.APPLICANT}, Principal(PrincipalKind.EMPLOYER, CREDIT_CODE.lower())
    )
    assert employer.represents == Principal(PrincipalKind.EMPLOYER, CREDIT_CODE)
    with seeded.uow() as uow:
        assert uow.users.get_by_username("danwei").represents.code == CREDIT_CODE

    refusals = [
        ("nobody", {Role.APPLICANT}, None, "须绑定参保人"),
        (
            "mixed",
            {Role.APPLICANT, Role.CLERK},
            Principal(PrincipalKind.PERSON, worker.id_number),
            "不能兼有",
        ),
        (
            "staff",
            {Role.CLERK},
            Principal(PrincipalKind.PERSON, worker.id_number),
            "只有申请人账号",
        ),
        (
            "ghost",
            {Role.APPLICANT},
            Principal(PrincipalKind.PERSON, make_id_number("19700101", sequence="555")),
            "没有该公民身份号码",
        ),
        ("badid", {Role.APPLICANT}, Principal(PrincipalKind.PERSON, "130406196608151310"), "校验"),
        (
            "noorg",
            {Role.APPLICANT},
            Principal(PrincipalKind.EMPLOYER, "91130406MA00000099"),
            "没有该统一社会信用代码",
        ),
    ]
    for username, roles, represents, message in refusals:
        with pytest.raises((InvalidInputError, NotFoundError), match=message):
            create(username, roles, represents)
        with seeded.uow() as uow:
            assert uow.users.get_by_username(username) is None
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match="不能兼有"):
        grant_role(uow, actor=SYSTEM_ACTOR, username="geren", role=Role.CLERK)
    # An account bound to nobody cannot become an applicant later.
    create("plain", set(), None)
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match="开户时绑定"):
        grant_role(uow, actor=SYSTEM_ACTOR, username="plain", role=Role.APPLICANT)


# --- applying online ---------------------------------------------------------------------------


def _request(id_number: str, channel: Channel = Channel.WINDOW) -> ApplicationRequest:
    return ApplicationRequest(
        id_number=id_number,
        route=ApplicationRoute.STATUTORY,
        channel=channel,
        bank_name=BANK[0],
        bank_account=BANK[1],
    )


def _submit(services, actor, id_number):
    with services.uow() as uow:
        return submit_application(
            uow, _request(id_number), actor=actor, params=services.parameters, region="130406"
        )


def _count_applications(services) -> int:
    with services.uow() as uow:
        return uow.applications.listing(offset=0, limit=100)[1]


def test_a_person_applies_online_only_for_themself(seeded, worker):
    other = insured_person(seeded, birth="19660901", name="李卫东", months=170)
    person = _applicant("geren", PrincipalKind.PERSON, worker.id_number)

    # A person's account names nobody else: whatever number the form carries, the
    # application is the account holder's own.
    submitted = _submit(seeded, person, other.id_number)
    assert submitted.application.person_id == worker.id
    with seeded.uow() as uow:
        assert uow.applications.for_person(other.id) == []
    # The channel is the account's, whatever the form said: online, no visit.
    assert submitted.application.channel is Channel.PERSON
    assert submitted.application.channel.visits == 0
    with seeded.uow() as uow:
        view = online_application(uow, actor=person, application_id=submitted.application.id)
        assert view.person.id == worker.id
        with pytest.raises(NotFoundError):
            online_application(
                uow,
                actor=_applicant("zhang", PrincipalKind.PERSON, other.id_number),
                application_id=submitted.application.id,
            )


def test_an_employer_applies_for_its_own_workers_and_sees_them(seeded, worker):
    employer = _applicant("danwei", PrincipalKind.EMPLOYER, CREDIT_CODE)
    unknown = make_id_number("19660815", sequence="777")  # valid, insured nowhere
    with pytest.raises(NotFoundError, match="只能办理本人或本单位"):
        _submit(seeded, employer, unknown)
    # Another employer's 经办员 cannot apply for this worker.
    stranger = _applicant("other", PrincipalKind.EMPLOYER, "91130406MA00000099")
    with pytest.raises(NotFoundError):
        _submit(seeded, stranger, worker.id_number)
    assert _count_applications(seeded) == 0

    submitted = _submit(seeded, employer, worker.id_number)
    assert submitted.application.channel is Channel.EMPLOYER
    with seeded.uow() as uow:
        cases = online_cases(uow, actor=employer)
    assert [case.person.id for case in cases] == [worker.id]
    (case,) = cases
    assert case.open_application is not None
    assert ItemCode.MISSING_MATERIAL in {item.code for item in case.to_supply}


# --- handing in a material --------------------------------------------------------------------


def test_bad_scans_and_impossible_dates_are_refused_and_nothing_is_kept(seeded, worker):
    employer = _applicant("danwei", PrincipalKind.EMPLOYER, CREDIT_CODE)
    cases = [
        (_upload(worker, b"not an image at all"), "扫描件无法读取"),
        (_upload(worker, _scan()[:5000]), "扫描件无法读取"),
        (_upload(worker, _scan(dpi=100)), "不符合扫描要求"),
        (_upload(worker, _scan(), formation_date=date(2030, 1, 1)), "不能晚于今天"),
        (_upload(worker, _scan(), formation_date=date(1950, 1, 1)), "早于本人出生日期"),
        (_upload(worker, _scan(), material_type=MaterialType.DISCIPLINE), "不能网上补充"),
        (_upload(worker, b""), "请选择"),
    ]
    blobs_before = set(seeded.blobs.keys())
    for upload, message in cases:
        with seeded.uow() as uow, pytest.raises(InvalidInputError, match=message):
            submit_supplement(uow, upload, actor=employer, store=seeded.blobs)
    # Another employer's 经办员 cannot hand in a material for this worker.
    other_code = "91130406MA0000002" + credit_code_check_character("91130406MA0000002")
    with seeded.uow() as uow:
        register_employer(
            uow,
            actor=SYSTEM_ACTOR,
            credit_code=other_code,
            name="峰峰陶瓷厂",
            kind="ceramics",
            region_code="130406",
        )
    stranger = _applicant("other", PrincipalKind.EMPLOYER, other_code)
    with seeded.uow() as uow, pytest.raises(NotFoundError, match="只能办理本人或本单位"):
        submit_supplement(uow, _upload(worker, _scan()), actor=stranger, store=seeded.blobs)
    with seeded.uow() as uow:
        assert uow.supplements.for_persons([worker.id]) == []
    assert set(seeded.blobs.keys()) == blobs_before


@pytest.mark.parametrize(
    ("submitted", "kept"),
    [
        ("转正定级表.jpg", "转正定级表.jpg"),
        ("C:\\扫描\\转正定级表.JPG", "转正定级表.JPG"),
        ("a/..", "scan"),
        (".", "scan"),
        ("..jpg", "jpg"),
        ("长" * 300 + ".jpg", "长" * 96 + ".jpg"),
    ],
)
def test_a_submitted_file_name_is_only_a_label(submitted, kept):
    assert clean_file_name(submitted) == kept


def test_a_handed_in_material_is_received_and_the_pre_review_clears_at_once(seeded, worker):
    assert ItemCode.MISSING_MATERIAL in _checklist_codes(seeded, worker)
    employer = _applicant("danwei", PrincipalKind.EMPLOYER, CREDIT_CODE)
    application = _submit(seeded, employer, worker.id_number).application
    settings = TaskSettings(params=seeded.parameters, region="130406", partners=FakePartnerChecks())
    run_due_tasks(seeded.uow, settings)
    with seeded.uow() as uow:
        archive_task = _task(uow, application.id, TaskKind.ARCHIVE_REVIEW)
    assert archive_task.status is TaskStatus.NEEDS_PERSON

    data = _scan()
    with seeded.uow() as uow:
        first = submit_supplement(uow, _upload(worker, data), actor=employer, store=seeded.blobs)
    assert first.created and first.supplied.pages == 1
    assert seeded.blobs.exists(first.supplied.sha256)
    with seeded.uow() as uow:  # the same file again is the same submission
        again = submit_supplement(uow, _upload(worker, data), actor=employer, store=seeded.blobs)
    assert not again.created and again.supplied.id == first.supplied.id

    with seeded.uow() as uow:
        waiting, total = pending_supplements(uow, actor=ARCHIVIST)
    assert total == 1 and waiting[0][1].id == worker.id
    with seeded.uow() as uow:
        accepted = _accept(uow, seeded, first.supplied.id or 0)
    assert accepted.status is SupplementStatus.ACCEPTED
    with seeded.uow() as uow:
        material = uow.materials.get(accepted.material_id)
        assert material.material_type is MaterialType.REGULARISATION_GRADING
        assert len(uow.pages.for_material(material.id)) == 1
        stored = uow.checklists.get(worker.id)
        assert stored.status is ChecklistStatus.RESOLVED
        # The archive task that waited for the material runs again.
        assert _task(uow, application.id, TaskKind.ARCHIVE_REVIEW).status is TaskStatus.WAITING
        actions = [e.action for e in uow.ledger.store.recent(limit=50)]
    assert LedgerAction.SUPPLEMENT_SUBMITTED in actions
    assert LedgerAction.SUPPLEMENT_ACCEPTED in actions
    with seeded.uow() as uow:  # the employer who handed it in is told, by its credit code
        told = [n for n in uow.notifications.for_person(worker.id) if "接收归档" in n.subject]
    assert [(n.recipient_kind, n.recipient) for n in told] == [("employer", CREDIT_CODE)]
    run_due_tasks(seeded.uow, settings)
    with seeded.uow() as uow:
        assert _task(uow, application.id, TaskKind.ARCHIVE_REVIEW).status is TaskStatus.DONE
        with pytest.raises(ConflictError, match="已接收归档"):
            return_supplement(uow, actor=ARCHIVIST, supplement_id=accepted.id or 0, reason="重复")


def test_a_returned_material_carries_its_reason_to_the_submitter(seeded, worker):
    person = _applicant("geren", PrincipalKind.PERSON, worker.id_number)
    with seeded.uow() as uow:
        supplied = submit_supplement(
            uow, _upload(worker, _scan(seed=3), id_number=""), actor=person, store=seeded.blobs
        ).supplied
    assert supplied.channel is PrincipalKind.PERSON
    with seeded.uow() as uow, pytest.raises(InvalidInputError, match="退回须填写原因"):
        return_supplement(uow, actor=ARCHIVIST, supplement_id=supplied.id or 0, reason=" ")
    with seeded.uow() as uow:
        return_supplement(uow, actor=ARCHIVIST, supplement_id=supplied.id or 0, reason="印章不清晰")
    with seeded.uow() as uow:
        (case,) = online_cases(uow, actor=person)
        assert [(s.status, s.note) for s in case.supplied] == [
            (SupplementStatus.RETURNED, "印章不清晰")
        ]
        # Nothing entered the archive; the item still stands.
        assert uow.supplements.pending(offset=0, limit=10)[1] == 0
        # The person who handed it in is told why, on the phone on record.
        (notice,) = [n for n in uow.notifications.for_person(worker.id) if "退回" in n.subject]
        assert notice.recipient_kind == "person" and notice.recipient == worker.phone
        assert "印章不清晰" in notice.body
    assert ItemCode.MISSING_MATERIAL in _checklist_codes(seeded, worker)
    # Returned for a wrong date, the same scan may be handed in again, with a strange name.
    with seeded.uow() as uow:
        again = submit_supplement(
            uow,
            _upload(worker, _scan(seed=3), id_number="", file_name="a/.."),
            actor=person,
            store=seeded.blobs,
        )
    assert again.created and again.supplied.id != supplied.id
    assert again.supplied.file_name == "scan"
    with seeded.uow() as uow:
        accepted = _accept(uow, seeded, again.supplied.id or 0)
    assert accepted.status is SupplementStatus.ACCEPTED
    with seeded.uow() as uow, pytest.raises(ConflictError, match="不能再处理"):
        _accept(uow, seeded, again.supplied.id or 0)


def _accept(uow, services, supplement_id):
    return accept_supplement(
        uow,
        actor=ARCHIVIST,
        store=services.blobs,
        supplement_id=supplement_id,
        params=services.parameters,
        region="130406",
        months=6,
    )


def _task(uow, application_id, kind):
    return next(t for t in uow.tasks.for_application(application_id) if t.kind is kind)
