"""Another organisation's object is exactly a missing one, on every route with an id (the access modules:
support/access.py, billing/access.py, invoices/access.py).

The routes come from the operation registry (every `operation` the app mounts), so a new route is tested the
day it is added, and this test fails until its ids have a meaning in `OBJECTS` below. For each route with an
id in its path, called as an integrator of organisation B:
- with organisation A's ids, the answer is the one a missing id gets: the same status and the same problem
  (type, code, title and detail, with the ids themselves read as placeholders: "ticket 7 not found" and
  "ticket 987654321 not found" are the same answer);
- under a parent of B's own (B's ticket, B's organisation), A's child id is again exactly a missing one;
- B's own objects that an integrator never sees (a draft invoice, an internal comment and its file) are
  missing ones too: a draft's existence never shows through a distinct code or message;
- B's own ids do get something else (the fixture reaches the lookup it means to test).
A route whose roles exclude integrators is refused with 403 before any lookup, whatever the id: that answer
says nothing about the id, and the test checks it is the same 403 for A's id and a missing one. Routes the
integrator may call send a valid body (`BODIES`), so the lookup is reached and not cut short by a 422.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from starlette.routing import Mount, Route

from core.auth import Role
from core.http import OperationSpec
from core.openapi import _walk
from support.attachments.settings import get_attachment_settings
from tests.cross_organisation_world import build, markers, png

MISSING = 987654321
PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")

OBJECTS: dict[tuple[str, str], str] = {
    ("organisations", "id"): "org",
    ("organisations", "contact_id"): "contact",
    ("organisations", "application_id"): "application",
    ("organisations", "customer_id"): "customer",
    ("tickets", "id"): "ticket",
    ("tickets", "comment_id"): "public_comment",
    ("tickets", "attachment_id"): "image",
    ("time-entries", "id"): "entry",
    ("invoices", "id"): "invoice",
    ("subscriptions", "id"): "subscription",
    ("partner-applications", "id"): "partner_application",
    ("documentation-access", "id"): "documentation_access",
    ("interface-notices", "id"): "notice",
    ("rate-cards", "id"): "rate_card",
    ("licence-price-lists", "id"): "price_list",
    ("invoice-runs", "id"): "run",
    ("payment-files", "id"): "payment_file",
    ("payments", "id"): "payment",
    ("outbox", "id"): "outbox",
    ("mail", "id"): "inbound",
    ("tokens", "id"): "token",
}
"""What an id parameter names, by the path's first segment and the parameter's name."""

PER_ROUTE: dict[tuple[str, str], dict[str, str]] = {
    # An integrator licenses a customer its organisation acts for, not its own organisation.
    ("POST", "/organisations/{id:int}/subscriptions"): {"id": "customer"}
}

HIDDEN: dict[str, str] = {"invoice": "draft_invoice", "public_comment": "internal_comment", "image": "internal_file"}
"""Objects of the integrator's own organisation that it never sees, in place of the visible kind."""

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/tickets/{id:int}/comments"): {"json": {"body": "Tack för svaret"}},
    ("POST", "/tickets/{id:int}/attachments"): {"files": {"file": ("bild.png", png(), "image/png")}},
    ("POST", "/tickets/{id:int}/comments/{comment_id:int}/attachments"): {
        "files": {"file": ("bild.png", png(), "image/png")}
    },
    ("PUT", "/tickets/{id:int}/cost-ceiling"): {"json": {"kind": "hours", "limit": "12"}},
    ("POST", "/tickets/{id:int}/cost-ceiling/approve"): {"json": {"note": "ok"}},
    ("POST", "/organisations/{id:int}/subscriptions"): {"json": {"kind": "xl", "start_date": "2026-03-01"}},
    ("PUT", "/organisations/{id:int}/contacts/{contact_id:int}/mail-preference"): {"json": {"non_essential": False}},
}
"""A valid body for each route an integrator may call with one."""


def _spec(route: Route) -> OperationSpec:
    """The operation an endpoint declares (`core.http.operation`)."""
    spec = getattr(route.endpoint, "__operation__", None)
    assert isinstance(spec, OperationSpec), route.path
    return spec


def id_routes() -> list[tuple[str, str, OperationSpec]]:
    from tripdesk.app import api_routes

    found = []
    for path, route in _walk([Mount("", routes=api_routes)]):
        if any(name == "id" or name.endswith("_id") for name in PARAM.findall(path)):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                found.append((method, path, _spec(route)))
    return found


def meanings(method: str, path: str) -> dict[str, str]:
    segment = path.strip("/").split("/")[0]
    names = PARAM.findall(path)
    return {name: PER_ROUTE.get((method, path), {}).get(name) or OBJECTS[(segment, name)] for name in names}


def test_every_id_route_has_a_fixture() -> None:
    unmapped = [
        f"{method} {path}: {name}"
        for method, path, _ in id_routes()
        for name in PARAM.findall(path)
        if (method, path) not in PER_ROUTE and (path.strip("/").split("/")[0], name) not in OBJECTS
    ]
    bodiless = [
        f"{method} {path}"
        for method, path, spec in id_routes()
        if Role.integrator in spec.roles and spec.body is not None and (method, path) not in BODIES
    ]
    assert (unmapped, bodiless) == ([], [])


def url(path: str, ids: dict[str, int]) -> str:
    return "/api/v1" + PARAM.sub(lambda m: str(ids[m.group(1)]), path)


def answer(response: httpx.Response, ids: dict[str, int]) -> tuple[int, str, str]:
    """Status, content type and body, each id of the request read as `{id}`."""
    text = response.text
    if response.headers.get("content-type", "").startswith(("application/json", "application/problem+json")):
        text = json.dumps(response.json(), sort_keys=True, ensure_ascii=False)
        for value in sorted({str(v) for v in ids.values()}, key=len, reverse=True):
            text = re.sub(rf"(?<![\w-]){value}(?![\w-])", "{id}", text)
    return response.status_code, response.headers.get("content-type", ""), text


@pytest.fixture
def attachment_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Any:
    monkeypatch.setenv("TRIPDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRIPDESK_ATTACHMENT_STORE", "database")
    get_attachment_settings.cache_clear()
    yield
    get_attachment_settings.cache_clear()


async def test_another_organisations_id_is_a_missing_id(client: httpx.AsyncClient, attachment_store: Any) -> None:
    a, b, integrator = await build()
    routes = id_routes()
    assert len(routes) > 50  # the registry was read
    leaks: list[str] = []

    async def call(method: str, path: str, ids: dict[str, int]) -> tuple[int, str, str]:
        response = await client.request(method, url(path, ids), headers=integrator, **BODIES.get((method, path), {}))
        return answer(response, ids)

    async def same_as_missing(method: str, path: str, case: str, ids: dict[str, int], missing: dict[str, int]) -> None:
        got, expected = await call(method, path, ids), await call(method, path, missing)
        if got != expected:
            leaks.append(
                f"{method} {path} [{case}] {ids}: {got[:2]} {got[2][:300]}\n"
                f"    a missing id gets {expected[:2]} {expected[2][:300]}"
            )

    for method, path, spec in routes:
        kinds = meanings(method, path)
        own = {name: b[kind] for name, kind in kinds.items()}
        missing_all = dict.fromkeys(kinds, MISSING)
        await same_as_missing(method, path, "A's ids", {n: a[k] for n, k in kinds.items()}, missing_all)
        for name, kind in kinds.items():
            if len(kinds) > 1:
                await same_as_missing(
                    method, path, f"A's {name} under B's", {**own, name: a[kind]}, {**own, name: MISSING}
                )
            if kind in HIDDEN:
                await same_as_missing(
                    method, path, f"B's own {HIDDEN[kind]}", {**own, name: b[HIDDEN[kind]]}, {**own, name: MISSING}
                )
        if Role.integrator not in spec.roles:
            status = (await call(method, path, missing_all))[0]
            if status != 403:
                leaks.append(f"{method} {path}: integrators may not call it, yet it answered {status}, not 403")

    unreached = []
    for method, path, spec in routes:  # last: some of these change B's own data
        if Role.integrator in spec.roles:
            own = {name: b[kind] for name, kind in meanings(method, path).items()}
            if await call(method, path, own) == await call(method, path, dict.fromkeys(own, MISSING)):
                unreached.append(f"{method} {path}")
    assert leaks == [], "\n".join(leaks)
    assert unreached == [], "B's own ids get the missing answer: the fixture does not reach the lookup"


ORGANISATION_FIELDS = ("organisation_id", "bill_to_id", "licensee_id", "payer_id", "reseller_id")


def _organisations_named(data: Any) -> set[int]:
    if isinstance(data, dict):
        found = {v for k, v in data.items() if k in ORGANISATION_FIELDS and isinstance(v, int)}
        return found.union(*(_organisations_named(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_organisations_named(v) for v in data))
    return set()


async def test_lists_show_an_integrator_nothing_of_another_organisation(
    client: httpx.AsyncClient, attachment_store: Any
) -> None:
    """Every list an integrator may read (the registry's GET routes without an id), unfiltered and filtered on
    the other organisation, shows none of its rows; unfiltered, it shows the integrator's own."""
    from tripdesk.app import api_routes

    a, b, integrator = await build()
    lists = [
        (path, _spec(route))
        for path, route in _walk([Mount("", routes=api_routes)])
        if "GET" in (route.methods or ()) and "{" not in path and Role.integrator in _spec(route).roles
    ]
    assert len(lists) >= 7
    problems = []
    for path, spec in lists:
        filters: list[dict[str, int]] = [{}]
        if spec.query is not None and "organisation_id" in spec.query.model_fields:
            filters.append({"organisation_id": a["org"]})
        for params in filters:
            response = await client.get(f"/api/v1{path}", headers=integrator, params=params)
            shown = [m for m in markers(a) if m in response.text]
            named = _organisations_named(response.json()) & {a["org"], a["customer"]}
            if response.status_code not in (200, 404) or shown or named:
                problems.append(f"GET {path} {params}: {response.status_code}, shows {shown} {sorted(named)}")
            own = _organisations_named(response.json()) & {b["org"], b["customer"]}
            if not params and not own and not any(m in response.text for m in markers(b)):
                problems.append(f"GET {path}: shows nothing of the integrator's own organisation")
    assert problems == []


def test_ids_are_read_as_placeholders_only_where_they_stand_alone() -> None:
    response = httpx.Response(
        404,
        json={
            "detail": "ticket 12 not found",
            "instance": "/api/v1/tickets/12",
            "number": "SUP-2026-00012",
            "other": "112",
        },
    )
    assert answer(response, {"id": 12})[2] == json.dumps(
        {
            "detail": "ticket {id} not found",
            "instance": "/api/v1/tickets/{id}",
            "number": "SUP-2026-00012",
            "other": "112",
        },
        sort_keys=True,
    )
