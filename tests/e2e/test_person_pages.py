import pytest

from retirelink.archives.services import add_person
from retirelink.security.model import SYSTEM_ACTOR
from tests.e2e.helpers import ledger_actions, logged_in, page_csrf
from tests.support.builders import make_id_number, make_person

pytestmark = pytest.mark.e2e


@pytest.fixture
def zhang_wei(seeded):
    with seeded.uow() as uow:
        person = add_person(
            uow,
            make_person(name="张伟", id_number=make_id_number("19650312"), phone="13812345678"),
            actor=SYSTEM_ACTOR,
            purpose="测试",
        )
        uow.commit()
    return person


def test_a_clerk_sees_search_results_masked(client, zhang_wei):
    logged_in(client, "clerk")

    page = client.get("/persons", params={"q": "张伟"})

    assert page.status_code == 200
    assert "张*" in page.text
    assert "130406********" in page.text
    assert zhang_wei.id_number not in page.text
    assert "已按您的角色脱敏显示" in page.text


def test_a_reviewer_sees_the_full_id_number(client, zhang_wei):
    logged_in(client, "reviewer")

    page = client.get("/persons", params={"q": "张伟"})

    assert zhang_wei.id_number in page.text


def test_opening_a_person_records_the_read_in_the_ledger(client, seeded, zhang_wei):
    logged_in(client, "clerk")

    page = client.get(f"/persons/{zhang_wei.id}")

    assert page.status_code == 200
    assert "138****5678" in page.text
    assert "河北省邯郸市峰峰矿区" in page.text
    reads = ledger_actions(seeded, "person.read")
    assert len(reads) == 1
    assert reads[0].actor_name == "clerk"
    assert reads[0].purpose == "参保人详情查看"


def test_the_search_itself_is_ledgered_without_the_query_text(client, seeded, zhang_wei):
    logged_in(client, "clerk")
    client.get("/persons", params={"q": "张伟"})

    searches = ledger_actions(seeded, "person.search")

    assert len(searches) == 1
    assert "张伟" not in searches[0].subject_key
    assert "命中1人" in searches[0].purpose


@pytest.mark.parametrize(
    "query", ["' OR 1=1 --", "张三'; DROP TABLE persons;--", "<script>", "a" * 31]
)
def test_sql_or_markup_in_the_search_box_gets_a_chinese_error_and_is_not_ledgered(
    client, seeded, query
):
    logged_in(client, "clerk")

    page = client.get("/persons", params={"q": query})

    assert page.status_code == 422
    assert "查询条件" in page.text
    assert ledger_actions(seeded, "person.search") == []


def test_an_unknown_person_id_gives_a_404_page(client, zhang_wei):
    logged_in(client, "clerk")

    page = client.get("/persons/999999")

    assert page.status_code == 404
    assert "未找到该参保人" in page.text


def test_registering_with_a_wrong_check_digit_shows_the_error_and_writes_nothing(client, seeded):
    logged_in(client, "clerk")
    bad = make_id_number()[:-1] + ("0" if make_id_number()[-1] != "0" else "1")

    page = client.post(
        "/persons",
        data={
            "id_number": bad,
            "name": "王芳",
            "ethnicity": "01",
            "phone": "",
            "csrf_token": page_csrf(client, "/persons/new"),
        },
    )

    assert page.status_code == 422
    assert "校验码错误" in page.text
    assert ledger_actions(seeded, "person.create") == []


def test_registering_a_valid_person_redirects_to_the_detail_page(client, seeded):
    logged_in(client, "clerk")

    response = client.post(
        "/persons",
        data={
            "id_number": make_id_number("19700101", sequence="242"),
            "name": "王芳",
            "ethnicity": "01",
            "phone": "",
            "csrf_token": page_csrf(client, "/persons/new"),
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert client.get(response.headers["location"]).status_code == 200
    assert len(ledger_actions(seeded, "person.create")) == 1


def test_a_registration_post_without_csrf_is_refused_and_writes_nothing(client, seeded):
    logged_in(client, "clerk")

    response = client.post("/persons", data={"id_number": make_id_number(), "name": "王芳"})

    assert response.status_code == 403
    assert ledger_actions(seeded, "person.create") == []


def test_a_reviewer_may_not_open_the_registration_form(client):
    logged_in(client, "reviewer")

    assert client.get("/persons/new").status_code == 403


def test_an_over_long_name_in_the_form_is_a_422_page_naming_the_field(client, seeded):
    logged_in(client, "clerk")

    page = client.post(
        "/persons",
        data={
            "id_number": make_id_number(),
            "name": "王" * 61,
            "ethnicity": "01",
            "csrf_token": page_csrf(client, "/persons/new"),
        },
    )

    assert page.status_code == 422
    assert "name" in page.text
    assert "内容过长" in page.text
    assert ledger_actions(seeded, "person.create") == []
