"""Storage for ticket intake, the hottest write path: the ticket, its first events and its receipt email,
written together with the requester look-up and the number. The statements are built in
support/tickets/intake_sql.py, the same pieces for both dialects.

On PostgreSQL an intake is one statement, one round trip, no explicit transaction (a single statement is
atomic on its own, so every row commits together or none does). It
1. reads the requester and its organisation, and whether it may open a ticket (active, and inside the
   integrator's own organisation when the caller is one), bill the organisation the request names (its own,
   or a customer its organisation is recorded to act for: support/partners.py) and name the application
   (one of those two organisations');
2. only then takes the next number of the year's sequence (`support_ticket_number_<year>`);
3. inserts the ticket (billed to the requester's organisation unless `bill_to_id` says otherwise), its events
   in order, and the receipt email, whose recipient, reply address, dedupe key and facts come from steps 1-2.
The first intake of a year finds no sequence; the store creates it (`_create_year_sequence`) and runs the
statement again. A sequence hands out numbers without locking: concurrent intakes (on any number of
instances) never wait for each other's commit. A number is skipped only when the statement fails after
taking it (say, an application deleted a moment before). Ticket numbers are references, not accounting
documents; invoice numbers stay gap-free (billing/numbering).

On SQLite (one writer, the embedded default) the same steps run as separate statements in one transaction,
numbered by the counter row `ticket:<year>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from core.db import generic_plans_db, is_postgres
from support.models import Ticket
from support.numbering import next_value, ticket_number
from support.tickets.intake_sql import CHECKS, bind, postgres_statement, sequence_name, sqlite_statements
from support.tickets.records import NewEvent, NewTicket, Opened, Receipt, Requester


def _db() -> BaseDBAsyncClient:
    """The connection Ticket queries would use now: the open transaction's, if there is one."""
    return Ticket._meta.db


def _intake_db() -> BaseDBAsyncClient:
    """Outside a transaction, PostgreSQL's pool with cached generic plans (core/db.py `generic_plans_db`):
    the intake statement's plan is the same for every ticket. Inside one (an `Idempotency-Key` intake),
    the transaction's own connection."""
    db = _db()
    if isinstance(db, TransactionalDBClient) or not is_postgres(db):
        return db
    return generic_plans_db(db)


def _requester(row: dict[str, Any]) -> Requester:
    return Requester(
        id=row["id"],
        name=row["name"],
        email=row["email"],
        language=str(row["language"]),
        active=bool(row["active"]),
        organisation_id=row["organisation_id"],
        organisation_name=row["organisation_name"],
        organisation_kind=str(row["organisation_kind"]),
    )


def _opened(
    row: dict[str, Any] | None, ticket_id: int | None = None, number: str | None = None, bill_to_id: int | None = None
) -> Opened:
    if row is None:
        return Opened(requester=None)
    return Opened(
        requester=_requester(row),
        ticket_id=ticket_id,
        number=number,
        bill_to_id=bill_to_id,
        may_bill=bool(row["may_bill"]),
        may_name_application=bool(row["may_name_application"]),
    )


async def open_ticket(
    *,
    contact_id: int,
    organisation_scope: int | None,
    ticket: NewTicket,
    events: Sequence[NewEvent],
    receipt: Receipt | None,
) -> Opened:
    """Store a new ticket opened by contact `contact_id` with its events and, unless its dedupe key was
    queued before, its receipt: all or nothing."""
    db = _intake_db()
    bound = bind(contact_id, organisation_scope, ticket, events, receipt)
    shape = (tuple(ticket.columns), len(events), receipt is not None)
    if not is_postgres(db):
        return await _open_sqlite(db, bound, shape)
    statement = postgres_statement(*shape)
    values = statement.values(bound)
    _, rows = await db.execute_query(statement.sql, values)
    row = dict(rows[0]) if rows else None
    if row is not None and row["may_open"] and not row["numbered"]:
        await _create_year_sequence(_db(), bound["year"])
        _, rows = await db.execute_query(statement.sql, values)
        row = dict(rows[0])
    if row is None:
        return Opened(requester=None)
    return _opened(row, row["ticket_id"], row["number"], row["bill_to_id"])


async def _open_sqlite(db: BaseDBAsyncClient, bound: dict[str, Any], shape: tuple[Any, ...]) -> Opened:
    """The same statements one by one in a transaction, numbered by the counter row `ticket:<year>`."""
    statements = sqlite_statements(*shape)
    async with in_transaction(db.connection_name) as tx:
        rows = await tx.execute_query_dict(statements.checks.sql, statements.checks.values(bound))
        if not rows or not all(rows[0][check] for check in CHECKS):
            return _opened(rows[0] if rows else None)
        year = bound["year"]
        bound["number"] = ticket_number(year, await next_value(f"ticket:{year}", conn=tx))
        [stored] = await tx.execute_query_dict(statements.ticket.sql, statements.ticket.values(bound))
        bound["ticket_id"] = stored["id"]
        for statement in (*statements.events, *([statements.receipt] if statements.receipt else [])):
            await tx.execute_query(statement.sql, statement.values(bound))
    return _opened(rows[0], stored["id"], stored["number"], stored["bill_to_id"])


async def _create_year_sequence(db: BaseDBAsyncClient, year: int) -> None:
    """Create the year's sequence. The advisory lock makes concurrent creators wait for the first one (IF NOT
    EXISTS alone still fails when two transactions create it at once). The sequence starts after the year's
    counter row, so numbers handed out before sequences existed are never reused."""
    name = sequence_name(year)
    async with in_transaction(db.connection_name) as tx:
        await tx.execute_query("SELECT pg_advisory_xact_lock(hashtext($1))", [name])
        if (await tx.execute_query_dict("SELECT to_regclass($1::text) AS seq", [name]))[0]["seq"] is None:
            counter = await tx.execute_query_dict(
                "SELECT value FROM support_counter WHERE key = $1", [f"ticket:{year}"]
            )
            start = int(counter[0]["value"]) + 1 if counter else 1
            await tx.execute_script(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {start}")
