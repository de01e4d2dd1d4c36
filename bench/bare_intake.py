"""Baseline for bench/ticket_intake.py: a bare Starlette endpoint that inserts the same ticket row with one
asyncpg INSERT — no auth, validation, classification, numbering, events or outbox. Run by the bench."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DSN = os.environ["BARE_DSN"]
ORG_ID = int(os.environ["BARE_ORG_ID"])
CONTACT_ID = int(os.environ["BARE_CONTACT_ID"])
pool: asyncpg.Pool | None = None

INSERT = """INSERT INTO support_ticket (number, subject, body, requester_id, organisation_id, bill_to_id,
 classification_state, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5, 'unclassified', 'new',
 now(), now()) RETURNING id"""


async def create(request: Request) -> Response:
    data = json.loads(await request.body())
    assert pool is not None
    async with pool.acquire() as conn:
        ticket_id = await conn.fetchval(
            INSERT, "B-" + uuid.uuid4().hex[:20], data["subject"], data.get("body", ""), CONTACT_ID, ORG_ID
        )
    return Response(json.dumps({"id": ticket_id}), status_code=201, media_type="application/json")


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(DSN, min_size=1, max_size=20)
    yield
    await pool.close()


app = Starlette(routes=[Route("/api/v1/tickets", create, methods=["POST"])], lifespan=lifespan)
