"""Database helpers every package may use: which dialect a connection speaks, the PostgreSQL pool whose
sessions cache generic plans for the parameter-independent hot statements, and the few pieces a statement
built with pypika needs to read the same on PostgreSQL and SQLite (numbered parameters, JSON objects,
concatenation, EXISTS)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pypika_tortoise import Parameter, PostgreSQLQuery, Query, SqlContext, SQLLiteQuery
from pypika_tortoise.context import DEFAULT_SQL_CONTEXT
from pypika_tortoise.functions import Cast
from pypika_tortoise.queries import QueryBuilder
from pypika_tortoise.terms import Criterion, Function, Term, ValueWrapper
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

GENERIC_PLANS = "generic_plans"
_generic_plans: BaseDBAsyncClient | None = None


def is_postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    """Whether `conn` (default: the default connection) talks to PostgreSQL rather than SQLite."""
    return (conn or connections.get("default")).capabilities.dialect == "postgres"


def generic_plans_db(default: BaseDBAsyncClient) -> BaseDBAsyncClient:
    """A second PostgreSQL pool beside `default` (same database and pool size) whose sessions let PostgreSQL
    cache a generic plan. Only statements whose best plan does not depend on their parameters belong there
    (ticket intake: primary-key look-ups and inserts); planning the intake statement anew cost about twice
    its execution, measured here. It is not in Tortoise's configuration, where a second connection would
    make every `in_transaction()` name one; `close_connections` closes it."""
    global _generic_plans
    if _generic_plans is None or not _generic_plans._check_loop():
        info = connections.db_config[default.connection_name]
        credentials = {**info["credentials"], "server_settings": {"plan_cache_mode": "auto"}}
        _generic_plans = type(default)(connection_name=GENERIC_PLANS, **credentials)
    return _generic_plans


async def close_generic_plans() -> None:
    """Close the generic-plans pool, when one was opened on this event loop."""
    global _generic_plans
    if _generic_plans is not None:
        pool, _generic_plans = _generic_plans, None
        if pool._check_loop():
            await pool.close()


def placeholders(conn: BaseDBAsyncClient, count: int) -> list[str]:
    """Positional parameter markers in `conn`'s dialect: `$1, $2` on PostgreSQL, `?` on SQLite."""
    if is_postgres(conn):
        return [f"${i}" for i in range(1, count + 1)]
    return ["?"] * count


@dataclass(frozen=True)
class Statement:
    """SQL built once, and the names of its parameters in their numbering."""

    sql: str
    names: tuple[str, ...]

    def values(self, bound: Mapping[str, Any]) -> list[Any]:
        """One run's parameter values, from values by name."""
        return [bound[name] for name in self.names]


class Params:
    """Named parameters of a statement built once and run many times. Each name gets one numbered
    placeholder (`$n` on PostgreSQL, `?n` on SQLite), usable any number of times anywhere in the statement;
    the `Statement` it renders lists one run's values in that numbering."""

    def __init__(self, *, postgres: bool) -> None:
        self.postgres = postgres
        self.names: list[str] = []

    def __call__(self, name: str, cast: str | None = None) -> Term:
        """The parameter `name`; with `cast` (`INT`, `TEXT`, …) when PostgreSQL cannot infer its type."""
        if name not in self.names:
            self.names.append(name)
        marker = Parameter(f"{'$' if self.postgres else '?'}{self.names.index(name) + 1}")
        return marker if cast is None else Cast(marker, cast)

    def statement(self, query: QueryBuilder) -> Statement:
        """`query` rendered, with the parameters it was built with."""
        return Statement(query.get_sql(), tuple(self.names))

    def marker(self, name: str) -> str:
        """The placeholder of `name` as text, for an expression written as SQL text."""
        return self(name).get_sql(DEFAULT_SQL_CONTEXT)


def query_class(*, postgres: bool) -> type[Query]:
    """pypika's query class for the dialect: it renders identifiers, RETURNING and ON CONFLICT for it."""
    return PostgreSQLQuery if postgres else SQLLiteQuery


def json_object(pairs: Mapping[str, Term], *, postgres: bool) -> Term:
    """A JSON object built in SQL from `pairs` (keys are constants)."""
    args: list[Term] = []
    for key, value in pairs.items():
        args += [ValueWrapper(key), value]
    return Function("jsonb_build_object" if postgres else "json_object", *args)


def json_merge(base: Term, extra: Term, *, postgres: bool) -> Term:
    """`base` (JSON text) with the keys of the object `extra` added or replaced."""
    if postgres:
        return Concatenated(Cast(base, "jsonb"), extra)
    return Function("json_patch", base, extra)


def json_value(term: Term, *, postgres: bool) -> Term:
    """JSON text as a value of a JSON column (PostgreSQL's jsonb needs the cast; SQLite stores the text)."""
    return Cast(term, "jsonb") if postgres else term


def concat(*parts: Term) -> Term:
    """`a || b || …`: string concatenation, the same operator on both dialects."""
    term = parts[0]
    for part in parts[1:]:
        term = Concatenated(term, part)
    return term


class Concatenated(Term):
    """`left || right`."""

    def __init__(self, left: Term, right: Term) -> None:
        super().__init__()
        self.left, self.right = left, right

    def get_sql(self, ctx: SqlContext) -> str:
        return f"({self.left.get_sql(ctx)} || {self.right.get_sql(ctx)})"


class Exists(Criterion):
    """`EXISTS (subquery)`."""

    def __init__(self, query: QueryBuilder) -> None:
        super().__init__()
        self.query = query

    def get_sql(self, ctx: SqlContext) -> str:
        return f"EXISTS ({self.query.get_sql(ctx.copy(subquery=False, with_alias=False))})"


class Always(Criterion):
    """`1 = 1`: a condition that always holds, where the grammar wants one (a join's ON, or the WHERE SQLite
    needs before ON CONFLICT in INSERT … SELECT)."""

    def get_sql(self, ctx: SqlContext) -> str:
        return "1 = 1"
