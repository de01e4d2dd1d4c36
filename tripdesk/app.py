"""The ASGI application: the composition root that wires every package's routes, the database, the
background workers and the cross-cutting middleware."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path
from tortoise import Tortoise
from tortoise.exceptions import DoesNotExist, IntegrityError

import billing.payments.report_routes
import billing.payments.routes
import billing.routes
import billing.subscriptions.routes
import invoices.routes
import invoices.statement_routes
import notifications.routes
from core.auth import Principal
from core.errors import PROBLEM_CONTENT_TYPE, Conflict, DomainError, MethodNotAllowed, NotFound
from core.http import MAX_BODY_BYTES, operation
from core.openapi import build_openapi
from core.routing import ResourceRouter
from support import audit_routes, mail_routes
from support import routes as directory_routes
from support.attachments import routes as attachment_routes
from support.auth import BearerAuthMiddleware, TokenCache
from support.classification import routes as classification_routes
from support.programme import routes as partner_routes
from support.settings import SupportSettings, get_settings
from support.tickets import routes as ticket_routes
from support.timetracking import routes as timetracking_routes
from tripdesk.db import close_connections, tortoise_config
from tripdesk.failures import CatchAllMiddleware
from tripdesk.observability import Metrics, ObservabilityMiddleware, allow_headers, metrics_endpoint
from tripdesk.wiring import install_hooks

log = logging.getLogger("tripdesk")
API_PREFIX = "/api/v1"
VERSION = "0.1.0"

api_routes = [
    *directory_routes.routes,
    *partner_routes.routes,
    *ticket_routes.routes,
    *attachment_routes.routes,
    *classification_routes.routes,
    *audit_routes.routes,
    *timetracking_routes.routes,
    *billing.routes.routes,
    *billing.payments.routes.routes,
    *billing.payments.report_routes.routes,
    *billing.subscriptions.routes.routes,
    *invoices.routes.routes,
    *invoices.statement_routes.routes,
    *notifications.routes.routes,
    *mail_routes.routes,
]


def problem_response(error: DomainError, request: Request) -> Response:
    return JSONResponse(
        error.to_problem(instance=request.url.path), status_code=error.status, media_type=PROBLEM_CONTENT_TYPE
    )


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return problem_response(exc, request)


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error: DomainError
    headers: dict[str, str] = {}
    if exc.status_code == 404:
        error = NotFound("no such resource")
    elif exc.status_code == 405:
        allowed = allowed_methods(request)
        error = MethodNotAllowed(f"{request.method} is not allowed here; allowed: {allowed}")
        headers["Allow"] = allowed
    else:
        error = DomainError(str(exc.detail))
        error.status = exc.status_code
    response = problem_response(error, request)
    response.headers.update(headers)
    return response


def allowed_methods(request: Request) -> str:
    """Every method the requested path accepts (RFC 9110 `Allow`): each method of a path is a route of its
    own here, and Starlette would name only the first route's methods."""
    state = request.app.state
    if not hasattr(state, "allow"):
        state.allow = allow_headers(request.app.router.routes)
    return str(state.allow.get(id(request.scope.get("route")), "GET, HEAD"))


async def on_does_not_exist(request: Request, exc: Exception) -> Response:
    return problem_response(NotFound("not found"), request)


async def on_integrity_error(request: Request, exc: Exception) -> Response:
    log.warning("integrity error on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(Conflict("the change conflicts with existing data"), request)


@operation("Liveness", public=True, tags=("operations",))
async def healthz(request: Request, principal: Principal | None) -> Response:
    return JSONResponse({"status": "ok"})


@operation("Readiness: the database answers", public=True, tags=("operations",))
async def readyz(request: Request, principal: Principal | None) -> Response:
    try:
        conn = Tortoise.get_connection("default")
        await asyncio.wait_for(conn.execute_query("SELECT 1"), timeout=2)
    except Exception:  # any failure means not ready; the reason is logged, not shown
        log.warning("readiness check failed", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def openapi_document() -> dict[str, Any]:
    return build_openapi(
        [Mount(API_PREFIX, routes=api_routes)],
        title="tripdesk",
        version=VERSION,
        description="Support desk and consultancy billing under the vendor's integration policy. "
        "Errors are application/problem+json (RFC 9457).",
    )


_SWAGGER_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tripdesk API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>"""

# A separate file, not an inline script: the Content-Security-Policy (script-src 'self') forbids inline code.
_SWAGGER_INIT = 'SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui", deepLinking: true});\n'


async def openapi_json(request: Request) -> Response:
    if not hasattr(request.app.state, "openapi"):
        request.app.state.openapi = json.dumps(openapi_document()).encode()
    return Response(request.app.state.openapi, media_type="application/json")


async def docs(request: Request) -> Response:
    return HTMLResponse(_SWAGGER_HTML)


async def docs_redirect(request: Request) -> Response:
    """A person who opens the server's address in a browser lands on the API documentation."""
    return RedirectResponse("/docs", status_code=307)


async def docs_init(request: Request) -> Response:
    return Response(_SWAGGER_INIT, media_type="text/javascript")


def create_app(
    *, settings: SupportSettings | None = None, init_db: bool = True, background: bool | None = None
) -> Starlette:
    """Build the app. Tests pass `init_db=False` and initialise Tortoise themselves."""
    settings = settings or get_settings()
    install_hooks()
    run_background = settings.run_outbox_worker if background is None else background

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if init_db:
            await Tortoise.init(config=tortoise_config(settings.database_url), _enable_global_fallback=True)
        # The promoted model (`tripdesk retrain`) or the corpus model: the one the CLI uses too. Trained in a
        # thread, or loaded from the disk cache when unchanged.
        from support.classification.model_store import load_classifier_async

        await load_classifier_async()
        if init_db:  # a served process, not a test's app
            # What start-up built (modules, the model, schemas) lives as long as the process: out of the
            # collector's sight, a full collection no longer walks ~165,000 objects amid requests.
            gc.collect()
            gc.freeze()
        tasks = await start_background(app, enabled=run_background)
        try:
            yield
        finally:
            await stop_background(tasks)
            if init_db:
                await close_connections()

    token_cache = TokenCache(settings.token_cache_seconds, settings.token_cache_entries)
    metrics = Metrics(max_series=settings.metrics_max_series)
    app = Starlette(
        routes=[
            Mount(API_PREFIX, app=ResourceRouter(api_routes)),  # first: nearly every request is an API call
            Route("/", docs_redirect, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/openapi.json", openapi_json, methods=["GET"]),
            Route("/docs", docs, methods=["GET"]),
            Route("/docs/init.js", docs_init, methods=["GET"]),
            Mount("/docs/static", app=StaticFiles(directory=str(swagger_ui_path)), name="swagger"),
        ],
        middleware=[
            Middleware(
                ObservabilityMiddleware,
                metrics=metrics,
                max_body_bytes=MAX_BODY_BYTES,
                own_limits=attachment_routes.UPLOAD_PATHS,
            ),
            # inside observability: a 500 or 503 keeps the request id and the security headers
            Middleware(CatchAllMiddleware),
            Middleware(BearerAuthMiddleware, cache=token_cache),
        ],
        exception_handlers={
            DomainError: on_domain_error,
            HTTPException: on_http_exception,
            DoesNotExist: on_does_not_exist,
            IntegrityError: on_integrity_error,
        },
        lifespan=lifespan,
    )
    app.state.token_cache = token_cache
    app.state.metrics = metrics
    metrics.collectors += [collect_outbox_depth, collect_invoices_issued]
    app.state.settings = settings
    return app


async def collect_outbox_depth(metrics: Metrics) -> None:
    from notifications.service import outbox_depth

    for status, count in (await outbox_depth()).items():
        metrics.outbox.labels(status).set(count)


async def collect_invoices_issued(metrics: Metrics) -> None:
    from tortoise.functions import Count

    from billing.models import Invoice, InvoiceStatus

    issued = Invoice.filter(status=InvoiceStatus.issued)
    rows = await issued.group_by("kind").annotate(n=Count("id")).values("kind", "n")
    for row in rows:
        metrics.invoices.labels(str(row["kind"])).set(row["n"])


async def start_background(app: Starlette, *, enabled: bool) -> list[asyncio.Task[None]]:
    """Background work inside `tripdesk serve` (the outbox delivery worker, added by notifications).

    Cancelling the worker task (stop_background) is a graceful stop: the message in flight finishes and the
    rest of its claimed batch is released to pending at once, instead of waiting for the lease to expire."""
    if not enabled:
        return []
    from notifications.inbound import fetcher
    from notifications.settings import get_inbound_settings
    from notifications.worker import run_in_background

    tasks = [asyncio.create_task(run_in_background(), name="outbox-worker")]
    inbound = get_inbound_settings()
    if inbound.imap_url and inbound.run_fetcher:  # reading the support mailbox (TRIPDESK_MAIL_FETCHER)
        tasks.append(asyncio.create_task(fetcher.run_in_background(), name="mail-fetcher"))
    return tasks


async def stop_background(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
