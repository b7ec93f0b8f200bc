import pytest

from retirelink.archives.services import add_person
from retirelink.rules.identifiers import upgrade_15_to_18
from retirelink.security.model import SYSTEM_ACTOR
from tests.e2e.helpers import api_login, ledger_actions
from tests.support.builders import make_id_number, make_person

pytestmark = pytest.mark.e2e


@pytest.fixture
def person(seeded):
    with seeded.uow() as uow:
        stored = add_person(uow, make_person(name="欧阳娜娜"), actor=SYSTEM_ACTOR, purpose="测试")
        uow.commit()
    return stored


def test_api_search_returns_masked_json_for_a_clerk(client, person):
    api_login(client, "clerk")

    body = client.get("/api/v1/persons", params={"q": "欧阳"}).json()

    assert body["total"] == 1
    item = body["items"][0]
    assert item["name"] == "欧阳**"
    assert item["id_number"].startswith("130406********")
    assert item["birth_date"] is None
    assert item["masked"] is True


def test_api_read_of_one_person_is_ledgered_with_the_stated_purpose(client, seeded, person):
    api_login(client, "reviewer")

    body = client.get(f"/api/v1/persons/{person.id}", params={"purpose": "退休预审"}).json()

    assert body["id_number"] == person.id_number
    assert [e.purpose for e in ledger_actions(seeded, "person.read")] == ["退休预审"]


def test_api_requires_login(client):
    response = client.get("/api/v1/persons", params={"q": "张"})

    assert response.status_code == 401
    assert response.json()["error"] == "请先登录"


def test_api_post_without_csrf_header_is_refused(client):
    api_login(client, "clerk")

    response = client.post("/api/v1/persons", json={"id_number": make_id_number(), "name": "王芳"})

    assert response.status_code == 403


def test_api_post_with_an_impossible_birth_date_names_the_field(client, seeded):
    token = api_login(client, "clerk")
    first17 = "13040619650230123"

    response = client.post(
        "/api/v1/persons",
        json={"id_number": first17 + "1", "name": "王芳"},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 422
    body = response.json()
    assert body["fields"][0]["field"] == "id_number"
    assert "不是有效日期" in body["error"]
    assert ledger_actions(seeded, "person.create") == []


def test_api_post_with_wrong_types_and_extra_fields_is_a_422_naming_each_field(client):
    token = api_login(client, "clerk")

    response = client.post(
        "/api/v1/persons",
        json={"id_number": 130406196503121231, "name": "王" * 31, "salary": 1},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 422
    fields = {item["field"] for item in response.json()["fields"]}
    assert fields == {"id_number", "name", "salary"}


def test_api_post_creates_a_person_and_returns_201(client, seeded):
    token = api_login(client, "clerk")

    response = client.post(
        "/api/v1/persons",
        json={"id_number": "130406650312123", "name": "王芳"},  # 15-digit, upgraded
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 201
    assert response.json()["id_number"].startswith("130406********")
    with seeded.uow() as uow:
        stored = uow.persons.search(name_prefix="王芳", id_prefix=None, offset=0, limit=5)[0]
    assert [p.id_number for p in stored] == [upgrade_15_to_18("130406650312123")]


def test_a_duplicate_registration_is_a_409_and_writes_nothing_more(client, seeded, person):
    token = api_login(client, "clerk")

    response = client.post(
        "/api/v1/persons",
        json={"id_number": person.id_number, "name": "欧阳娜娜"},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 409
    assert "已登记" in response.json()["error"]
    assert len(ledger_actions(seeded, "person.create")) == 1  # the fixture's own registration


def test_ledger_verify_through_the_api_needs_the_audit_role(client):
    token = api_login(client, "clerk")
    assert client.post("/api/v1/ledger/verify", headers={"X-CSRF-Token": token}).status_code == 403

    token = api_login(client, "auditadmin")
    body = client.post("/api/v1/ledger/verify", headers={"X-CSRF-Token": token}).json()
    assert body["ok"] is True


def test_openapi_and_swagger_ui_are_served_from_our_own_origin(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/persons" in spec["paths"]

    docs = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
    assert client.get("/static/vendor/swagger-ui-5.35.0/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_health_check_reports_the_database(client):
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "database": "ok", "version": body["version"]}


def test_every_page_carries_security_headers(client):
    response = client.get("/login")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_malformed_json_body_is_a_422_in_chinese(client):
    token = api_login(client, "clerk")

    response = client.post(
        "/api/v1/persons",
        content=b'{"id_number": "1304',
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert "JSON 格式错误" in [item["message"] for item in response.json()["fields"]]


def test_a_boolean_is_not_accepted_where_text_is_expected(client):
    token = api_login(client, "clerk")

    response = client.post(
        "/api/v1/persons",
        json={"id_number": True, "name": "王芳"},
        headers={"X-CSRF-Token": token},
    )

    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "id_number"


def test_a_unique_constraint_lost_to_a_concurrent_submission_is_a_409_not_a_503(client):
    from sqlalchemy.exc import IntegrityError

    def boom():
        raise IntegrityError("INSERT …", {}, Exception("duplicate key"))

    client.app.add_api_route("/api/v1/_test_integrity", boom)

    response = client.get("/api/v1/_test_integrity")

    assert response.status_code == 409
    assert "未写入任何数据" in response.json()["error"]
