"""Running the simulators: every department on its own loopback port, in one process.

Each department is a uvicorn server in a background thread, on a socket bound here, so the
port is known before the server starts and stays the same when the department goes ``down``
(the server stops and the socket closes: connections are refused) and comes back. A small
control server switches modes at run time. Tests use :func:`running_partners`::

    with running_partners(SimulatorConfig.for_tests()) as sims:
        sims.url("GONGAN")
        sims.set_mode("SIFA", Mode.DOWN)
"""

import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from retirelink.clock import Clock, SystemClock
from retirelink.demo.manifest import DistrictManifest
from retirelink.errors import UnavailableError
from retirelink.partners.apps import DepartmentContext, create_department_app
from retirelink.partners.control import create_control_app
from retirelink.partners.data import LazyDatasets, PartnerDatasets
from retirelink.partners.model import (
    DEPARTMENTS,
    OUR_CLIENT_ID,
    Department,
    DepartmentStatus,
    Mode,
    department,
    parse_mode,
)
from retirelink.partners.modes import DEFAULT_DELAY, DepartmentState
from retirelink.partners.registry import PartnerEntry, PartnerRegistry, shared_keys
from retirelink.partners.services import Desk, Received
from retirelink.security.sm2 import SM2PrivateKey

LOOPBACK = "127.0.0.1"
DEFAULT_BASE_PORT = 8101
DEFAULT_CONTROL_PORT = 8100
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 15.0


def bind_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket (``port`` 0: a free one); uvicorn starts listening on it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class ServedApp:
    """One ASGI app served by uvicorn in a background thread; stoppable and restartable.

    The port is fixed by the first :meth:`start` (a free one when 0 is asked for) and reused
    by every later start, so a department that comes back is where it was.
    """

    def __init__(self, app: ASGIApp, *, host: str = LOOPBACK, port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def reserve(self) -> int:
        """Fix the port without serving (a department that starts ``down``)."""
        if self.port == 0:
            with bind_socket(self.host, 0) as sock:
                self.port = int(sock.getsockname()[1])
        return self.port

    def start(self) -> None:
        if self.running:
            return
        sock = bind_socket(self.host, self.port)
        self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            loop="asyncio",
            http="h11",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"sim-{self.port}", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                sock.close()
                raise UnavailableError(f"模拟服务未能在端口 {self.port} 上启动")
            time.sleep(0.01)

    def request_stop(self) -> None:
        """Ask the server to stop without waiting (to stop several at once)."""
        if self._server is not None:
            self._server.should_exit = True

    def stop(self, timeout: float = _STOP_TIMEOUT) -> None:
        """Stop serving; the listening socket is closed, so connections are refused. Waits
        at most ``timeout`` seconds for the server thread (a daemon: it cannot keep the
        process alive)."""
        self.request_stop()
        thread = self._thread
        self._server = self._thread = None
        if thread is not None:
            thread.join(timeout)


@dataclass(frozen=True)
class SimulatorConfig:
    """What to simulate and where. ``base_port`` 0 gives every department a free port;
    ``control_port`` None runs no control server, 0 a free one.

    Departments in ``sm2_keys`` (code -> the department's own SM2 private key) use SM2-SM3:
    the platform registers their public keys, and they accept only SM2-signed calls from the
    platform, checked with ``our_sm2_key``'s public key (that key is the platform's, written
    into the registry for it).
    """

    district: DistrictManifest
    keys: Mapping[str, bytes]  # department code -> key shared with us
    our_client_id: str = OUR_CLIENT_ID
    host: str = LOOPBACK
    base_port: int = 0
    control_port: int | None = 0
    modes: Mapping[str, Mode] = field(default_factory=dict)
    slow_delay: float = DEFAULT_DELAY
    clock: Clock = field(default_factory=SystemClock)
    departments: Sequence[Department] = DEPARTMENTS
    sm2_keys: Mapping[str, SM2PrivateKey] = field(default_factory=dict)
    our_sm2_key: SM2PrivateKey | None = None

    def __post_init__(self) -> None:
        if self.sm2_keys and self.our_sm2_key is None:
            raise ValueError("departments using SM2 need the platform's SM2 key (our_sm2_key)")

    @classmethod
    def for_tests(
        cls,
        *,
        persons: int = 400,
        seed: int = 7,
        as_of: date = date(2026, 11, 23),
        **options: Any,
    ) -> "SimulatorConfig":
        """A small district, fresh keys, free ports; ``options`` override any other field."""
        district = DistrictManifest(seed=seed, persons=persons, as_of=as_of)
        return replace(cls(district=district, keys=shared_keys(None)), **options)

    def port_of(self, index: int) -> int:
        return self.base_port + index if self.base_port else 0


class PartnerSimulators:
    """All departments of one district, their modes and what they received."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.lazy = LazyDatasets(config.district)
        self._lock = threading.Lock()
        self._states: dict[str, DepartmentState] = {}
        self._desks: dict[str, Desk] = {}
        self._served: dict[str, ServedApp] = {}
        for index, dept in enumerate(config.departments):
            state = DepartmentState(config.modes.get(dept.code, Mode.NORMAL), config.slow_delay)
            desk = Desk()
            ctx = DepartmentContext(
                department=dept,
                state=state,
                datasets=self.lazy,
                desk=desk,
                our_client_id=config.our_client_id,
                key=config.keys[dept.code],
                clock=config.clock,
                our_sm2_public_key=(
                    config.our_sm2_key.public_key
                    if config.our_sm2_key is not None and dept.code in config.sm2_keys
                    else None
                ),
            )
            self._states[dept.code], self._desks[dept.code] = state, desk
            self._served[dept.code] = ServedApp(
                create_department_app(ctx), host=config.host, port=config.port_of(index)
            )
        self.control: ServedApp | None = None
        if config.control_port is not None:
            self.control = ServedApp(
                create_control_app(self), host=config.host, port=config.control_port
            )

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        try:
            for code, served in self._served.items():
                if self._states[code].setting.mode is Mode.DOWN:
                    served.reserve()
                else:
                    served.start()
            if self.control is not None:
                self.control.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        every = [*self._served.values(), *([self.control] if self.control else [])]
        for served in every:  # all at once: each takes a tick of its loop to notice
            served.request_stop()
        # One deadline for all, so stopping seven servers never waits seven timeouts.
        deadline = time.monotonic() + _STOP_TIMEOUT
        for served in every:
            served.stop(max(0.0, deadline - time.monotonic()))

    # --- where and how -----------------------------------------------------------------

    def url(self, code: str) -> str:
        return self._served[department(code).code].url

    @property
    def control_url(self) -> str:
        if self.control is None:
            raise UnavailableError("未启动控制服务")
        return self.control.url

    def set_mode(self, code: str, mode: Mode | str, delay: float | None = None) -> DepartmentStatus:
        """Switch a department; ``down`` stops its server, any other mode (re)starts it."""
        dept = department(code)
        chosen = mode if isinstance(mode, Mode) else parse_mode(mode)
        with self._lock:
            self._states[dept.code].set(chosen, delay)
            served = self._served[dept.code]
            if chosen is Mode.DOWN:
                served.stop()
            else:
                served.start()
        return self.status(dept.code)

    def status(self, code: str) -> DepartmentStatus:
        dept = department(code)
        setting = self._states[dept.code].setting
        served = self._served[dept.code]
        return DepartmentStatus(
            code=dept.code,
            name=dept.name,
            kind=dept.kind.value,
            client_id=dept.client_id,
            url=served.url,
            mode=setting.mode,
            delay=setting.delay,
            running=served.running,
        )

    def statuses(self) -> list[DepartmentStatus]:
        return [self.status(code) for code in self._served]

    def registry(self) -> PartnerRegistry:
        """The registry the platform needs to reach these departments (docs/exchange.md)."""
        sm2 = self.config.sm2_keys
        return PartnerRegistry(
            our_client_id=self.config.our_client_id,
            partners=tuple(
                PartnerEntry(
                    department=dept.code,
                    kind=dept.kind.value,
                    client_id=dept.client_id,
                    base_url=self._served[dept.code].url,
                    key=self.config.keys[dept.code],
                    sm2_public_key=sm2[dept.code].public_key if dept.code in sm2 else None,
                    sign="sm2" if dept.code in sm2 else "hmac",
                    region=dept.region,
                )
                for dept in self.config.departments
            ),
            our_sm2_key=self.config.our_sm2_key,
        )

    # --- data and what was received --------------------------------------------------

    def datasets(self) -> PartnerDatasets:
        return self.lazy.get()

    def received(self, code: str, kind: str | None = None) -> list[Received]:
        desk = self._desks[department(code).code]
        return desk.snapshot() if kind is None else desk.of_kind(kind)

    @property
    def states(self) -> Mapping[str, DepartmentState]:
        return MappingProxyType(self._states)


@contextmanager
def running_partners(config: SimulatorConfig) -> Iterator[PartnerSimulators]:
    """Start every department (and the control server), stop them all on exit."""
    sims = PartnerSimulators(config)
    sims.start()
    try:
        yield sims
    finally:
        sims.stop()
