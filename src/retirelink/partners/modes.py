"""Fault switches: a department's current mode, and the middleware that acts on it.

``slow`` waits before answering, ``error`` answers HTTP 500, ``garbage`` answers 200 with a
body a client cannot use — alternately malformed JSON and well-formed JSON of the wrong shape,
starting with the malformed one after each switch, so a test knows which it gets. ``down`` is
not handled here: the server stops listening (see ``server.py``), so connections are refused.
Paths under ``/_sim/`` (the tests' loopback inspection) are never disturbed.
"""

import asyncio
import threading
from dataclasses import dataclass

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from retirelink.errors import InvalidInputError
from retirelink.partners.model import Mode

DEFAULT_DELAY = 5.0
MAX_DELAY = 600.0
SIM_PREFIX = "/_sim/"
GARBAGE_BODIES = (
    b'{"records": [{"seq": 1, "gmsfhm": "1304',  # cut off mid-record: not JSON at all
    '["系统维护中", 42, null]'.encode(),  # JSON, but not the object the contract promises
)


@dataclass(frozen=True)
class ModeSetting:
    mode: Mode
    delay: float


class DepartmentState:
    """A department's mode, switched from any thread (control server, tests)."""

    def __init__(self, mode: Mode = Mode.NORMAL, delay: float = DEFAULT_DELAY) -> None:
        self._lock = threading.Lock()
        self._setting = ModeSetting(mode, _checked_delay(delay))
        self._garbage_served = 0

    @property
    def setting(self) -> ModeSetting:
        with self._lock:
            return self._setting

    def set(self, mode: Mode, delay: float | None = None) -> ModeSetting:
        with self._lock:
            chosen = self._setting.delay if delay is None else _checked_delay(delay)
            self._setting = ModeSetting(mode, chosen)
            self._garbage_served = 0
            return self._setting

    def next_garbage(self) -> bytes:
        with self._lock:
            body = GARBAGE_BODIES[self._garbage_served % len(GARBAGE_BODIES)]
            self._garbage_served += 1
            return body


def _checked_delay(delay: float) -> float:
    if not 0 <= delay <= MAX_DELAY:
        raise InvalidInputError(f"延迟应在 0 到 {MAX_DELAY:.0f} 秒之间", field="delay")
    return float(delay)


class FaultMiddleware:
    """Pure ASGI middleware in front of a department's app."""

    def __init__(self, app: ASGIApp, state: DepartmentState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(SIM_PREFIX):
            await self.app(scope, receive, send)
            return
        setting = self.state.setting
        if setting.mode is Mode.SLOW:
            await asyncio.sleep(setting.delay)
        response = self._fault(setting.mode)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)

    def _fault(self, mode: Mode) -> Response | None:
        if mode is Mode.ERROR:
            return JSONResponse({"error": "部门系统内部错误（模拟故障）"}, status_code=500)
        if mode is Mode.GARBAGE:
            return Response(self.state.next_garbage(), media_type="application/json")
        return None
