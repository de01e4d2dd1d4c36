"""The statements of ticket intake (support/tickets/store.py), built once per shape for either dialect from
the same pieces:
- `r`: the requester and its organisation;
- the checks: whether it may open a ticket, bill the organisation the request names and name the
  application (`may_open`, `may_bill`, `may_name_application`);
- the ticket insert, whose columns are the names of `NewTicket.columns` (one place: the request's fields and
  what intake decided), plus the number and the requester's organisation;
- one insert per event, and the receipt, inserted by notifications (notifications/outbox_sql.py) from SQL
  expressions over the ticket `t` and the requester `r`: the recipient, the dedupe key and reply address
  with the number, and the facts completed with `number`, `organisation_name`, `contact_name`,
  `organisation_id` and `bill_to_id` (support/notify.py renders them).

On PostgreSQL they are the CTEs of one statement (`postgres_statement`): the checks also say whether the
year's sequence exists (`numbered`), `n` takes a number only when every check passed, `t` inserts the ticket,
`e0`, `e1` … its events, each reading the one before so that their ids follow the order given, and `m` the
receipt. SQLite has no data-modifying CTEs: there the same pieces run as separate statements in one
transaction (`sqlite_statements`), `t` reading back the ticket just inserted and the number coming from the
counter row. Parameters are named (`Params`); `bind` gives a call's values by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

import orjson
from pypika_tortoise import AliasedQuery, Table
from pypika_tortoise.functions import Cast, Coalesce
from pypika_tortoise.queries import QueryBuilder
from pypika_tortoise.terms import Bracket, Case, Function, LiteralValue, Term

from core.db import Always, Exists, Params, Statement, concat, json_merge, json_object, json_value, query_class
from notifications.outbox_sql import outbox_insert
from notifications.service import new_message_id, reply_address_affixes
from support.models import Application, Contact, Organisation, PartnerCustomer, Ticket, TicketEvent
from support.numbering import ticket_number_sql
from support.tickets.records import NewEvent, NewTicket, Receipt

R, T = AliasedQuery("r"), AliasedQuery("t")
TICKETS, EVENTS = Table(Ticket._meta.db_table), Table(TicketEvent._meta.db_table)
CHECKS = ("may_open", "may_bill", "may_name_application")


def sequence_name(year: int) -> str:
    """The year's ticket-number sequence: `support_ticket_number_2026`."""
    return f"support_ticket_number_{int(year)}"


_EVENT_FIELDS = tuple(field.name for field in fields(NewEvent))
EVENT_COLUMNS = (*_EVENT_FIELDS, "created_at")


@lru_cache(maxsize=8)
def _event_names(index: int) -> tuple[str, ...]:
    """The parameters of event `index`, in `EVENT_COLUMNS` order."""
    return tuple(f"e{index}_{name}" for name in EVENT_COLUMNS)


def requester(p: Params) -> QueryBuilder:
    c, o = Table(Contact._meta.db_table).as_("c"), Table(Organisation._meta.db_table).as_("o")
    return (
        query_class(postgres=p.postgres)
        .from_(c)
        .join(o)
        .on(o.id == c.organisation_id)
        .select(
            c.id,
            c.name,
            c.email,
            c.language,
            c.active,
            c.organisation_id,
            o.name.as_("organisation_name"),
            o.kind.as_("organisation_kind"),
        )
        .where(c.id == p("contact_id", "INT"))
    )


def checks(p: Params) -> QueryBuilder:
    """The requester `r` with what it may do. It may open a ticket when active and inside the integrator's
    own organisation (`scope`, NULL for staff); bill its own organisation or a customer its organisation is
    recorded to act for (support/partners.py); name an application of either of those two organisations."""
    q = query_class(postgres=p.postgres)
    scope, bill_to, application = p("scope", "INT"), p("bill_to_id", "INT"), p("application_id", "INT")
    pc, a = Table(PartnerCustomer._meta.db_table), Table(Application._meta.db_table)
    billed = Coalesce(bill_to, R.organisation_id)
    may_open = R.active & (scope.isnull() | (R.organisation_id == scope))
    may_bill = (
        bill_to.isnull()
        | (bill_to == R.organisation_id)
        | Exists(q.from_(pc).select(1).where((pc.partner_id == R.organisation_id) & (pc.customer_id == bill_to)))
    )
    may_name_application = application.isnull() | Exists(
        q.from_(a).select(1).where((a.id == application) & a.organisation_id.isin([R.organisation_id, billed]))
    )
    query = q.from_(R).select(
        R.star,
        Bracket(may_open).as_("may_open"),
        Bracket(may_bill).as_("may_bill"),
        Bracket(may_name_application).as_("may_name_application"),
    )
    if p.postgres:
        query = query.select(Function("to_regclass", p("sequence", "TEXT")).notnull().as_("numbered"))
    return query


def ticket_insert(p: Params, columns: Sequence[str], number: Term, sources: Sequence[AliasedQuery]) -> QueryBuilder:
    """The ticket: the named columns from parameters, billed to the requester's organisation unless the
    request names another."""
    derived: dict[str, Term] = {
        "number": number,
        "requester_id": R.id,
        "organisation_id": R.organisation_id,
        "bill_to_id": Coalesce(p("bill_to_id", "INT"), R.organisation_id),
    }
    names = ["number", "requester_id", "organisation_id", *(name for name in columns if name not in derived)]
    insert: Any = query_class(postgres=p.postgres).into(TICKETS).columns(*names, "bill_to_id")
    for source in sources:
        insert = insert.from_(source)
    values = [derived[name] if name in derived else p(name) for name in names]
    return insert.select(*values, derived["bill_to_id"]).returning("id", "number", "bill_to_id")


def event_insert(p: Params, index: int, after: AliasedQuery | None) -> QueryBuilder:
    values = [
        json_value(p(param), postgres=p.postgres) if column == "data" else p(param)
        for column, param in zip(EVENT_COLUMNS, _event_names(index), strict=True)
    ]
    insert = query_class(postgres=p.postgres).into(EVENTS).columns("ticket_id", *EVENT_COLUMNS).from_(T)
    if after is not None:
        insert = insert.from_(after)
    return insert.select(T.id, *values)


def receipt_insert(p: Params) -> QueryBuilder:
    """The receipt to the requester, in its language, at the address validated when the contact was saved."""
    facts = json_object(
        {
            "number": T.number,
            "organisation_name": R.organisation_name,
            "contact_name": R.field("name"),
            "organisation_id": R.organisation_id,
            "bill_to_id": T.bill_to_id,
        },
        postgres=p.postgres,
    )
    email = {
        "dedupe_key": concat(p("key_prefix", "TEXT"), T.number, p("key_suffix", "TEXT")),
        "message_id": p("message_id"),
        "template": p("template"),
        "language": R.language,
        "to_email": R.email,
        "to_name": Function("substr", R.field("name"), 1, 200),
        "reply_to": concat(p("reply_prefix", "TEXT"), T.number, p("reply_suffix", "TEXT")),
        "context": json_object({"facts": json_merge(p("facts"), facts, postgres=p.postgres)}, postgres=p.postgres),
        "queued_at": p("created_at"),
    }
    return outbox_insert(email, sources=(T, R), postgres=p.postgres)


@lru_cache(maxsize=16)
def postgres_statement(columns: tuple[str, ...], event_count: int, with_receipt: bool) -> Statement:
    """The intake as one PostgreSQL statement (see the module docstring)."""
    p = Params(postgres=True)
    q = query_class(postgres=True)
    g, n = AliasedQuery("g"), AliasedQuery("n")
    may_number = g.may_open & g.may_bill & g.may_name_application & g.numbered
    take = (
        q.from_(g)
        .select(Case().when(g.numbered, Function("nextval", Cast(p("sequence", "TEXT"), "regclass"))).as_("value"))
        .where(may_number)
    )
    number = LiteralValue(ticket_number_sql(f"{p.marker('year')}::int", '"n"."value"'))
    statement = (
        q.with_(requester(p), "r")
        .with_(checks(p), "g")
        .with_(take, "n")
        .with_(ticket_insert(p, columns, number, (R, n)), "t")
    )
    previous: AliasedQuery | None = None
    for index in range(event_count):
        event: Any = event_insert(p, index, previous)
        statement = statement.with_(event.returning("id"), f"e{index}")
        previous = AliasedQuery(f"e{index}")
    if with_receipt:
        statement = statement.with_(receipt_insert(p), "m")
    statement = (
        statement.from_(g).left_join(T).on(Always()).select(g.star, T.id.as_("ticket_id"), T.number, T.bill_to_id)
    )
    return p.statement(statement)


@dataclass(frozen=True)
class SqliteStatements:
    checks: Statement
    ticket: Statement
    events: tuple[Statement, ...]
    receipt: Statement | None


@lru_cache(maxsize=16)
def sqlite_statements(columns: tuple[str, ...], event_count: int, with_receipt: bool) -> SqliteStatements:
    """The intake as SQLite statements, run in order in one transaction (see the module docstring)."""
    q = query_class(postgres=False)

    def ctes(p: Params, ticket: bool) -> list[tuple[QueryBuilder, str]]:
        """The requester `r` and, for the rows that follow the ticket, the ticket `t` just inserted."""
        head = [(requester(p), "r")]
        if ticket:
            row = q.from_(TICKETS).select("id", "number", "bill_to_id").where(TICKETS.id == p("ticket_id"))
            head.append((row, "t"))
        return head

    def built(piece: Any, *args: Any, ticket: bool = False) -> Statement:
        p = Params(postgres=False)
        query = piece(p, *args)
        for cte, name in ctes(p, ticket):
            query = query.with_(cte, name)
        return p.statement(query)

    return SqliteStatements(
        checks=built(checks),
        ticket=built(lambda p: ticket_insert(p, columns, p("number"), (R,))),
        events=tuple(built(event_insert, index, None, ticket=True) for index in range(event_count)),
        receipt=built(receipt_insert, ticket=True) if with_receipt else None,
    )


def bind(
    contact_id: int,
    organisation_scope: int | None,
    ticket: NewTicket,
    events: Sequence[NewEvent],
    receipt: Receipt | None,
) -> dict[str, Any]:
    """Every parameter of the intake statements, by name."""
    created_at = ticket.columns["created_at"]
    bound: dict[str, Any] = {
        "contact_id": contact_id,
        "scope": organisation_scope,
        "sequence": sequence_name(created_at.year),
        "year": created_at.year,
        **ticket.columns,
    }
    for index, event in enumerate(events):
        row = {name: getattr(event, name) for name in _EVENT_FIELDS}
        row.update(data=None if event.data is None else orjson.dumps(event.data).decode(), created_at=created_at)
        bound.update(zip(_event_names(index), row.values(), strict=True))
    if receipt is not None:
        reply_prefix, reply_suffix = reply_address_affixes()
        bound.update(
            message_id=new_message_id(),
            template=receipt.template,
            facts=orjson.dumps(receipt.facts).decode(),
            key_prefix=receipt.key_affixes[0],
            key_suffix=receipt.key_affixes[1],
            reply_prefix=reply_prefix,
            reply_suffix=reply_suffix,
        )
    return bound
