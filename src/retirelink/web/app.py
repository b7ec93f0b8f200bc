"""create_app(settings): the FastAPI application, built on demand (never at import)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import retirelink
from retirelink.archives.ocr_engine import ocr_available
from retirelink.bootstrap import Services, build
from retirelink.config import Settings, load_settings
from retirelink.web.api import auth as api_auth
from retirelink.web.api import exchange as api_exchange
from retirelink.web.api import ledger as api_ledger
from retirelink.web.api import partner as api_partner
from retirelink.web.api import persons as api_persons
from retirelink.web.api import rules as api_rules
from retirelink.web.errors import DATABASE_DOWN, install_error_handlers
from retirelink.web.pages import (
    admin,
    applications,
    archive_batches,
    archive_business,
    archive_facts,
    archive_lending,
    archive_search,
    archives,
    auth,
    exchange,
    exchange_disputes,
    exchange_outbox,
    exchange_partners,
    fund,
    home,
    ledger,
    online,
    persons,
    prereview,
    progress,
    supplements,
)
from retirelink.web.templating import STATIC_DIR, make_templates

SWAGGER_ASSETS = "/static/vendor/swagger-ui-5.35.0"

# Pages hold personal data: never cached, never framed, scripts only from our own origin.
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
# Swagger UI boots from one inline script; the relaxation is confined to the docs page.
_DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
)


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    the_services = services or build(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.exchange_worker:
            the_services.exchange.start(settings.exchange_interval_seconds)
        if settings.ocr_worker and ocr_available():
            the_services.ocr.start(settings.ocr_interval_seconds)
        if settings.workflow_worker:
            the_services.workflow.start(settings.workflow_interval_seconds)
            the_services.prereview.start(settings.workflow_interval_seconds)
        if settings.fund_worker:
            the_services.fund.start(settings.fund_interval_seconds)
        yield
        the_services.exchange.stop()
        the_services.ocr.stop()
        the_services.workflow.stop()
        the_services.prereview.stop()
        the_services.fund.stop()
        if services is None:
            the_services.close()

    app = FastAPI(
        title="退休档案协同共享平台 API",
        version=retirelink.__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = the_services
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (
        api_auth.router,
        api_persons.router,
        api_ledger.router,
        api_rules.router,
        api_exchange.router,
        api_partner.router,
        auth.router,
        home.router,
        persons.router,
        ledger.router,
        exchange.router,
        exchange_partners.router,
        exchange_disputes.router,
        exchange_outbox.router,
        archive_batches.router,
        archive_business.router,
        archive_facts.router,
        archive_lending.router,
        archive_search.router,
        archives.router,
        prereview.router,
        applications.router,
        progress.router,
        online.router,
        supplements.router,
        fund.router,
        admin.router,
    ):
        app.include_router(router)
    _add_operational_routes(app)
    install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and `retirelink serve`: settings from the environment."""
    return create_app(load_settings())


def _add_operational_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["运维"], summary="健康检查（含数据库连通性）")
    def healthz(request: Request) -> Response:
        services: Services = request.app.state.services
        try:
            with services.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # any driver failure means "not ready"
            return JSONResponse({"status": "unavailable", "error": DATABASE_DOWN}, 503)
        return JSONResponse({"status": "ok", "database": "ok", "version": retirelink.__version__})

    @app.get("/api/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="退休档案协同共享平台 API 文档",
            swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )


class SecurityHeaders:
    """Adds the security headers to every response. A plain ASGI middleware, not
    ``BaseHTTPMiddleware``: it only edits the response start, so it costs next to nothing on
    the signed partner API, which serves hundreds of requests a second."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(_SECURITY_HEADERS)
                headers["Content-Security-Policy"] = _DOCS_CSP if path == "/api/docs" else _CSP
                if not path.startswith("/static/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
