"""/api/v1/rules over HTTP: results, authentication, permission and 422s naming the field."""

import dataclasses

import pytest
from fastapi.testclient import TestClient

from retirelink.bootstrap import rule_parameters
from retirelink.rules.calculators import CALCULATORS
from retirelink.rules.examples import EXAMPLES
from retirelink.web.app import create_app
from tests.e2e.helpers import api_login, ledger_actions
from tests.support.rule_params import P01_FACTS, write_p01_params

pytestmark = pytest.mark.e2e

ON = {"on": "2025-06-01"}


@pytest.fixture
def clerk(client):
    """The test client logged in as a clerk, with the CSRF header every POST needs."""
    token = api_login(client, "clerk")
    client.headers["X-CSRF-Token"] = token
    return client


@pytest.fixture
def p01_client(seeded, tmp_path):
    """An app whose 河北 parameters carry the [P01] base wage B = 8000, logged in as a clerk."""
    parameters = rule_parameters(write_p01_params(tmp_path / "params"))
    services = dataclasses.replace(seeded, parameters=parameters)
    with TestClient(create_app(services.settings, services=services)) as test_client:
        test_client.headers["X-CSRF-Token"] = api_login(test_client, "clerk")
        yield test_client


def test_statutory_retirement_and_flexible_window(clerk):
    response = clerk.get(
        "/api/v1/rules/retirement", params={"category": "male", "birth": "1965-05", **ON}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["retirement_month"] == "2025-07"
    assert body["statutory_age"]["label"] == "60岁2个月"
    assert (body["earliest_month"], body["latest_month"]) == ("2025-05", "2028-07")
    assert body["explanation"][0]["key"] == "delay_months"


def test_a_requested_month_is_judged_with_every_reason(clerk):
    params = {
        "category": "male",
        "birth": "1969-09",
        "requested": "2030-01",
        "contribution_months": 170,
        **ON,
    }

    body = clerk.get("/api/v1/rules/retirement", params=params).json()

    assert body["allowed"] is False
    assert [item["problem"] for item in body["refusals"]] == ["early_below_minimum", "early_notice"]
    assert body["minimum"]["required_months"] == 186


def test_minimum_contribution_and_payout_months(clerk):
    minimum = clerk.get("/api/v1/rules/min-contribution", params={"year": 2032, **ON}).json()
    payout = clerk.get("/api/v1/rules/payout-months", params={"age": 60, **ON}).json()

    assert minimum["required_months"] == 198
    assert payout["months"] == "139"


def test_the_p01_pension_is_5731_94_with_the_worked_examples_base_wage(p01_client):
    response = p01_client.post("/api/v1/rules/pension", params=ON, json=P01_FACTS)

    assert response.status_code == 200, response.text
    body = response.json()
    assert [body[key] for key in ("basic_pension", "personal_account_pension")] == [
        "3520.00",
        "1079.14",
    ]
    assert (body["transitional_pension"], body["total"]) == ("1132.80", "5731.94")
    total = next(step for step in body["explanation"] if step["key"] == "total")
    assert total["result"] == "5731.94"


def test_parameters_come_from_the_services_loaded_at_start_up(clerk):
    body = clerk.post("/api/v1/rules/pension", params=ON, json=P01_FACTS).json()

    assert body["base_wage"] == "7333"  # the shipped (illustrative) 河北 value


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_every_calculator_answers_its_documented_example(clerk, name):
    response = clerk.post(f"/api/v1/rules/{name}", params=ON, json=EXAMPLES[name])

    assert response.status_code == 200, response.text
    assert response.json()["explanation"]


def test_death_settlement_through_the_api(clerk):
    body = clerk.post("/api/v1/rules/death", json=EXAMPLES["death"]).json()

    assert body["overpayment"]["overpaid"] == "24000.00"
    assert body["net_benefits"] == "36000.00"


def test_computing_reads_and_writes_no_ledger_entry(clerk, seeded):
    before = len(ledger_actions(seeded))

    clerk.post("/api/v1/rules/incarceration", json=EXAMPLES["incarceration"])
    clerk.get("/api/v1/rules/retirement", params={"category": "female50", "birth": "1980-12"})

    assert len(ledger_actions(seeded)) == before


# --- who may call ---------------------------------------------------------------------------


def test_not_logged_in_is_a_401(client):
    assert client.get("/api/v1/rules/min-contribution", params={"year": 2032}).status_code == 401
    response = client.post("/api/v1/rules/pension", json=P01_FACTS)
    assert response.status_code == 401
    assert response.json()["error"] == "请先登录"


@pytest.mark.parametrize("username", ["reviewer", "archivist", "auditor"])
def test_business_roles_may_compute(client, username):
    api_login(client, username)

    assert client.get("/api/v1/rules/min-contribution", params={"year": 2032}).status_code == 200


def test_the_system_administrator_may_not_compute(client):
    api_login(client, "sysadmin")

    response = client.get("/api/v1/rules/min-contribution", params={"year": 2032})

    assert response.status_code == 403
    assert "政策规则测算" in response.json()["error"]


def test_a_post_without_the_csrf_header_is_refused(client):
    api_login(client, "clerk")

    assert client.post("/api/v1/rules/pension", json=P01_FACTS).status_code == 403


# --- bad input ------------------------------------------------------------------------------


def only_field(response):
    assert response.status_code == 422, response.text
    body = response.json()
    assert len(body["fields"]) == 1
    return body["fields"][0]["field"], body["error"]


def test_a_mistyped_nested_field_is_a_422_naming_its_path(clerk):
    payload = {**EXAMPLES["death"], "paid": [*EXAMPLES["death"]["paid"], {"first": "2025-10"}]}

    field, error = only_field(clerk.post("/api/v1/rules/death", json=payload))

    assert field == "paid[1].last"
    assert "缺少必填字段" in error


def test_an_unknown_field_is_a_422_naming_it(clerk):
    field, error = only_field(clerk.post("/api/v1/rules/pension", json={**P01_FACTS, "x": 1}))

    assert field == "x"
    assert "不允许的字段" in error


def test_a_wrong_type_is_a_422_naming_the_field(clerk):
    payload = {**P01_FACTS, "contribution_months": "480"}

    field, error = only_field(clerk.post("/api/v1/rules/pension", json=payload))

    assert field == "contribution_months"
    assert "应为整数" in error


def test_an_unknown_category_is_a_422_naming_the_field(clerk):
    response = clerk.get("/api/v1/rules/retirement", params={"category": "man", "birth": "1965-05"})

    assert only_field(response)[0] == "category"


def test_a_body_that_is_not_a_json_object_is_a_422(clerk):
    response = clerk.post("/api/v1/rules/death", json=[1, 2])

    assert response.status_code == 422


def test_a_rule_refusing_the_facts_is_a_422_naming_the_field(clerk):
    payload = {**EXAMPLES["incarceration"], "ended_on": "2020-01-01"}

    field, error = only_field(clerk.post("/api/v1/rules/incarceration", json=payload))

    assert field == "ended_on"
    assert "早于" in error


def test_the_rules_are_documented_with_examples_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").json()

    operation = spec["paths"]["/api/v1/rules/death"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert examples["example"]["value"] == EXAMPLES["death"]
    assert "`died_on`（必填）" in operation["description"]
    assert "/api/v1/rules/retirement" in spec["paths"]
