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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import JSONField
from tortoise.models import Model
from tortoise.transactions import in_transaction

from notifications.models import OutboxMessage
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
def _columns(instance: Model, *, skip: Sequence[str] = ()) -> tuple[list[str], list[Any]]:
    """The instance's columns and database values as the ORM would insert them (auto_now stamps, enums,
    JSON encoding), primary key left to the database."""
    meta = instance._meta
    columns: list[str] = []
    values: list[Any] = []
    for name, column in meta.fields_db_projection.items():
        field = meta.fields_map[name]
        if field.pk or column in skip:
            continue
        columns.append(column)
        values.append(field.to_db_value(getattr(instance, name), instance))
    return columns, values


class _Params:
    """Numbered placeholders ($1, $2, …) for one statement."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any, cast: str = "") -> str:
        self.values.append(value)
        return f"${len(self.values)}{cast}"


def _casts(model: type[Model]) -> dict[str, str]:
    """JSON columns take their text through an explicit cast (asyncpg's json codec expects text)."""
    return {column: "::jsonb" for name, column in model._meta.fields_db_projection.items()
            if isinstance(model._meta.fields_map[name], JSONField)}


async def insert_ticket(*, ticket: Ticket, events: Sequence[TicketEvent], email: OutboxMessage | None) -> Ticket:
    """Store a new ticket with its events (their `ticket_id` is filled in) and, unless its dedupe key was
    queued before, its receipt email: all or nothing."""
    db = _db()
    if not _is_postgres(db):
        async with in_transaction(db.connection_name):
            await ticket.save()
            for event in events:
                event.ticket_id = ticket.id  # type: ignore[attr-defined]
            await TicketEvent.bulk_create(list(events))
            if email is not None:
                await OutboxMessage.bulk_create([email], ignore_conflicts=True)
        return ticket

    params = _Params()
    columns, values = _columns(ticket)
    ticket_casts = _casts(Ticket)
    ctes = [f"t AS (INSERT INTO {Ticket._meta.db_table} ({', '.join(columns)}) VALUES "
            f"({', '.join(params.add(v, ticket_casts.get(c, '')) for c, v in zip(columns, values, strict=True))}) "
            "RETURNING id)"]
    event_casts = _casts(TicketEvent)
    for index, event in enumerate(events):
        columns, values = _columns(event, skip=("ticket_id",))
        placeholders = ", ".join(params.add(v, event_casts.get(c, "")) for c, v in zip(columns, values, strict=True))
        # each event reads the one before it, so they are inserted (and their ids assigned) in order
        after = f", e{index - 1}" if index else ""
        ctes.append(f"e{index} AS (INSERT INTO {TicketEvent._meta.db_table} (ticket_id, {', '.join(columns)}) "
                    f"SELECT t.id, {placeholders} FROM t{after} RETURNING id)")
    if email is not None:
        columns, values = _columns(email)
        outbox_casts = _casts(OutboxMessage)
        placeholders = ", ".join(params.add(v, outbox_casts.get(c, "")) for c, v in zip(columns, values, strict=True))
        ctes.append(f"m AS (INSERT INTO {OutboxMessage._meta.db_table} ({', '.join(columns)}) "
                    f"VALUES ({placeholders}) ON CONFLICT (dedupe_key) DO NOTHING)")
    rows = await db.execute_query_dict(f"WITH {', '.join(ctes)} SELECT id FROM t", params.values)
    ticket.id = rows[0]["id"]
    ticket._saved_in_db = True
    for event in events:
        event.ticket_id = ticket.id  # type: ignore[attr-defined]
    return ticket
