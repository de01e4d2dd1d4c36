"""Storage for ticket intake, the hottest write path: the requester look-up that reserves the ticket number,
and the insert of the ticket with its first events and its receipt email.

On PostgreSQL each step is one statement, so an intake costs two round trips and no explicit transaction:
1. the requester, its organisation and — only when the requester may open a ticket — the next number of the
   year's sequence (`support_ticket_number_<year>`, created on first use);
2. one statement whose CTEs insert the ticket, its events and the outbox row: a single statement is atomic on
   its own, so all rows commit together or none does.
A sequence hands out numbers without locking: concurrent intakes (on any number of instances) never wait for
each other's commit, as they did on a counter row. The price is that a number can be skipped when an intake
fails after reserving it (an unknown `bill_to` or application, a lost connection). Ticket numbers are
references, not accounting documents; invoice numbers stay gap-free (billing/numbering).

On SQLite (one writer, the embedded default) the counter row `ticket:<year>` gives the number and the ORM
writes the same rows in one transaction.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from notifications.models import OutboxMessage
from notifications.service import PreparedEmail
from support.models import Ticket, TicketEvent
from support.numbering import next_value


@dataclass(frozen=True)
class Requester:
    """The contact opening a ticket, with what intake needs of its organisation."""

    id: int
    name: str
    email: str
    language: str
    active: bool
    organisation_id: int
    organisation_name: str
    organisation_kind: str


def _db() -> BaseDBAsyncClient:
    """The connection Ticket queries would use now: the open transaction's, if there is one."""
    return Ticket._meta.db


def _is_postgres(db: BaseDBAsyncClient) -> bool:
    return db.capabilities.dialect == "postgres"


def sequence_name(year: int) -> str:
    return f"support_ticket_number_{int(year)}"


_REQUESTER_SQL = """
SELECT c.id, c.name, c.email, c.language, c.active, c.organisation_id, o.name AS organisation_name,
       o.kind AS organisation_kind,
       CASE WHEN c.active AND ($2::int IS NULL OR c.organisation_id = $2::int)
                 AND to_regclass($3::text) IS NOT NULL
            THEN nextval($3::text::regclass) END AS number
FROM support_contact c JOIN support_organisation o ON o.id = c.organisation_id
WHERE c.id = $1"""

_REQUESTER_SQL_GENERIC = """
SELECT c.id, c.name, c.email, c.language, c.active, c.organisation_id, o.name AS organisation_name,
       o.kind AS organisation_kind
FROM support_contact c JOIN support_organisation o ON o.id = c.organisation_id
WHERE c.id = ?"""


async def requester_with_number(*, contact_id: int, year: int,
                                organisation_scope: int | None) -> tuple[Requester | None, int | None]:
    """The requester (None if unknown) and, when it is active and inside `organisation_scope` (an integrator's
    own organisation; None for staff), the ticket number reserved for the new ticket."""
    db = _db()
    if not _is_postgres(db):
        rows = await db.execute_query_dict(_REQUESTER_SQL_GENERIC, [contact_id])
        requester = _requester(rows[0]) if rows else None
        if requester is None or not _may_open(requester, organisation_scope):
            return requester, None
        return requester, await next_value(f"ticket:{year}", conn=db)
    rows = await db.execute_query_dict(_REQUESTER_SQL, [contact_id, organisation_scope, sequence_name(year)])
    if not rows:
        return None, None
    requester = _requester(rows[0])
    number = rows[0]["number"]
    if number is None and _may_open(requester, organisation_scope):
        number = await _first_number_of_year(db, year)
    return requester, None if number is None else int(number)


def _may_open(requester: Requester, organisation_scope: int | None) -> bool:
    return requester.active and (organisation_scope is None or requester.organisation_id == organisation_scope)


def _requester(row: dict[str, Any]) -> Requester:
    return Requester(id=row["id"], name=row["name"], email=row["email"], language=str(row["language"]),
                     active=bool(row["active"]), organisation_id=row["organisation_id"],
                     organisation_name=row["organisation_name"], organisation_kind=str(row["organisation_kind"]))


async def _first_number_of_year(db: BaseDBAsyncClient, year: int) -> int:
    """Create the year's sequence and take its first number. The advisory lock makes concurrent creators wait
    for the first one (IF NOT EXISTS alone still fails when two transactions create it at once). The
    sequence starts after the year's counter row, so numbers handed out before sequences existed are never
    reused."""
    name = sequence_name(year)
    async with in_transaction(db.connection_name) as tx:
        await tx.execute_query("SELECT pg_advisory_xact_lock(hashtext($1))", [name])
        if (await tx.execute_query_dict("SELECT to_regclass($1::text) AS seq", [name]))[0]["seq"] is None:
            counter = await tx.execute_query_dict("SELECT value FROM support_counter WHERE key = $1",
                                                  [f"ticket:{year}"])
            start = int(counter[0]["value"]) + 1 if counter else 1
            await tx.execute_script(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {start}")
        rows = await tx.execute_query_dict("SELECT nextval($1::text::regclass) AS number", [name])
    return int(rows[0]["number"])


# ------------------------------------------------------------------------------------------- the insert
TICKET_COLUMNS = ("number", "subject", "body", "requester_id", "organisation_id", "bill_to_id", "application_id",
                  "category", "classification_state", "classification_confidence", "status", "licence_warning",
                  "created_at", "updated_at")
EVENT_COLUMNS = ("kind", "actor", "actor_token_id", "from_value", "to_value", "reason", "data", "created_at")


@dataclass(frozen=True, slots=True)
class NewEvent:
    kind: str
    actor: str
    actor_token_id: int | None = None
    from_value: str | None = None
    to_value: str | None = None
    reason: str | None = None
    data: dict[str, Any] | None = None


@lru_cache(maxsize=8)
def _insert_sql(event_count: int, with_email: bool) -> str:
    """One statement: the ticket, then its events in order (each reads the one before it, so their ids
    follow the order given), then the email unless its dedupe key was queued before."""
    n = itertools.count(1)
    ticket = ", ".join(f"${next(n)}" for _ in TICKET_COLUMNS)
    ctes = [f"t AS (INSERT INTO support_ticket ({', '.join(TICKET_COLUMNS)}) VALUES ({ticket}) RETURNING id)"]
    for index in range(event_count):
        values = ", ".join(f"${next(n)}" + ("::jsonb" if c == "data" else "") for c in EVENT_COLUMNS)
        after = f", e{index - 1}" if index else ""
        ctes.append(f"e{index} AS (INSERT INTO support_ticket_event (ticket_id, {', '.join(EVENT_COLUMNS)}) "
                    f"SELECT t.id, {values} FROM t{after} RETURNING id)")
    if with_email:
        columns = PreparedEmail.COLUMNS
        values = ", ".join(f"${next(n)}" + ("::jsonb" if c in PreparedEmail.JSON_COLUMNS else "") for c in columns)
        ctes.append(f"m AS (INSERT INTO notifications_outbox ({', '.join(columns)}) VALUES ({values}) "
                    "ON CONFLICT (dedupe_key) DO NOTHING)")
    return f"WITH {', '.join(ctes)} SELECT id FROM t"


async def insert_ticket(*, ticket: dict[str, Any], events: Sequence[NewEvent],
                        email: PreparedEmail | None) -> int:
    """Store a new ticket (`TICKET_COLUMNS` → value) with its events and, unless its dedupe key was queued
    before, its receipt email: all or nothing. Returns the ticket's id."""
    db = _db()
    if not _is_postgres(db):
        async with in_transaction(db.connection_name):
            row = await Ticket.create(**ticket)
            await TicketEvent.bulk_create([
                TicketEvent(ticket_id=row.id, created_at=ticket["created_at"], **_event_fields(e)) for e in events])
            if email is not None:
                await OutboxMessage.bulk_create([email.to_model()], ignore_conflicts=True)
        return row.id
    values: list[Any] = [ticket[c] for c in TICKET_COLUMNS]
    for event in events:
        values += [event.kind, event.actor, event.actor_token_id, event.from_value, event.to_value, event.reason,
                   None if event.data is None else json.dumps(event.data, ensure_ascii=False), ticket["created_at"]]
    if email is not None:
        values += email.values()
    _, rows = await db.execute_query(_insert_sql(len(events), email is not None), values)
    return int(rows[0]["id"])


def _event_fields(event: NewEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in NewEvent.__slots__}  # type: ignore[attr-defined]
