"""Storage for ticket intake, the hottest write path: the ticket, its first events and its receipt email,
written together with the requester look-up and the number.

On PostgreSQL an intake is one statement (support/tickets/intake_sql.py), one round trip, no explicit transaction (a
single statement is atomic on its own, so every row commits together or none does). Its CTEs
1. read the requester and its organisation, and whether it may open a ticket (active, and inside the
   integrator's own organisation when the caller is one), bill the organisation the request names (its own,
   or a customer its organisation is recorded to act for: support/partners.py) and name the application
   (one of those two organisations');
2. only then take the next number of the year's sequence (`support_ticket_number_<year>`);
3. insert the ticket (billed to the requester's organisation unless `bill_to_id` says otherwise), its events
   in order, and the receipt email, whose recipient, reply address, dedupe key and facts come from steps 1-2.
The first intake of a year finds no sequence; the store creates it (`_create_year_sequence`) and runs the
statement again. A sequence hands out numbers without locking: concurrent intakes (on any number of
instances) never wait for each other's commit, as they did on a counter row. A number is skipped only when
the statement fails after taking it (say, an application deleted a moment before). Ticket numbers are
references, not accounting documents; invoice numbers stay gap-free (billing/numbering).

On SQLite (one writer, the embedded default) the ORM writes the same rows in one transaction, numbered by
the counter row `ticket:<year>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from core.db import generic_plans_db, is_postgres
from notifications.models import OutboxMessage
from support.models import Application, PartnerCustomer, Ticket, TicketEvent
from support.numbering import next_value, ticket_number
from support.tickets.intake_sql import (
    EVENT_COLUMNS,
    REQUESTER_COLUMNS,
    TICKET_FIELDS,
    intake_statement,
    intake_values,
    sequence_name,
)
from support.tickets.records import NewEvent, NewTicket, Opened, Receipt, Requester


def _db() -> BaseDBAsyncClient:
    """The connection Ticket queries would use now: the open transaction's, if there is one."""
    return Ticket._meta.db


def _intake_db() -> BaseDBAsyncClient:
    """Outside a transaction, PostgreSQL's pool with cached generic plans (tripdesk/db.py `generic_plans_db`):
    the intake statement's plan is the same for every ticket. Inside one (an `Idempotency-Key` intake),
    the transaction's own connection."""
    db = _db()
    if isinstance(db, TransactionalDBClient) or not is_postgres(db):
        return db
    return generic_plans_db(db)


def _requester(row: dict[str, Any]) -> Requester:
    return Requester(id=row["id"], name=row["name"], email=row["email"], language=str(row["language"]),
                     active=bool(row["active"]), organisation_id=row["organisation_id"],
                     organisation_name=row["organisation_name"], organisation_kind=str(row["organisation_kind"]))


async def open_ticket(*, contact_id: int, organisation_scope: int | None, ticket: NewTicket,
                      events: Sequence[NewEvent], receipt: Receipt | None) -> Opened:
    """Store a new ticket opened by contact `contact_id` with its events and, unless its dedupe key was
    queued before, its receipt: all or nothing."""
    db = _intake_db()
    if not is_postgres(db):
        return await _open_generic(db, contact_id, organisation_scope, ticket, events, receipt)
    values = intake_values(contact_id, organisation_scope, ticket, events, receipt)
    sql = intake_statement(len(events), receipt is not None)
    _, rows = await db.execute_query(sql, values)
    row = rows[0] if rows else None
    if row is not None and row["may_open"] and not row["numbered"]:
        await _create_year_sequence(_db(), ticket.created_at.year)
        _, rows = await db.execute_query(sql, values)
        row = rows[0]
    if row is None:
        return Opened(requester=None)
    return Opened(requester=_requester(dict(row)), ticket_id=row["ticket_id"], number=row["number"],
                  bill_to_id=row["bill_to_id"], may_bill=row["may_bill"],
                  may_name_application=row["may_name_application"])


async def _open_generic(db: BaseDBAsyncClient, contact_id: int, organisation_scope: int | None,
                        ticket: NewTicket, events: Sequence[NewEvent], receipt: Receipt | None) -> Opened:
    async with in_transaction(db.connection_name) as tx:
        rows = await tx.execute_query_dict(f"SELECT {REQUESTER_COLUMNS} WHERE c.id = ?", [contact_id])
        if not rows:
            return Opened(requester=None)
        requester = _requester(rows[0])
        if not requester.may_open(organisation_scope):
            return Opened(requester=requester)
        bill_to_id = ticket.bill_to_id or requester.organisation_id
        may_bill = bill_to_id == requester.organisation_id or await PartnerCustomer.filter(
            partner_id=requester.organisation_id, customer_id=bill_to_id).using_db(tx).exists()
        may_name_application = ticket.application_id is None or await Application.filter(
            id=ticket.application_id, organisation_id__in=(requester.organisation_id, bill_to_id),
        ).using_db(tx).exists()
        if not (may_bill and may_name_application):
            return Opened(requester=requester, may_bill=may_bill, may_name_application=may_name_application)
        year = ticket.created_at.year
        number = ticket_number(year, await next_value(f"ticket:{year}", conn=tx))
        stored = await Ticket.create(
            using_db=tx, number=number, requester_id=requester.id, organisation_id=requester.organisation_id,
            bill_to_id=bill_to_id, updated_at=ticket.created_at,
            **{name: getattr(ticket, name) for name in TICKET_FIELDS if name != "bill_to_id"})
        await TicketEvent.bulk_create(
            [TicketEvent(ticket_id=stored.id, created_at=ticket.created_at,
                         **{name: getattr(e, name) for name in EVENT_COLUMNS[:-1]}) for e in events],
            using_db=tx)
        if receipt is not None:
            email = receipt.email(number=number, requester=requester, bill_to_id=bill_to_id)
            await OutboxMessage.bulk_create([email.to_model()], ignore_conflicts=True, using_db=tx)
    return Opened(requester=requester, ticket_id=stored.id, number=number, bill_to_id=bill_to_id)


async def _create_year_sequence(db: BaseDBAsyncClient, year: int) -> None:
    """Create the year's sequence. The advisory lock makes concurrent creators wait for the first one (IF NOT
    EXISTS alone still fails when two transactions create it at once). The sequence starts after the year's
    counter row, so numbers handed out before sequences existed are never reused."""
    name = sequence_name(year)
    async with in_transaction(db.connection_name) as tx:
        await tx.execute_query("SELECT pg_advisory_xact_lock(hashtext($1))", [name])
        if (await tx.execute_query_dict("SELECT to_regclass($1::text) AS seq", [name]))[0]["seq"] is None:
            counter = await tx.execute_query_dict("SELECT value FROM support_counter WHERE key = $1",
                                                  [f"ticket:{year}"])
            start = int(counter[0]["value"]) + 1 if counter else 1
            await tx.execute_script(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {start}")
