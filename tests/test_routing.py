"""The API's resource router picks exactly what Starlette's plain router would pick, for every declared route
and for the paths around them (wrong method, trailing slash, an id that does not convert, no such resource)."""

from __future__ import annotations

import re

import pytest
from starlette.exceptions import HTTPException
from starlette.routing import Mount, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.routing import ResourceRouter
from tripdesk.app import API_PREFIX, api_routes

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it


class Endpoint:
    """A raw ASGI endpoint that answers 200 with its route's path and method set."""

    def __init__(self, route: Route) -> None:
        self.label = f"{route.path} {sorted(route.methods or ())}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": self.label.encode()})


def copies() -> list[Route]:
    return [Route(r.path, Endpoint(r), methods=r.methods) for r in api_routes if isinstance(r, Route)]


async def outcome(app: ASGIApp, method: str, path: str) -> tuple[int, str]:
    """(status, body or location or error), as the client would see it."""
    scope: Scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "headers": [],
        "query_string": b"",
        "scheme": "http",
        "server": ("test", 80),
        "app": object(),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    try:
        await app(scope, receive, send)
    except HTTPException as exc:  # the app's exception handler turns these into problems
        return exc.status_code, str((exc.headers or {}).get("Allow", ""))
    headers = dict(sent[0].get("headers", []))
    return sent[0]["status"], (sent[1].get("body", b"") or headers.get(b"location", b"")).decode()


def concrete(path: str) -> str:
    return re.sub(r"\{[^}:]+:int\}", "17", re.sub(r"\{[^}:]+\}", "x", path))


def requests() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for route in api_routes:
        assert isinstance(route, Route)
        path = API_PREFIX + concrete(route.path)
        found += [(method, path) for method in sorted(route.methods or ())]
        found += [("PUT", path), ("GET", path + "/"), ("GET", path.replace("17", "abc"))]
    return found + [("GET", f"{API_PREFIX}/nothing-here"), ("GET", f"{API_PREFIX}/"), ("GET", API_PREFIX)]


@pytest.mark.parametrize("method, path", sorted(set(requests())))
async def test_resource_router_matches_as_starlette_does(method: str, path: str) -> None:
    routes = copies()
    plain = Router([Mount(API_PREFIX, routes=routes)])
    grouped = Router([Mount(API_PREFIX, app=ResourceRouter(routes))])
    assert await outcome(grouped, method, path) == await outcome(plain, method, path)


def test_every_route_is_served_by_its_resource_and_listed_in_order() -> None:
    router = ResourceRouter(api_routes)
    assert router.routes == api_routes
    tickets = router._routers["tickets"].routes
    assert tickets and all(isinstance(r, Route) and r.path.startswith("/tickets") for r in tickets)
