"""The control server: switch a running department's mode over HTTP (unsigned, loopback only).

``GET /departments`` lists every department with its URL and mode;
``POST /departments/{code}/mode`` with ``{"mode": "slow", "delay": 3}`` switches one and
answers its new status. Used by ``retirelink partners mode`` and by a tester at the demo.
"""

import json
from typing import Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from retirelink.errors import InvalidInputError, NotFoundError, RetireLinkError
from retirelink.partners.model import DepartmentStatus, Mode, department, parse_mode


class ModeSwitch(Protocol):
    def statuses(self) -> list[DepartmentStatus]: ...

    def set_mode(self, code: str, mode: Mode, delay: float | None = None) -> DepartmentStatus: ...


def _delay(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError("延迟（delay）应为秒数", field="delay")
    return float(value)


def _department_code(code: str) -> str:
    try:
        return department(code).code
    except InvalidInputError as error:
        raise NotFoundError(error.message, field="code") from None


def create_control_app(switch: ModeSwitch) -> Starlette:
    async def list_departments(_request: Request) -> Response:
        statuses = await run_in_threadpool(switch.statuses)
        return JSONResponse({"departments": [status.to_dict() for status in statuses]})

    async def change_mode(request: Request) -> Response:
        try:
            payload = json.loads(await request.body())
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise InvalidInputError('请求体应为 JSON 对象，如 {"mode": "down"}')
        code = _department_code(request.path_params["code"])
        mode = parse_mode(str(payload.get("mode", "")))
        delay = _delay(payload.get("delay"))
        # Stopping or starting a server blocks until it is done; not on the event loop.
        status = await run_in_threadpool(switch.set_mode, code, mode, delay)
        return JSONResponse(status.to_dict())

    async def refused(_request: Request, exc: Exception) -> Response:
        status = 404 if isinstance(exc, NotFoundError) else 400
        message = exc.message if isinstance(exc, RetireLinkError) else str(exc)
        return JSONResponse({"error": message}, status_code=status)

    return Starlette(
        routes=[
            Route("/departments", list_departments, methods=["GET"]),
            Route("/departments/{code}/mode", change_mode, methods=["POST"]),
        ],
        exception_handlers={RetireLinkError: refused},
    )
