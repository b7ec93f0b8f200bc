"""Fault modes in front of a department's app (in process, without sockets)."""

import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from retirelink.errors import InvalidInputError
from retirelink.partners.model import Mode, department, parse_mode
from retirelink.partners.modes import DepartmentState, FaultMiddleware


async def hello(_request: Request) -> JSONResponse:
    return JSONResponse({"hello": "world"})


def client(state: DepartmentState) -> TestClient:
    app = Starlette(routes=[Route("/hello", hello), Route("/_sim/hello", hello)])
    return TestClient(FaultMiddleware(app, state))


def test_normal_mode_lets_requests_through() -> None:
    with client(DepartmentState()) as http:
        assert http.get("/hello").json() == {"hello": "world"}


def test_error_mode_answers_500_with_a_chinese_message() -> None:
    with client(DepartmentState(Mode.ERROR)) as http:
        response = http.get("/hello")

    assert response.status_code == 500
    assert "内部错误" in response.json()["error"]


def test_garbage_mode_alternates_malformed_json_and_the_wrong_shape() -> None:
    with client(DepartmentState(Mode.GARBAGE)) as http:
        first, second, third = (http.get("/hello") for _ in range(3))

    assert first.status_code == second.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(first.content)
    assert isinstance(json.loads(second.content), list)
    assert third.content == first.content


def test_switching_mode_restarts_the_garbage_sequence() -> None:
    state = DepartmentState(Mode.GARBAGE)
    state.next_garbage()

    state.set(Mode.GARBAGE)

    with pytest.raises(json.JSONDecodeError):
        json.loads(state.next_garbage())


def test_the_loopback_inspection_path_is_never_disturbed() -> None:
    with client(DepartmentState(Mode.ERROR)) as http:
        assert http.get("/_sim/hello").status_code == 200


def test_setting_a_mode_keeps_the_delay_unless_given() -> None:
    state = DepartmentState(delay=2.5)

    assert state.set(Mode.SLOW).delay == 2.5
    assert state.set(Mode.SLOW, 0.5).delay == 0.5


@pytest.mark.parametrize("delay", [-1, 601])
def test_an_unreasonable_delay_is_refused(delay: float) -> None:
    with pytest.raises(InvalidInputError):
        DepartmentState().set(Mode.SLOW, delay)


def test_modes_and_departments_are_parsed_leniently_and_refused_in_chinese() -> None:
    assert parse_mode(" Down ") is Mode.DOWN
    assert department("gongan").client_id == "GONGAN-130406"
    with pytest.raises(InvalidInputError, match="未知的运行模式"):
        parse_mode("broken")
    with pytest.raises(InvalidInputError, match="未知的部门代码"):
        department("DANGAN")
