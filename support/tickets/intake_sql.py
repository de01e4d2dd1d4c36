"""The PostgreSQL intake statement of support/tickets/store.py: its SQL, generated once per shape, and its
parameters. Its CTEs read the requester (`r`), decide whether it may open a ticket, bill the organisation
and name the application the request names, and whether the year's sequence exists (`g`), take a number only
then (`n`), and insert the ticket (`t`), its events in order (`e0`, `e1`, …) and the receipt (`m`, skipped
when its dedupe key was queued before). The receipt row it builds is the one `records.Receipt.email`
builds on SQLite: a change to one is a change to the other (tests/support and tests/notifications assert the
same rows on both backends).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson

from notifications.service import new_message_id, reply_address_affixes
from support.numbering import ticket_number_sql

if TYPE_CHECKING:
    from support.tickets.records import NewEvent, NewTicket, Receipt

REQUESTER_COLUMNS = """c.id, c.name, c.email, c.language, c.active, c.organisation_id,
       o.name AS organisation_name, o.kind AS organisation_kind
FROM support_contact c JOIN support_organisation o ON o.id = c.organisation_id"""


def sequence_name(year: int) -> str:
    """The year's ticket-number sequence: `support_ticket_number_2026`."""
    return f"support_ticket_number_{int(year)}"


TICKET_FIELDS = ("subject", "body", "bill_to_id", "application_id", "category", "classification_state",
                  "classification_confidence", "status", "licence_warning", "created_at")
EVENT_COLUMNS = ("kind", "actor", "actor_token_id", "from_value", "to_value", "reason", "data", "created_at")
_RECEIPT_PARAMS = ("message_id", "template", "facts", "key_prefix", "key_suffix", "reply_prefix",
                   "reply_suffix", "queued_at")


def intake_values(contact_id: int, organisation_scope: int | None, ticket: NewTicket,
                  events: Sequence[NewEvent], receipt: Receipt | None) -> list[Any]:
    """Parameters in the order `intake_statement` numbers them."""
    values: list[Any] = [contact_id, organisation_scope, sequence_name(ticket.created_at.year),
                         ticket.created_at.year]
    values += [getattr(ticket, name) for name in TICKET_FIELDS]
    for event in events:
        values += [event.kind, event.actor, event.actor_token_id, event.from_value, event.to_value, event.reason,
                   None if event.data is None else orjson.dumps(event.data).decode(), ticket.created_at]
    if receipt is not None:
        reply_prefix, reply_suffix = reply_address_affixes()
        values += [new_message_id(), receipt.template, orjson.dumps(receipt.facts).decode(),
                   *receipt.key_affixes, reply_prefix, reply_suffix, ticket.created_at]
    return values


def may_bill_sql(bill_to: str) -> str:
    """Whether requester `r` may bill organisation `bill_to` (a parameter; NULL: its own): its own, or a
    customer its organisation is recorded to act for (support/partners.py)."""
    return (f"({bill_to}::int IS NULL OR {bill_to}::int = r.organisation_id OR EXISTS (SELECT 1 FROM "
            "support_partner_customer pc WHERE pc.partner_id = r.organisation_id "
            f"AND pc.customer_id = {bill_to}::int))")


def may_name_application_sql(application: str, bill_to: str) -> str:
    """Whether requester `r` may name `application`: one of its own organisation's or the billed one's."""
    return (f"({application}::int IS NULL OR EXISTS (SELECT 1 FROM support_application a WHERE a.id = "
            f"{application}::int AND a.organisation_id IN (r.organisation_id, COALESCE({bill_to}::int, "
            "r.organisation_id))))")


@lru_cache(maxsize=8)
def intake_statement(event_count: int, with_receipt: bool) -> str:
    """The intake statement (see the module docstring). Events read the one before them, so their ids follow
    the order given; the receipt is skipped when its dedupe key was queued before."""
    n = itertools.count(5)
    p = {name: f"${next(n)}" for name in TICKET_FIELDS}
    ticket_values = ", ".join(f"COALESCE({p[c]}::int, r.organisation_id)" if c == "bill_to_id" else p[c]
                              for c in TICKET_FIELDS)
    ctes = [
        f"r AS (SELECT {REQUESTER_COLUMNS.replace(chr(10), ' ')} WHERE c.id = $1)",
        "g AS (SELECT r.*, r.active AND ($2::int IS NULL OR r.organisation_id = $2::int) AS may_open,"
        f" {may_bill_sql(p['bill_to_id'])} AS may_bill,"
        f" {may_name_application_sql(p['application_id'], p['bill_to_id'])} AS may_name_application,"
        " to_regclass($3::text) IS NOT NULL AS numbered FROM r)",
        "n AS (SELECT CASE WHEN g.numbered THEN nextval($3::text::regclass) END AS value FROM g"
        " WHERE g.may_open AND g.may_bill AND g.may_name_application AND g.numbered)",
        f"t AS (INSERT INTO support_ticket (number, requester_id, organisation_id, updated_at, "
        f"{', '.join(TICKET_FIELDS)}) SELECT {ticket_number_sql('$4::int', 'n.value')}, r.id, r.organisation_id, "
        f"{p['created_at']}, {ticket_values} FROM r CROSS JOIN n RETURNING id, number, bill_to_id)",
    ]
    for index in range(event_count):
        values = ", ".join(f"${next(n)}" + ("::jsonb" if c == "data" else "") for c in EVENT_COLUMNS)
        after = f", e{index - 1}" if index else ""
        ctes.append(f"e{index} AS (INSERT INTO support_ticket_event (ticket_id, {', '.join(EVENT_COLUMNS)}) "
                    f"SELECT t.id, {values} FROM t{after} RETURNING id)")
    if with_receipt:
        q = {name: f"${next(n)}" for name in _RECEIPT_PARAMS}
        facts = (f"jsonb_build_object('facts', {q['facts']}::jsonb || jsonb_build_object('number', t.number, "
                 "'organisation_name', r.organisation_name, 'contact_name', r.name, "
                 "'organisation_id', r.organisation_id, 'bill_to_id', t.bill_to_id))")
        ctes.append(
            "m AS (INSERT INTO notifications_outbox (dedupe_key, message_id, template, language, to_email, "
            "to_name, reply_to, context, status, attempts, next_attempt_at, created_at) "
            f"SELECT {q['key_prefix']} || t.number || {q['key_suffix']}, {q['message_id']}, {q['template']}, "
            f"r.language, r.email, left(r.name, 200), {q['reply_prefix']} || t.number || {q['reply_suffix']}, "
            f"{facts}, 'pending', 0, {q['queued_at']}, {q['queued_at']} FROM t CROSS JOIN r "
            "ON CONFLICT (dedupe_key) DO NOTHING)")
    return (f"WITH {', '.join(ctes)} SELECT g.*, t.id AS ticket_id, t.number, t.bill_to_id "
            "FROM g LEFT JOIN t ON true")
