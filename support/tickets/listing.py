"""What a ticket list asks for, decided once, and the two ways it is read from the database.

`TicketFilter.of` turns the request (`TicketQuery`) and the caller into plain conditions; every business rule
of the list lives there:
- an integrator sees only tickets its organisation opened or is billed for (`scope`);
- `organisation_id` matches the opening or the billed organisation;
- `created_to` is a whole day: the filter ends before the next midnight (UTC);
- someone typing a ticket number (`SUP-2026-00042`, or a prefix such as `SUP-2025`) means the number, not a
  text search over every body; anything else in `q` searches number, subject and body, case-insensitively;
- the order is newest first by id, and the keyset cursor is the last id seen (core/pagination.py).

Then it is read one of two ways, with the same conditions and the same order:
- `queryset()`: Tortoise, on SQLite (the single-user default);
- `postgres_statement()`: one SQL statement on PostgreSQL, with the exact expressions the indexes were built
  on (support/tickets/search.py). The ORM spends much of a page building the query and converting each value back;
  the statement's rows go to the response as they are (bench/README.md has the measurements).
  tests/support/test_ticket_filter.py runs a matrix of filters through both readers on PostgreSQL and
  compares the pages.

A closed date range (March) or a year's numbers (`SUP-2025`) lie deep in the history: walking the id index
back from the newest ticket would pass over everything after them. Ordering by `id + 0` instead lets
PostgreSQL read just those rows through the (created_at, id) or number-year index and sort them; same order,
same cursor. For a closed range the statement sorts only ids, taken from the (created_at, id) index without
touching the table, and then reads the page's rows, so the sort never reads whole rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import F, Q, RawSQL
from tortoise.filters import escape_like
from tortoise.queryset import QuerySet

from core.auth import Principal
from core.pagination import decode_cursor
from support import access
from support.access import OPENED_OR_BILLED_SQL as _OPENED_OR_BILLED
from support.access import opened_or_billed
from support.models import Ticket
from support.tickets import search
from support.tickets.schemas import TicketQuery, TicketSummary

TICKET_NUMBER_QUERY = re.compile(r"^\s*SUP-\d{2,4}(-\d{1,7})?\s*$", re.IGNORECASE)  # past five digits too
SUMMARY_COLUMNS = tuple(TicketSummary.model_fields)


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """Conditions of one ticket list; None means "not filtered on"."""

    scope: int | None                    # the caller's organisation (integrators); None: all tickets
    status: str | None = None
    category: str | None = None
    organisation_id: int | None = None   # opened by or billed to
    assignee_id: int | None = None
    created_from: dt.datetime | None = None   # inclusive
    created_before: dt.datetime | None = None  # exclusive
    number: str | None = None            # exactly this ticket number
    number_prefix: str | None = None
    number_year: str | None = None       # PostgreSQL only: the year part of the number, served by its index
    text: str | None = None              # substring of number, subject or body, any case
    order_by_expression: bool = False    # order by `id + 0` (see the module docstring)
    before_id: int | None = None         # the cursor: ids below this one
    fetch: int = 51                      # the page size plus one, to know whether there is a next page
    postgres: bool = False               # which reader `rows` uses

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
        return cls(
            scope=access.ticket_scope(principal),
            status=None if query.status is None else query.status.value,
            category=None if query.category is None else query.category.value,
            organisation_id=query.organisation_id, assignee_id=query.assignee_id,
            created_from=None if query.created_from is None else _midnight(query.created_from),
            created_before=_day_after(query.created_to),
            number=number, number_prefix=number_prefix, number_year=number_year, text=text,
            order_by_expression=order_by_expression,
            before_id=None if query.cursor is None else decode_cursor(query.cursor), fetch=query.limit + 1,
            postgres=postgres)

    async def rows(self) -> list[dict[str, Any]]:
        """The matching tickets' `TicketSummary` fields, newest first, at most `fetch` of them."""
        if self.postgres:
            sql, values = self.postgres_statement()
            _, records = await Ticket._meta.db.execute_query(sql, values)
            return [dict(record) for record in records]
        return await self.queryset().values(*SUMMARY_COLUMNS)

    def queryset(self) -> QuerySet[Ticket]:
        """The Tortoise reader (SQLite); `.values()` of it gives the page's rows."""
        rows = Ticket.all()
        if self.scope is not None:
            rows = rows.filter(opened_or_billed(self.scope))
        for name in ("status", "category", "assignee_id", "number"):
            if (value := getattr(self, name)) is not None:
                rows = rows.filter(**{name: value})
        if self.organisation_id is not None:
            rows = rows.filter(opened_or_billed(self.organisation_id))
        if self.created_from is not None:
            rows = rows.filter(created_at__gte=self.created_from)
        if self.created_before is not None:
            rows = rows.filter(created_at__lt=self.created_before)
        if self.number_prefix is not None:
            rows = rows.filter(number__startswith=self.number_prefix)
        if self.number_year is not None:
            rows = rows.annotate(number_year=RawSQL(search.NUMBER_YEAR)).filter(number_year=self.number_year)
        if self.text is not None:
            rows = rows.filter(Q(*(Q(**{f"{column}__icontains": self.text}) for column in search.SEARCHED_COLUMNS),
                                 join_type="OR"))
        if self.order_by_expression:
            rows = rows.annotate(order_id=F("id") + 0).order_by("-order_id")
            if self.before_id is not None:
                rows = rows.filter(order_id__lt=self.before_id)
        else:
            rows = rows.order_by("-id")
            if self.before_id is not None:
                rows = rows.filter(id__lt=self.before_id)
        return rows.limit(self.fetch)

    def postgres_statement(self) -> tuple[str, list[Any]]:
        """The PostgreSQL reader: the statement and its parameters; its rows are `TicketSummary` fields."""
        values: list[Any] = []

        def param(value: Any) -> str:
            values.append(value)
            return f"${len(values)}"

        where = []
        if self.scope is not None:
            where.append(_OPENED_OR_BILLED.format(param(self.scope)))
        for name in ("status", "category", "assignee_id", "number"):
            if (value := getattr(self, name)) is not None:
                where.append(f"{name} = {param(value)}")
        if self.organisation_id is not None:
            where.append(_OPENED_OR_BILLED.format(param(self.organisation_id)))
        if self.created_from is not None:
            where.append(f"created_at >= {param(self.created_from)}")
        if self.created_before is not None:
            where.append(f"created_at < {param(self.created_before)}")
        if self.number_prefix is not None:
            where.append(f"CAST(number AS VARCHAR) LIKE {param(escape_like(self.number_prefix) + '%')} ESCAPE '\\'")
        if self.number_year is not None:
            where.append(f"{search.NUMBER_YEAR} = {param(self.number_year)}")
        if self.text is not None:
            # exactly the expressions of the trigram indexes (support/tickets/search.py)
            pattern = param(f"%{escape_like(self.text)}%")
            where.append("(" + " OR ".join(f"{search.searched(column)} LIKE UPPER({pattern}) ESCAPE '\\'"
                                           for column in search.SEARCHED_COLUMNS) + ")")
        order = "id + 0" if self.order_by_expression else "id"
        if self.before_id is not None:
            where.append(f"{order} < {param(self.before_id)}")
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        columns = ", ".join(SUMMARY_COLUMNS)
        page = f"FROM support_ticket{condition} ORDER BY {order} DESC LIMIT {param(self.fetch)}"
        if self.created_before is not None:
            # A closed range: pick the page's ids from the (created_at, id) index alone, then read those rows.
            return f"SELECT {columns} FROM support_ticket WHERE id IN (SELECT id {page}) ORDER BY id DESC", values
        return f"SELECT {columns} {page}", values


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _day_after(day: dt.date | None) -> dt.datetime | None:
    """The exclusive end of a range that includes `day`; none after the last day there is (9999-12-31)."""
    if day is None or day == dt.date.max:
        return None
    return _midnight(day + dt.timedelta(days=1))
