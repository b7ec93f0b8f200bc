"""The signed API partner departments call (docs/exchange.md § "What we expose to partners").

No session and no cookie: every request carries an HMAC-SM3 signature with the partner's key
or an SM2-SM3 signature checked with its registered public key, verified (with the timestamp
window and the nonce) before the body is interpreted. Nonces are
remembered in the request's own transaction, so a replay is refused by every worker.
"""

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from retirelink.bootstrap import Services
from retirelink.errors import AuthenticationError, InvalidInputError
from retirelink.exchange.catalogue import decide_access
from retirelink.exchange.model import AccessRequest, ImportOutcome
from retirelink.exchange.partner_api import Caller, receive_notices, refuse
from retirelink.exchange.signing import verify_request
from retirelink.exchange.status_checks import StatusCheck, check_alive_and_free
from retirelink.rules.identifiers import parse_id_number
from retirelink.security.model import Role
from retirelink.storage.unit_of_work import SqlAlchemyUnitOfWork
from retirelink.web.deps import ServicesDep

router = APIRouter(prefix="/api/v1/partner", tags=["协同部门接口（签名）"])

MAX_BODY_BYTES = 16 * 1024 * 1024
ALIVE_AND_FREE_ITEM = "social_security.alive_and_free_check"


class _Signed:
    """What the signature covers, copied off the request before leaving the event loop."""

    def __init__(self, request: Request, body: bytes) -> None:
        self.method = request.method
        self.path = request.url.path
        self.query: dict[str, list[str]] = {}
        for name, value in request.query_params.multi_items():
            self.query.setdefault(name, []).append(value)
        self.headers = dict(request.headers)
        self.body = body


async def _signed(request: Request) -> _Signed:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise InvalidInputError("请求体过大：单条消息不得超过 16 MB，请分批推送")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInputError("请求体过大：单条消息不得超过 16 MB，请分批推送")
    return _Signed(request, body)


def _authenticate(services: Services, uow: SqlAlchemyUnitOfWork, signed: _Signed) -> Caller:
    verified = verify_request(
        signed.method,
        signed.path,
        signed.query,
        signed.headers,
        signed.body,
        keys=services.partners,
        nonces=uow.nonces,
        now=services.clock.now(),
    )
    link = services.partners.current().by_client(verified.client_id)
    if link is None:  # removed from the registry between the two reads
        raise AuthenticationError(f"未知的客户端：{verified.client_id}")
    return Caller(link, verified)


@router.post(
    "/notices",
    summary="协同部门推送事件记录（死亡、火化、服刑等），整体入库或整体拒收，返回签名回执",
)
async def push_notices(request: Request, services: ServicesDep) -> JSONResponse:
    signed = await _signed(request)
    return await run_in_threadpool(_push, services, signed)


def _push(services: Services, signed: _Signed) -> JSONResponse:
    with services.uow() as uow:
        caller = _authenticate(services, uow, signed)
        outcome = receive_notices(
            uow, caller=caller, body=signed.body, catalogue=services.catalogue
        )
    if outcome.applied and not outcome.duplicate:
        services.fund.wake()  # a death or a custody: the fund guard checks the person now
    return JSONResponse(_outcome_json(outcome), status_code=200 if outcome.applied else 422)


def _outcome_json(outcome: ImportOutcome) -> dict[str, Any]:
    status = "duplicate" if outcome.duplicate else outcome.job.status.value
    return {
        "status": status,
        "job_id": outcome.job.id,
        "receipt": outcome.receipt.to_dict() if outcome.receipt else None,
        "issues": [
            {"row": issue.row_number, "field": issue.field, "message": issue.message_zh}
            for issue in outcome.issues
        ],
    }


@router.post(
    "/verifications/alive-and-free",
    summary="生存与服刑状态核验：某人某日是否在世、是否在押服刑，附依据",
)
async def alive_and_free(request: Request, services: ServicesDep) -> JSONResponse:
    signed = await _signed(request)
    return await run_in_threadpool(_alive_and_free, services, signed)


def _alive_and_free(services: Services, signed: _Signed) -> JSONResponse:
    with services.uow() as uow:
        caller = _authenticate(services, uow, signed)
        decision = decide_access(
            services.catalogue,
            AccessRequest(
                item_code=caller.verified.item,
                requester_department=caller.link.kind,
                role=Role.DEPT_OFFICER,
                purpose=caller.verified.purpose,
            ),
        )
        if caller.verified.item != ALIVE_AND_FREE_ITEM:
            refuse(uow, caller, f"本接口只提供数据项“{ALIVE_AND_FREE_ITEM}”")
        if not decision.allowed:
            refuse(uow, caller, decision.reason.removeprefix("拒绝："))
        id_number, on = _status_query(signed.body)
        check = check_alive_and_free(
            uow,
            actor=caller.actor,
            id_number=id_number,
            on=on,
            purpose=f"{caller.link.client_id}：{caller.verified.purpose}",
        )
    return JSONResponse(status_check_json(check))


def _status_query(body: bytes) -> tuple[str, date]:
    try:
        document = json.loads(body.decode("utf-8"))
        id_number, on = document["id_number"], document["on"]
        day = date.fromisoformat(on)
    except (UnicodeDecodeError, ValueError, TypeError, KeyError):
        raise InvalidInputError(
            '请求体应为 JSON 对象：{"id_number": 公民身份号码, "on": "YYYY-MM-DD"}'
        ) from None
    if not isinstance(id_number, str):
        raise InvalidInputError("id_number 应为字符串", field="id_number")
    return parse_id_number(id_number, on=day).value, day


def status_check_json(check: StatusCheck, *, id_number: str | None = None) -> dict[str, Any]:
    """The answer of a status check as JSON (``id_number`` overrides, e.g. masked)."""
    evidence = [
        {
            "department": record.department,
            "item": record.item_code,
            "event_date": record.event_date.isoformat(),
            "end_date": record.end_date.isoformat() if record.end_date else None,
            "received_at": record.received_at.isoformat(),
            "flag": record.flag.value if record.flag else None,
        }
        for record in check.death_evidence + check.custody_evidence
    ]
    return {
        "id_number": id_number or check.id_number,
        "on": check.on.isoformat(),
        "alive": check.alive,
        "free": check.free,
        "summary": check.summary_zh,
        "death_departments": check.death_departments,
        "earliest_death": check.earliest_death.isoformat() if check.earliest_death else None,
        "disputed": check.disputed,
        "evidence": evidence,
        "consulted_items": list(check.consulted_items),
    }
