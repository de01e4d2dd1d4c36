"""GET /tickets reads its page with one statement built for either database (support/tickets/listing.py) and
renders the rows without the response model. These tests hold it, on each backend, to a reference that reads
every ticket and filters, orders and pages them in Python, rendered by `TicketPage`, for a matrix of filters,
cursors and callers."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from typing import Any

import httpx
import pytest

from core.auth import Principal, Role
from core.pagination import decode_cursor, encode_cursor
from support.models import Organisation, OrganisationKind, Ticket
from support.policy import Category
from support.tickets.listing import SUMMARY_COLUMNS, TicketFilter
from support.tickets.schemas import TicketPage, TicketQuery
from tests import factories as f

STATUSES = ("new", "triaged", "in_progress", "resolved", "closed")
SUBJECTS = (
    "Timeout i importen",
    "Hur får vi token?",
    "100% CPU vid export",
    "Fält ref_nr saknas",
    "Åtkomst nekad",
    "Långsam sökning",
)
# LIKE's wildcards in a search are literal: "ref_nr" must not find "refanr", nor "100%" find "1000"
BODIES = ("Importen avbryts efter 30 s", "Se bifogad logg, rad ref_nr", "Fältet refanr, 1000 poster")


async def history() -> dict[str, Any]:
    """Tickets of two organisations (one billed to the other), spread over three years and every filter."""
    partner = await f.organisation(kind=OrganisationKind.partner)
    customer = await f.organisation()
    other = await f.organisation()
    people = [await f.contact(org) for org in (partner, customer, other)]
    assignee = await f.staff()
    rng = random.Random(7)
    start = dt.datetime(2024, 11, 20, 8, 30, tzinfo=dt.UTC)
    per_year: dict[int, int] = {}
    for i in range(60):
        created = start + dt.timedelta(
            days=12 * i, seconds=rng.randint(0, 3600), microseconds=0 if i % 3 == 0 else rng.randint(1, 999_999)
        )
        per_year[created.year] = per_year.get(created.year, 0) + 1
        requester = people[i % 3]
        opener = (partner, customer, other)[i % 3]
        ticket = await Ticket.create(
            number=f"SUP-{created.year}-{per_year[created.year]:05d}",
            subject=f"{SUBJECTS[i % 6]} {i}",
            body=BODIES[i % 3] + f" ({i})",
            requester=requester,
            organisation=opener,
            bill_to=customer if i % 5 == 0 else opener,
            category=list(Category)[i % len(Category)] if i % 7 else None,
            classification_state="suggested",
            classification_confidence=0.5,
            status=STATUSES[i % 5],
            assignee=assignee if i % 2 else None,
            licence_warning="ingen licens" if i % 9 == 0 else None,
            external_reference=f"ORD-{i % 4}" if i % 3 else None,
        )
        await Ticket.filter(id=ticket.id).update(created_at=created)
    return {"partner": partner.id, "customer": customer.id, "assignee": assignee.id}


QUERIES: list[dict[str, Any]] = [
    {},
    {"limit": 7},
    {"status": "in_progress"},
    {"category": "defect", "status": "new"},
    {"organisation_id": "customer"},
    {"assignee_id": "assignee", "limit": 5},
    {"created_from": "2025-03-01", "created_to": "2025-06-30", "limit": 4},
    {"created_from": "2026-01-01"},
    {"created_to": "2025-01-15"},
    {"q": "SUP-2025", "limit": 6},
    {"q": "sup-2026-00003"},
    {"q": "SUP-20"},
    {"q": "timeout"},
    {"q": "100%"},
    {"q": "ref_nr", "status": "closed"},
    {"q": "Åtkomst"},
    {"q": "SUP-2025", "organisation_id": "partner", "created_from": "2025-02-01"},
    {"external_reference": "ORD-1", "limit": 3},
    {"external_reference": "ORD-2", "status": "new"},
]


def page_query(spec: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    return {k: ids.get(v, v) if isinstance(v, str) and k.endswith("_id") else v for k, v in spec.items()}


def wanted(row: dict[str, Any], query: TicketQuery, scope: int | None) -> bool:
    """The list's rules, read plainly: an integrator sees what its organisation opened or is billed for, and
    `organisation_id` filters the same way; dates are whole UTC days; a query that looks like a ticket number
    (`SUP-2026-00042`, or a prefix such as `SUP-2025`) means the number, anything else is a substring of
    number, subject or body in any case."""
    organisations = {row["organisation_id"], row["bill_to_id"]}
    if scope is not None and scope not in organisations:
        return False
    if query.organisation_id is not None and query.organisation_id not in organisations:
        return False
    for name in ("status", "category", "assignee_id", "external_reference"):
        if (value := getattr(query, name)) is not None and row[name] != value:
            return False
    day = row["created_at"].astimezone(dt.UTC).date()
    if (query.created_from and day < query.created_from) or (query.created_to and day > query.created_to):
        return False
    if query.q is None:
        return True
    text = query.q.upper()
    if re.fullmatch(r"SUP-\d{2,4}-\d{1,7}", text):
        return bool(row["number"] == text)
    if re.fullmatch(r"SUP-\d{2,4}", text):
        return bool(row["number"].startswith(text))
    return any(text in row[column].upper() for column in ("number", "subject", "body"))


async def reference_page(principal: Principal, params: dict[str, object]) -> str:
    """The page as filtering every ticket in Python finds it and the response model renders it."""
    query = TicketQuery.model_validate(params)
    rows = await Ticket.all().values(*SUMMARY_COLUMNS, "body")
    before = None if query.cursor is None else decode_cursor(query.cursor)
    found = sorted(
        (
            row
            for row in rows
            if wanted(row, query, principal.organisation_scope()) and (before is None or row["id"] < before)
        ),
        key=lambda row: -row["id"],
    )
    page, rest = found[: query.limit], found[query.limit :]
    return TicketPage.model_validate(
        {"items": page, "next_cursor": encode_cursor(page[-1]["id"]) if rest else None}
    ).model_dump_json()


async def test_every_filter_reads_and_renders_the_reference_page(client: httpx.AsyncClient) -> None:
    ids = await history()
    admin = await f.token(Role.admin)
    callers = [(f.bearer(admin), Principal(token_id=1, name="admin", role=Role.admin))]
    # an integrator of the customer: sees what its organisation opened or is billed for
    customer_token = await f.token(Role.integrator, organisation=await Organisation.get(id=ids["customer"]))
    callers.append(
        (
            f.bearer(customer_token),
            Principal(token_id=2, name="customer", role=Role.integrator, organisation_id=ids["customer"]),
        )
    )
    compared = 0
    for (headers, principal), spec in itertools.product(callers, QUERIES):
        params = page_query(spec, ids)
        cursor = None
        for _ in range(30):  # walk every page: the cursor must continue the same order on both readers
            page_params = {**params, **({"cursor": cursor} if cursor else {})}
            response = await client.get("/api/v1/tickets", params=page_params, headers=headers)
            assert response.status_code == 200, response.text
            assert response.content.decode() == await reference_page(principal, page_params), page_params
            compared += 1
            cursor = response.json()["next_cursor"]
            if cursor is None:
                break
    assert compared > 2 * len(QUERIES)  # several queries span more than one page


async def test_rendering_keeps_the_models_datetime_format(client: httpx.AsyncClient) -> None:
    """Whole seconds and fractions, as the response model writes them (`Z`, microseconds only when present)."""
    await history()
    admin = f.bearer(await f.token(Role.admin))
    items = (await client.get("/api/v1/tickets", params={"limit": 60}, headers=admin)).json()["items"]
    stamps = [item["created_at"] for item in items]
    assert all(s.endswith("Z") for s in stamps)
    assert any("." not in s for s in stamps) and any("." in s for s in stamps)
    assert [dt.datetime.fromisoformat(s) for s in stamps] == sorted(
        [dt.datetime.fromisoformat(s) for s in stamps], reverse=True
    )


@pytest.mark.postgres_only
async def test_postgres_statement_uses_the_indexed_expressions() -> None:
    """The trigram and number-year indexes only serve the exact expressions they were built on."""
    principal = Principal(token_id=1, name="admin", role=Role.admin)
    text, _ = TicketFilter.of(principal, TicketQuery(q="time_out"), postgres=True).statement()
    for column in ("subject", "number", "body"):
        assert f'UPPER(CAST("{column}" AS VARCHAR)) LIKE UPPER($' in text
    year, values = TicketFilter.of(principal, TicketQuery(q="SUP-2025", cursor=None), postgres=True).statement()
    assert "split_part(\"number\", '-', 2)=$2" in year and 'ORDER BY "id"+0 DESC' in year
    assert values == ["SUP-2025%", "2025", 51]
    closed, _ = TicketFilter.of(
        principal, TicketQuery(created_from="2025-03-01", created_to="2025-03-31"), postgres=True
    ).statement()
    assert closed.startswith('SELECT "id","number",')
    assert 'WHERE "id" IN (SELECT "id" FROM "support_ticket" WHERE' in closed
