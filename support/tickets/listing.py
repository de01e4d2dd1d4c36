"""What a ticket list asks for, decided once, and the one statement that reads it on either database.

`TicketFilter.of` turns the request (`TicketQuery`) and the caller into plain conditions; every business rule
of the list lives there:
- an integrator sees only tickets its organisation opened or is billed for (`scope`, `opened_or_billed`);
- `organisation_id` matches the opening or the billed organisation;
- `created_to` is a whole day: the filter ends before the next midnight (UTC);
- someone typing a ticket number (`SUP-2026-00042`, or a prefix such as `SUP-2025`) means the number, not a
  text search over every body; anything else in `q` searches number, subject and body, case-insensitively;
- the order is newest first by id, and the keyset cursor is the last id seen (core/pagination.py).

Then one statement reads it, built with pypika for whichever database is connected (`statement`): the
same conditions and order on PostgreSQL and SQLite, with the exact expressions the PostgreSQL indexes were
built on (support/tickets/search.py). Its rows go to the response as they are, without the ORM's per-value
conversion (bench/README.md has the measurements). Equality filters are the list's query fields that are
ticket columns (`equal_filters`): a new such field in `TicketQuery` filters the list with no change here.
tests/support/test_ticket_filter.py holds the pages to a reference that filters every row in Python.

A closed date range (March) or a year's numbers (`SUP-2025`) lie deep in the history: walking the id index
back from the newest ticket would pass over everything after them. Ordering by `id + 0` instead lets
PostgreSQL read just those rows through the (created_at, id) or number-year index and sort them; same order,
same cursor. For a closed range the statement sorts only ids, taken from the (created_at, id) index without
touching the table, and then reads the page's rows, so the sort never reads whole rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache
from typing import Any

from pypika_tortoise import Order, Table
from pypika_tortoise.enums import SqlTypes
from pypika_tortoise.functions import Cast, Upper
from pypika_tortoise.queries import QueryBuilder
from pypika_tortoise.terms import Criterion, LiteralValue, Term, ValueWrapper
from tortoise.expressions import ResolveContext
from tortoise.filters import Like, escape_like

from core.auth import Principal
from core.db import Params, Statement, query_class
from core.pagination import decode_cursor
from support import access
from support.access import opened_or_billed
from support.models import Ticket
from support.tickets import search
from support.tickets.schemas import TicketQuery, TicketSummary

TICKET_NUMBER_QUERY = re.compile(r"^\s*SUP-\d{2,4}(-\d{1,7})?\s*$", re.IGNORECASE)  # past five digits too
SUMMARY_COLUMNS = tuple(TicketSummary.model_fields)
TICKETS = Table(Ticket._meta.db_table)
SPECIAL_FILTERS = frozenset({"organisation_id"})  # opened by or billed to: `opened_or_billed`
BOUND_AS_IS = tuple("scope organisation_id number created_from created_before number_year before_id fetch".split())
"""The conditions the statement binds as they are; the patterns of `number_prefix` and `text` are built."""


@cache
def equal_filters() -> tuple[str, ...]:
    """The list's query fields that are ticket columns, matched by equality (once the models are set up)."""
    return tuple(
        name
        for name in TicketQuery.model_fields
        if name in Ticket._meta.fields_db_projection.values() and name not in SPECIAL_FILTERS
    )


@cache
def _datetime_columns() -> tuple[str, ...]:
    return tuple(name for name in SUMMARY_COLUMNS if Ticket._meta.fields_map[name].field_type is dt.datetime)


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """Conditions of one ticket list; None means "not filtered on"."""

    scope: int | None  # the caller's organisation (integrators); None: all tickets
    equal: tuple[tuple[str, Any], ...] = ()  # column = value, from `equal_filters`
    organisation_id: int | None = None  # opened by or billed to
    created_from: dt.datetime | None = None  # inclusive
    created_before: dt.datetime | None = None  # exclusive
    number: str | None = None  # exactly this ticket number
    number_prefix: str | None = None
    number_year: str | None = None  # PostgreSQL only: the year part of the number, served by its index
    text: str | None = None  # substring of number, subject or body, any case
    order_by_expression: bool = False  # order by `id + 0` (see the module docstring)
    before_id: int | None = None  # the cursor: ids below this one
    fetch: int = 51  # the page size plus one, to know whether there is a next page
    postgres: bool = False  # the dialect `statement` renders

    @classmethod
    def of(cls, principal: Principal, query: TicketQuery, *, postgres: bool) -> TicketFilter:
        number = number_prefix = number_year = text = None
        order_by_expression = query.created_to is not None
        if query.q and TICKET_NUMBER_QUERY.match(query.q):
            wanted = query.q.strip().upper()
            if wanted.count("-") == 2:
                number = wanted
            else:
                number_prefix = wanted
                year = wanted.split("-")[1]
                if len(year) == 4 and postgres:  # SQLite has no split_part; it scans
                    number_year, order_by_expression = year, True
        elif query.q:
            text = query.q
        equal = tuple(
            (name, value.value if isinstance(value, Enum) else value)
            for name in equal_filters()
            if (value := getattr(query, name)) is not None
        )
        return cls(
            scope=access.ticket_scope(principal),
            equal=equal,
            organisation_id=query.organisation_id,
            created_from=None if query.created_from is None else _midnight(query.created_from),
            created_before=_day_after(query.created_to),
            number=number,
            number_prefix=number_prefix,
            number_year=number_year,
            text=text,
            order_by_expression=order_by_expression,
            before_id=None if query.cursor is None else decode_cursor(query.cursor),
            fetch=query.limit + 1,
            postgres=postgres,
        )

    async def rows(self) -> list[dict[str, Any]]:
        """The matching tickets' `TicketSummary` fields, newest first, at most `fetch` of them."""
        sql, values = self.statement()
        _, records = await Ticket._meta.db.execute_query(sql, values)
        rows = [dict(record) for record in records]
        if not self.postgres:  # SQLite returns datetimes as text
            for row in rows:
                for name in _datetime_columns():
                    row[name] = Ticket._meta.fields_map[name].to_python_value(row[name])
        return rows

    def statement(self) -> tuple[str, list[Any]]:
        """The statement and its parameters; its rows are `TicketSummary` fields. The SQL is built once per
        shape (which conditions are present); only the values change from list to list."""
        bound: dict[str, Any] = {f"equal_{name}": value for name, value in self.equal}
        bound.update({name: getattr(self, name) for name in BOUND_AS_IS})
        bound.update(
            number_prefix=None if self.number_prefix is None else escape_like(self.number_prefix) + "%",
            text=None if self.text is None else f"%{escape_like(self.text)}%",
        )
        shape = _Shape(
            self.postgres,
            tuple(name for name, _ in self.equal),
            self.order_by_expression,
            frozenset(name for name, value in bound.items() if value is not None),
        )
        statement = _statement(shape)
        return statement.sql, statement.values(bound)


@dataclass(frozen=True, slots=True)
class _Shape:
    postgres: bool
    equal: tuple[str, ...]
    order_by_expression: bool
    present: frozenset[str]  # the parameters that have a value


@lru_cache(maxsize=512)
def _statement(shape: _Shape) -> Statement:
    p, t = Params(postgres=shape.postgres), TICKETS
    q = query_class(postgres=shape.postgres)
    order = t.id + LiteralValue(0) if shape.order_by_expression else t.id
    where: list[Any] = [t.field(name) == p(f"equal_{name}") for name in shape.equal]
    where += [_scope(p(name)) for name in ("scope", "organisation_id") if name in shape.present]
    conditions: dict[str, Callable[[], Any]] = {
        "number": lambda: t.number == p("number"),
        "created_from": lambda: t.created_at >= p("created_from"),
        "created_before": lambda: t.created_at < p("created_before"),
        "number_prefix": lambda: Like(Cast(t.number, SqlTypes.VARCHAR), p("number_prefix")),
        "number_year": lambda: LiteralValue(search.NUMBER_YEAR) == p("number_year"),
        # Tortoise's `icontains`: the expressions of the trigram indexes
        "text": lambda: Criterion.any(
            [
                Like(Upper(Cast(t.field(column), SqlTypes.VARCHAR)), Upper(p("text")))
                for column in search.SEARCHED_COLUMNS
            ]
        ),
        "before_id": lambda: order < p("before_id"),
    }
    where += [condition() for name, condition in conditions.items() if name in shape.present]
    page: QueryBuilder = (
        q.from_(t).where(Criterion.all(where)).orderby(order, order=Order.desc).limit(LiteralValue(p.marker("fetch")))
    )
    if "created_before" not in shape.present:
        return p.statement(page.select(*SUMMARY_COLUMNS))
    # A closed range: pick the page's ids from the (created_at, id) index alone, then read those rows.
    return p.statement(
        q.from_(t).select(*SUMMARY_COLUMNS).where(t.id.isin(page.select(t.id))).orderby(t.id, order=Order.desc)
    )


_SENTINEL = -(2**31) + 7  # an organisation id no row has, standing in for the parameter while resolving


def _scope(organisation: Term) -> Criterion:
    """`opened_or_billed` as a criterion of the statement with the organisation a parameter: the Tortoise
    condition is resolved once with a stand-in id, which is then replaced by the parameter."""
    context = ResolveContext(model=Ticket, table=TICKETS, annotations={}, custom_filters={})
    criterion: Criterion = opened_or_billed(_SENTINEL).resolve(context).where_criterion
    nodes: Iterator[Any] = criterion.nodes_()
    for node in nodes:
        if isinstance(node, ValueWrapper) and node.value == _SENTINEL:
            node.value = organisation
    return criterion


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _day_after(day: dt.date | None) -> dt.datetime | None:
    """The exclusive end of a range that includes `day`; none after the last day there is (9999-12-31)."""
    if day is None or day == dt.date.max:
        return None
    return _midnight(day + dt.timedelta(days=1))
