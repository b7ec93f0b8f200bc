"""Error categories mapped once to HTTP status and a 中文 message.

JSON for /api and /healthz, an HTML page otherwise.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from retirelink.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PartnerResponseError,
    PermissionDeniedError,
    RetireLinkError,
    UnavailableError,
)
from retirelink.web.templating import render

STATUS_BY_CATEGORY: dict[type[RetireLinkError], int] = {
    InvalidInputError: 422,
    NotFoundError: 404,
    ConflictError: 409,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    UnavailableError: 503,
    PartnerResponseError: 502,
}

DATABASE_DOWN = "数据库暂时不可用，请稍后再试；如持续出现请联系系统管理员"
# A unique constraint lost a race the service's own check could not see (two identical
# submissions at the same moment): the transaction rolled back and nothing was written.
CONCURRENT_DUPLICATE = "数据冲突：同一内容可能被同时重复提交，本次未写入任何数据，请刷新后核对"

_HTTP_MESSAGES = {
    404: "页面不存在",
    405: "不支持该请求方法",
    413: "提交的内容过大",
}


def status_for(error: RetireLinkError) -> int:
    for category, status in STATUS_BY_CATEGORY.items():
        if isinstance(error, category):
            return status
    return 400


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def error_response(
    request: Request, status: int, message: str, fields: list[dict[str, str]] | None = None
) -> Response:
    if wants_json(request):
        body: dict[str, Any] = {"error": message}
        if fields:
            body["fields"] = fields
        return JSONResponse(body, status_code=status)
    return render(
        request,
        "error.html",
        {"status": status, "message": message, "fields": fields or []},
        status_code=status,
    )


async def _on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RetireLinkError)
    if isinstance(exc, AuthenticationError) and not wants_json(request):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    fields = [{"field": exc.field, "message": exc.message}] if exc.field else None
    return error_response(request, status_for(exc), exc.message, fields)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [_field_problem(problem) for problem in exc.errors()]
    names = "、".join(item["field"] for item in fields)
    return error_response(request, 422, f"提交的数据不符合要求：{names}", fields)


def _field_problem(problem: Any) -> dict[str, str]:
    location = [
        str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path")
    ]
    kind = str(problem.get("type", ""))
    return {
        "field": ".".join(location) or "请求",
        "message": _VALIDATION_MESSAGES.get(kind, "格式不正确"),
    }


_VALIDATION_MESSAGES = {
    "missing": "必填项缺失",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
}


async def _on_database_error(request: Request, _exc: Exception) -> Response:
    return error_response(request, 503, DATABASE_DOWN)


async def _on_integrity_error(request: Request, _exc: Exception) -> Response:
    return error_response(request, 409, CONCURRENT_DUPLICATE)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = _HTTP_MESSAGES.get(exc.status_code, "请求无法处理")
    return error_response(request, exc.status_code, message)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RetireLinkError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    app.add_exception_handler(OperationalError, _on_database_error)
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
