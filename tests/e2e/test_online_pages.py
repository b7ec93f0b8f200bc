"""网上办理 over HTTP: an employer's 经办员 sees the worker the pre-review flagged, hands in
the missing 转正定级表 (a broken scan is a 中文 error that keeps nothing), the archivist
receives it and the checklist clears, the employer applies with only a bank account, and the
person follows the application; staff pages stay closed to applicant accounts."""

import pytest

from retirelink.accounts.services import create_user
from retirelink.security.model import SYSTEM_ACTOR, Principal, PrincipalKind, Role
from retirelink.workflow.services import run_prereview
from tests.e2e.helpers import logged_in, page_csrf
from tests.support.builders import TEST_PASSWORD
from tests.support.insured import (
    applicant_accounts,
    digitised_archive,
    insured_person,
    register_test_employer,
)
from tests.support.scans import encode, text_page

pytestmark = pytest.mark.e2e

A4_300 = (2480, 3508)


@pytest.fixture
def worker(seeded):
    register_test_employer(seeded)
    person = insured_person(seeded, birth="19660815", name="王建国", months=170)
    digitised_archive(seeded, person, born="1966年8月15日", grading=False)
    run_prereview(
        seeded.uow, actor=SYSTEM_ACTOR, months=6, params=seeded.parameters, region="130406"
    )
    applicant_accounts(seeded, person, TEST_PASSWORD)
    return person


def _upload(client, person, data: bytes):
    return client.post(
        "/my/supplements",
        data={
            "csrf_token": page_csrf(client, "/my"),
            "person": str(person.id),
            "material_type": "regularisation_grading",
            "formation_date": "1985-03-01",
        },
        files={"file": ("转正定级表.jpg", data, "image/jpeg")},
    )


def test_the_employer_hands_in_the_material_and_applies_online(client, seeded, worker):
    logged_in(client, "danwei")
    page = client.get("/my")
    assert page.status_code == 200
    assert "王*" in page.text and "王建国" not in page.text
    assert worker.id_number not in page.text  # forms name the worker by record id
    assert 'data-checklist="open"' in page.text and "转正定级表" in page.text

    broken = _upload(client, worker, b"\xff\xd8\xff\xe0 broken jpeg")
    assert broken.status_code == 422 and "扫描件无法读取" in broken.text
    with seeded.uow() as uow:
        assert uow.supplements.for_persons([worker.id]) == []

    scan = encode(text_page(A4_300, seal=True), "JPEG", dpi=(300, 300), quality=80)
    sent = _upload(client, worker, scan)
    assert sent.status_code == 200 and "等待档案部门接收" in sent.text
    assert "无需重复提交" in _upload(client, worker, scan).text
    assert client.get("/applications").status_code == 403  # staff pages stay closed

    client.post("/logout", data={"csrf_token": page_csrf(client, "/my")})
    logged_in(client, "archivist")
    queue = client.get("/supplements")
    assert "转正定级表" in queue.text and "王*" in queue.text
    with seeded.uow() as uow:
        (supplied,) = uow.supplements.for_persons([worker.id])
    viewed = client.get(f"/supplements/{supplied.id}/file")
    assert viewed.headers["content-type"] == "image/jpeg" and viewed.content == scan
    accepted = client.post(
        f"/supplements/{supplied.id}/accept",
        data={"csrf_token": page_csrf(client, "/supplements")},
        follow_redirects=False,
    )
    assert accepted.status_code == 303

    client.post("/logout", data={"csrf_token": page_csrf(client, "/supplements")})
    logged_in(client, "danwei")
    page = client.get("/my")
    assert 'data-checklist="resolved"' in page.text and "已接收归档" in page.text
    applied = client.post(
        "/my/apply",
        data={
            "csrf_token": page_csrf(client, "/my"),
            "person": str(worker.id),
            "route": "statutory",
            "bank_name": "中国工商银行邯郸峰峰支行",
            "bank_account": "6222021304000012349",
        },
        follow_redirects=False,
    )
    assert applied.status_code == 303
    progress = client.get(applied.headers["location"])
    assert "单位网上申报" in progress.text and "跑动 0 次" in progress.text

    client.post("/logout", data={"csrf_token": page_csrf(client, "/my")})
    logged_in(client, "geren")
    assert client.get(applied.headers["location"]).status_code == 200
    mine = client.get("/my")
    assert "本人退休申请" in mine.text and "TX130406-" in mine.text


def test_a_person_cannot_see_another_persons_application(client, seeded, worker):
    other = insured_person(seeded, birth="19660901", name="李卫东", months=170)
    with seeded.uow() as uow:
        create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username="lisi",
            display_name="李卫东",
            department_code="SHEBAO",
            password=TEST_PASSWORD,
            roles=frozenset({Role.APPLICANT}),
            represents=Principal(PrincipalKind.PERSON, other.id_number),
        )
    logged_in(client, "geren")
    applied = client.post(
        "/my/apply",
        data={
            "csrf_token": page_csrf(client, "/my"),
            "route": "statutory",
            "bank_name": "中国工商银行邯郸峰峰支行",
            "bank_account": "6222021304000012349",
        },
        follow_redirects=False,
    )
    assert applied.status_code == 303
    client.post("/logout", data={"csrf_token": page_csrf(client, "/my")})
    logged_in(client, "lisi")
    assert client.get(applied.headers["location"]).status_code == 404
    wrong_route = client.post(
        "/my/apply",
        data={"csrf_token": page_csrf(client, "/my"), "route": "illness"},
    )
    assert wrong_route.status_code == 422 and "因病提前退休请到窗口办理" in wrong_route.text
