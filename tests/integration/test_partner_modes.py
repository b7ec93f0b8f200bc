"""Fault modes on real servers: slow, down (refused), garbage, error; the control server."""

import json
import time

import httpx
import pytest

from retirelink.errors import InvalidInputError
from retirelink.partners.model import DEATH_CANCELLATION, PRISONERS, Mode, department
from retirelink.partners.server import SimulatorConfig, running_partners
from tests.support.partners import SignedClient

pytestmark = pytest.mark.integration


@pytest.fixture
def sims():
    config = SimulatorConfig.for_tests(
        persons=300, departments=(department("GONGAN"), department("SIFA"))
    )
    with running_partners(config) as running:
        yield running


def test_slow_mode_answers_only_after_the_delay(sims) -> None:
    sims.set_mode("SIFA", Mode.SLOW, delay=0.6)

    started = time.monotonic()
    response = SignedClient.of(sims, "SIFA").changes(PRISONERS, limit=1)
    waited = time.monotonic() - started

    assert response.status_code == 200
    assert response.json()["records"][0]["seq"] == 1
    assert waited >= 0.6


def test_slow_mode_makes_a_client_with_a_shorter_timeout_give_up(sims) -> None:
    sims.set_mode("SIFA", Mode.SLOW, delay=2)

    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{sims.url('SIFA')}/healthz", timeout=0.3)


def test_down_mode_refuses_connections_and_normal_brings_the_department_back(sims) -> None:
    url = sims.url("SIFA")

    status = sims.set_mode("SIFA", Mode.DOWN)

    assert not status.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/healthz", timeout=2)
    assert httpx.get(f"{sims.url('GONGAN')}/healthz").status_code == 200  # others unaffected

    back = sims.set_mode("SIFA", Mode.NORMAL)

    assert back.running
    assert back.url == url  # the same port as before
    assert httpx.get(f"{url}/healthz").status_code == 200
    assert SignedClient.of(sims, "SIFA").changes(PRISONERS, limit=1).status_code == 200


def test_a_department_can_start_down() -> None:
    config = SimulatorConfig.for_tests(
        persons=300, departments=(department("SIFA"),), modes={"SIFA": Mode.DOWN}
    )
    with running_partners(config) as sims:
        url = sims.url("SIFA")
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/healthz", timeout=2)

        sims.set_mode("SIFA", Mode.NORMAL)

        assert httpx.get(f"{url}/healthz").status_code == 200


def test_garbage_mode_answers_200_with_a_body_that_cannot_be_used(sims) -> None:
    sims.set_mode("GONGAN", Mode.GARBAGE)
    client = SignedClient.of(sims, "GONGAN")

    malformed = client.changes(DEATH_CANCELLATION)
    wrong_shape = client.changes(DEATH_CANCELLATION)

    assert malformed.status_code == wrong_shape.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        malformed.json()
    assert not isinstance(wrong_shape.json(), dict)


def test_error_mode_answers_500(sims) -> None:
    sims.set_mode("GONGAN", Mode.ERROR)

    response = SignedClient.of(sims, "GONGAN").changes(DEATH_CANCELLATION)

    assert response.status_code == 500
    assert response.json()["error"]
    sims.set_mode("GONGAN", Mode.NORMAL)
    assert SignedClient.of(sims, "GONGAN").changes(DEATH_CANCELLATION).status_code == 200


def test_the_control_server_lists_departments_and_switches_modes(sims) -> None:
    control = sims.control_url

    listed = httpx.get(f"{control}/departments").json()["departments"]
    switched = httpx.post(f"{control}/departments/sifa/mode", json={"mode": "down"})

    assert [d["code"] for d in listed] == ["GONGAN", "SIFA"]
    assert {d["mode"] for d in listed} == {"normal"}
    assert switched.status_code == 200
    assert switched.json()["mode"] == "down"
    assert switched.json()["running"] is False
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{sims.url('SIFA')}/healthz", timeout=2)
    slow = httpx.post(f"{control}/departments/SIFA/mode", json={"mode": "slow", "delay": 0.2})
    assert slow.json()["delay"] == 0.2
    assert httpx.get(f"{sims.url('SIFA')}/healthz").status_code == 200


@pytest.mark.parametrize(
    ("path", "payload", "status"),
    [
        ("/departments/SIFA/mode", {"mode": "broken"}, 400),
        ("/departments/SIFA/mode", {"mode": "slow", "delay": "x"}, 400),
        ("/departments/SIFA/mode", ["down"], 400),
        ("/departments/DANGAN/mode", {"mode": "down"}, 404),
    ],
)
def test_the_control_server_refuses_bad_switches_in_chinese(sims, path, payload, status) -> None:
    response = httpx.post(f"{sims.control_url}{path}", json=payload)

    assert response.status_code == status
    assert response.json()["error"]
    assert sims.status("SIFA").mode is Mode.NORMAL


def test_the_in_process_switch_takes_mode_names_and_refuses_unknown_ones(sims) -> None:
    assert sims.set_mode("sifa", "error").mode is Mode.ERROR
    with pytest.raises(InvalidInputError, match="未知的运行模式"):
        sims.set_mode("SIFA", "asleep")
    with pytest.raises(InvalidInputError, match="未知的部门代码"):
        sims.set_mode("DANGAN", Mode.DOWN)
    assert sims.status("SIFA").mode is Mode.ERROR
