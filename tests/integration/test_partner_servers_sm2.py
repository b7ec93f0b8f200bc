"""A simulated department that uses SM2-SM3, over real HTTP on loopback: it accepts only
SM2-signed calls from the platform, and the registry it writes makes the platform's own
client (the gateway) sign with the platform's SM2 key."""

import pytest

from retirelink.clock import SystemClock
from retirelink.exchange.model import RequestSigning
from retirelink.exchange.registry import StaticRegistry, parse_registry
from retirelink.exchange.sources.gateway import HttpPartnerGateway
from retirelink.partners.model import DEATH_CANCELLATION, department
from retirelink.partners.server import SimulatorConfig, running_partners
from retirelink.security.sm2 import generate_keypair
from tests.support.partners import SignedClient

pytestmark = pytest.mark.integration

GONGAN_SM2 = generate_keypair().private_key
OURS = generate_keypair().private_key


@pytest.fixture(scope="module")
def sims():
    config = SimulatorConfig.for_tests(
        persons=300,
        departments=(department("GONGAN"), department("SIFA")),
        sm2_keys={"GONGAN": GONGAN_SM2},
        our_sm2_key=OURS,
    )
    with running_partners(config) as running:
        yield running


def test_the_sm2_department_answers_a_call_signed_with_the_platforms_sm2_key(sims) -> None:
    response = SignedClient(sims.url("GONGAN"), OURS).changes(DEATH_CANCELLATION, limit=3)

    assert response.status_code == 200, response.text
    assert [record["seq"] for record in response.json()["records"]] == [1, 2, 3]


def test_the_sm2_department_refuses_hmac_and_other_sm2_keys(sims) -> None:
    hmac = SignedClient.of(sims, "GONGAN").changes(DEATH_CANCELLATION)
    forged = SignedClient(sims.url("GONGAN"), generate_keypair().private_key).changes(
        DEATH_CANCELLATION
    )

    assert hmac.status_code == 401
    assert "需要登记该客户端的共享密钥" in hmac.json()["error"]
    assert forged.status_code == 401
    assert "SM2 签名无效" in forged.json()["error"]


def test_a_department_without_sm2_still_wants_hmac(sims) -> None:
    sm2 = SignedClient(sims.url("SIFA"), OURS).changes("justice.prisoners_in_custody")

    assert sm2.status_code == 401
    assert "需要登记该客户端的 SM2 公钥" in sm2.json()["error"]
    assert SignedClient.of(sims, "SIFA").changes("justice.prisoners_in_custody").status_code == 200


def test_the_registry_names_the_departments_sm2_key_and_the_platforms(sims) -> None:
    document = sims.registry().to_dict()
    gongan, sifa = document["partners"]

    assert gongan["sm2_public_keys"] == [GONGAN_SM2.public_key]
    assert gongan["sign"] == "sm2"
    assert "sm2_public_keys" not in sifa and "sign" not in sifa
    assert document["our_sm2_private_key"] == OURS.hex
    assert GONGAN_SM2.hex not in str(document)  # the department's private key stays its own


def test_the_platforms_gateway_signs_with_sm2_for_that_department_only(sims) -> None:
    registry = parse_registry(sims.registry().to_dict())
    gongan, sifa = registry.links
    gateway = HttpPartnerGateway(StaticRegistry(registry).current, clock=SystemClock())
    try:
        feed = gateway.client(gongan).get_json(
            "/api/changes",
            {"item": DEATH_CANCELLATION, "limit": "2"},
            item=DEATH_CANCELLATION,
            purpose="benefit_suspension",
        )
        table = gateway.client(sifa).get_json(
            "/api/changes",
            {"item": "justice.prisoners_in_custody", "limit": "2"},
            item="justice.prisoners_in_custody",
            purpose="benefit_suspension",
        )
    finally:
        gateway.close()

    assert (gongan.sign, sifa.sign) == (RequestSigning.SM2, RequestSigning.HMAC)
    assert len(feed["records"]) == 2
    assert len(table["records"]) == 2
