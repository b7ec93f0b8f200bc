"""One Starlette app per department: the HTTP side of docs/exchange.md § "What partners expose".

Every endpoint but ``/healthz`` and ``/_sim/…`` must be signed by the platform (``X-RL-Client``
= our client id) with the key this department shares with it — or, for a department simulated
with SM2, with the platform's SM2 key (HMAC-SM3 is then refused); a request failing any check
gets 401 and a 中文 ``{"error": …}``. The signed item must be one the department holds (403
otherwise) and, for ``/api/changes``, the very item asked for. Errors are the platform's
categories, mapped to a status once (``_STATUS``). ``/_sim/received`` is an unsigned loopback
view of what the department received, for tests and the demo.
"""

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from retirelink.clock import Clock
from retirelink.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RetireLinkError,
)
from retirelink.exchange.signing import (
    InMemoryNonceStore,
    StaticKeyRing,
    VerifiedCaller,
    verify_request,
)
from retirelink.partners import services
from retirelink.partners.data import LazyDatasets, PartnerDatasets
from retirelink.partners.feeds import Feed
from retirelink.partners.model import Department
from retirelink.partners.modes import DepartmentState, FaultMiddleware
from retirelink.partners.services import Desk

DEFAULT_LIMIT = 100
_STATUS: Mapping[type[RetireLinkError], int] = {
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    InvalidInputError: 400,
}


@dataclass
class DepartmentContext:
    """Everything one department's endpoints need; the key is shared with ``our_client_id``
    (it signs the department's receipts). With ``our_sm2_public_key`` the department accepts
    only SM2-SM3 requests from the platform, checked with that key."""

    department: Department
    state: DepartmentState
    datasets: LazyDatasets
    desk: Desk
    our_client_id: str
    key: bytes = field(repr=False)
    clock: Clock
    our_sm2_public_key: str | None = None

    def __post_init__(self) -> None:
        self.keys = StaticKeyRing()
        if self.our_sm2_public_key is not None:
            self.keys.add_sm2(self.our_client_id, self.our_sm2_public_key)
        else:
            self.keys.add(self.our_client_id, self.key)
        self.nonces = InMemoryNonceStore()

    async def data(self) -> PartnerDatasets:
        # The first call generates the district; keep the event loop free meanwhile.
        return await run_in_threadpool(self.datasets.get)


Handler = Callable[[Request, DepartmentContext], Awaitable[Response]]


def _query(request: Request) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    return query


async def authenticate(request: Request, ctx: DepartmentContext) -> tuple[VerifiedCaller, bytes]:
    """Verify the signature (and the nonce, once); returns the caller and the raw body."""
    body = await request.body()
    caller = verify_request(
        request.method,
        request.url.path,
        _query(request),
        dict(request.headers),
        body,
        keys=ctx.keys,
        nonces=ctx.nonces,
        now=ctx.clock.now(),
    )
    if caller.item not in ctx.department.items:
        raise PermissionDeniedError(
            f"{ctx.department.name}不提供数据项“{caller.item}”，签名中的数据项有误"
        )
    return caller, body


def json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInputError("请求体不是有效的 JSON") from None
    if not isinstance(payload, dict):
        raise InvalidInputError("请求体应为 JSON 对象")
    return payload


def _int_param(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise InvalidInputError(f"参数 {name} 应为整数：{text!r}", field=name) from None


async def healthz(_request: Request, ctx: DepartmentContext) -> Response:
    return JSONResponse({"status": "ok", "department": ctx.department.code})


async def changes(request: Request, ctx: DepartmentContext) -> Response:
    caller, _ = await authenticate(request, ctx)
    item = request.query_params.get("item", "")
    if item not in ctx.department.items:
        held = "、".join(ctx.department.items)
        raise InvalidInputError(f"{ctx.department.name}不提供数据项“{item}”（提供：{held}）")
    if item != caller.item:
        raise PermissionDeniedError("签名中的数据项与所请求的数据项不一致")
    feed: Feed = (await ctx.data()).feed(item)
    page = feed.page(_int_param(request, "after", 0), _int_param(request, "limit", DEFAULT_LIMIT))
    return JSONResponse(
        {
            "item": item,
            "records": [record.to_dict() for record in page.records],
            "next_after": page.next_after,
            "has_more": page.has_more,
        }
    )


async def disputes(request: Request, ctx: DepartmentContext) -> Response:
    caller, body = await authenticate(request, ctx)
    answer = services.file_dispute(
        ctx.desk,
        ctx.department,
        json_object(body),
        body=body,
        signed_item=caller.item,
        counterpart=caller.client_id,
        key=ctx.key,
        now=ctx.clock.now(),
    )
    return JSONResponse(answer)


class DeskUseCase(Protocol):
    def __call__(
        self,
        desk: Desk,
        datasets: PartnerDatasets,
        payload: Mapping[str, Any],
        *,
        caller: str,
        now: datetime,
    ) -> services.Answer: ...


def _desk_endpoint(use_case: DeskUseCase) -> Handler:
    """An endpoint that authenticates, then hands the JSON body to a desk use case."""

    async def endpoint(request: Request, ctx: DepartmentContext) -> Response:
        caller, body = await authenticate(request, ctx)
        payload = json_object(body)
        data = await ctx.data()
        answer = use_case(ctx.desk, data, payload, caller=caller.client_id, now=ctx.clock.now())
        return JSONResponse(answer)

    return endpoint


async def contribution_history(request: Request, ctx: DepartmentContext) -> Response:
    """Another province's node answers for its own province (``Department.region``)."""
    caller, body = await authenticate(request, ctx)
    payload = json_object(body)
    data = await ctx.data()
    answer = services.contribution_history(
        ctx.desk,
        data,
        payload,
        province=ctx.department.region,
        caller=caller.client_id,
        now=ctx.clock.now(),
    )
    return JSONResponse(answer)


async def received(_request: Request, ctx: DepartmentContext) -> Response:
    return JSONResponse({"received": [entry.to_dict() for entry in ctx.desk.snapshot()]})


# Endpoints beyond the common ones, per department code.
_EXTRA_ROUTES: Mapping[str, tuple[tuple[str, Handler], ...]] = {
    "GONGAN": (("/api/hukou/verify", _desk_endpoint(services.verify_hukou)),),
    "GJJ": (
        (
            "/api/housing-fund/retirement-withdrawals",
            _desk_endpoint(services.retirement_withdrawal),
        ),
    ),
    "YIBAO": (("/api/enrolment/retiree-transfers", _desk_endpoint(services.retiree_transfer)),),
    "QUANGUO": (("/api/insurance-index/provinces", _desk_endpoint(services.insured_provinces)),),
    "SHANXI": (("/api/pension-insurance/contribution-history", contribution_history),),
    "HENAN": (("/api/pension-insurance/contribution-history", contribution_history),),
}


def _bind(handler: Handler, ctx: DepartmentContext) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await handler(request, ctx)

    return endpoint


async def _error(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RetireLinkError):  # registered for RetireLinkError only
        raise exc
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    return JSONResponse({"error": exc.message}, status_code=status)


def create_department_app(ctx: DepartmentContext) -> Starlette:
    routes = [
        Route("/healthz", _bind(healthz, ctx), methods=["GET"]),
        Route("/api/changes", _bind(changes, ctx), methods=["GET"]),
        Route("/api/disputes", _bind(disputes, ctx), methods=["POST"]),
        Route("/_sim/received", _bind(received, ctx), methods=["GET"]),
    ]
    routes += [
        Route(path, _bind(handler, ctx), methods=["POST"])
        for path, handler in _EXTRA_ROUTES.get(ctx.department.code, ())
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, state=ctx.state)],
        exception_handlers={RetireLinkError: _error},
    )
