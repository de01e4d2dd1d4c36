"""Request ids, access logs, Prometheus metrics and security headers, as one pure ASGI middleware.

- `X-Request-ID`: accepted from the caller (or a proxy) when it looks sane, generated otherwise, returned on
  every response and attached to every log line of the request.
- Metrics: requests by route template and status, a latency histogram, and gauges filled at scrape time
  (outbox depth, invoices issued) by callbacks the composition root registers.
- Security headers on every response; the body size limit is enforced before the app reads the body (a
  declared length), or while it reads it (a chunked body).
- `/metrics` needs a bearer token (`metrics_endpoint`).
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.auth import Role, current_principal
from core.errors import PROBLEM_CONTENT_TYPE, PayloadTooLarge, Unauthenticated

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
access_log = logging.getLogger("tripdesk.access")
_OVERFLOW = ("OTHER", "overflow", 0)  # the one series counting requests beyond `max_series`
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"),
]


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class Metrics:
    """The process's Prometheus registry. Request series are bounded: at most `max_series` (method, route
    template, status) label sets exist, the last of them the overflow series, so a client inventing methods
    or provoking rare statuses cannot grow the registry, or a scrape, without end."""

    def __init__(self, max_series: int = 1_000) -> None:
        self.max_series = max(1, max_series)
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tripdesk_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "tripdesk_http_request_duration_seconds",
            "Request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.outbox = Gauge("tripdesk_outbox_messages", "Outbox messages by status", ["status"], registry=self.registry)
        self.invoices = Gauge(
            "tripdesk_invoices_issued", "Issued invoices and credit notes", ["kind"], registry=self.registry
        )
        self.collectors: list[Callable[[Metrics], Awaitable[None]]] = []
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def series(self, method: str, route: str, status: int) -> tuple[Any, Any]:
        """The request counter and latency histogram of one (method, route template, status), or of the
        overflow series once `max_series` exist. They are looked up once and kept: `labels()` takes a lock
        and builds its key on every call."""
        key = (method, route, status)
        found = self._series.get(key)
        if found is None:
            if len(self._series) >= self.max_series - 1:
                key = _OVERFLOW
                found = self._series.get(key)
            if found is None:
                found = (self.requests.labels(key[0], key[1], str(key[2])), self.latency.labels(key[1]))
                self._series[key] = found
        return found

    def series_count(self) -> int:
        return len(self._series)

    async def render(self) -> bytes:
        for collect in self.collectors:
            try:
                await collect(self)
            except Exception:  # a failing gauge must not take the whole scrape down
                logging.getLogger("tripdesk").warning("metrics collector failed", exc_info=True)
        return generate_latest(self.registry)


def route_template(app: ASGIApp, scope: Scope) -> str:
    """The matched route's path template (bounded label cardinality), or 'unmatched'."""
    routes = getattr(app, "routes", [])
    prefix = ""
    while routes:
        for route in routes:
            match, child = route.matches(scope) if isinstance(route, Route | Mount) else (Match.NONE, {})
            if match is Match.FULL:
                if isinstance(route, Mount) and getattr(route, "routes", None):
                    prefix += route.path
                    scope = {**scope, **child}
                    routes = route.routes
                    break
                return prefix + route.path
        else:
            return "unmatched"
    return "unmatched"


def route_templates(routes: list[BaseRoute], prefix: str = "") -> dict[int, str]:
    """id(route) → its full path template, for every route and mount below `routes`."""
    found: dict[int, str] = {}
    for route in routes:
        if isinstance(route, Route | Mount):
            found[id(route)] = prefix + route.path
            if isinstance(route, Mount):
                found.update(route_templates(list(route.routes), prefix + route.path))
    return found


def allow_headers(routes: list[BaseRoute]) -> dict[int, str]:
    """id(route) → the `Allow` header of its path: the methods of every route with the same full template."""
    templates = route_templates(routes)
    found: list[Route] = []
    pending = list(routes)
    while pending:
        route = pending.pop()
        if isinstance(route, Mount):
            pending.extend(route.routes)
        elif isinstance(route, Route):
            found.append(route)
    methods: dict[str, set[str]] = {}
    for route in found:
        methods.setdefault(templates[id(route)], set()).update(route.methods or ())
    return {id(route): ", ".join(sorted(methods[templates[id(route)]])) for route in found}


class ObservabilityMiddleware:
    def __init__(
        self, app: ASGIApp, *, metrics: Metrics, max_body_bytes: int, own_limits: re.Pattern[str] | None = None
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body_bytes
        self.own_limits = own_limits  # paths that enforce a limit of their own (file uploads)
        self._templates: dict[int, str] | None = None

    def _template_of(self, scope: Scope) -> str:
        """The route template of the route the router picked (it leaves the route in the scope): a dict
        look-up instead of matching every route a second time."""
        route = scope.get("route")
        if route is None or "app" not in scope:
            return "unmatched"
        if self._templates is None:
            self._templates = route_templates(scope["app"].router.routes)
        return self._templates.get(id(route), "unmatched")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = incoming if _SANE_ID.match(incoming) else os.urandom(16).hex()  # as random as uuid4, 5x cheaper
        token = request_id_var.set(request_id)
        status_box = [500]
        unread = [False]
        route = ""

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(SECURITY_HEADERS)
                if unread[0]:  # the rest of the body was never read: end the connection, not the upload only
                    headers.append((b"connection", b"close"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
            own_limit = bool(self.own_limits and self.own_limits.match(scope["path"]))
            if length is not None and length.isdigit() and int(length) > self.max_body and not own_limit:
                # refused before routing: match the template the slow way (rare)
                route = route_template(scope["app"].router, dict(scope)) if "app" in scope else "unmatched"
                unread[0] = True
                await _too_large(scope, send_wrapper, self.max_body)
            else:
                # no length given (chunked): count while the app reads, and stop it at the limit
                limited = length is None and not own_limit
                await self.app(scope, _limited(receive, self.max_body, unread) if limited else receive, send_wrapper)
        finally:
            route = route or self._template_of(scope)
            elapsed = time.perf_counter() - started
            counter, latency = self.metrics.series(scope["method"], route, status_box[0])
            counter.inc()
            latency.observe(elapsed)
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status_box[0],
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status_box[0],
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(token)


def _limited(receive: Receive, limit: int, tripped: list[bool]) -> Receive:
    """`receive` that raises `PayloadTooLarge` (a 413 from the app's error handler) as soon as the body
    received passes `limit` bytes (and sets `tripped`: the response closes the connection): a chunked body
    is never read, let alone held, beyond the limit and one chunk."""
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                tripped[0] = True
                raise PayloadTooLarge(f"the body limit is {limit} bytes")
        return message

    return limited


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps(PayloadTooLarge(f"the body limit is {limit} bytes").to_problem(scope["path"])).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", PROBLEM_CONTENT_TYPE.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def metrics_endpoint(request: Request) -> Response:
    """Prometheus scrape. Counts, latencies and queue depths tell an outsider how busy the service is and
    what it runs, so a scrape needs a bearer token: `TRIPDESK_METRICS_TOKEN` (for the scraper) or an admin
    API token."""
    principal = current_principal(request)
    if principal is None or principal.role is not Role.admin:
        expected = request.app.state.settings.metrics_token
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if not (
            expected
            and scheme.lower() == "bearer"
            and hmac.compare_digest(given.strip().encode(), expected.get_secret_value().encode())
        ):
            raise Unauthenticated("/metrics needs TRIPDESK_METRICS_TOKEN or an admin token as a bearer token")
    metrics: Metrics = request.app.state.metrics
    return Response(await metrics.render(), media_type=CONTENT_TYPE_LATEST)
