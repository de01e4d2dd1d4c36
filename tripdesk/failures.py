"""What a client hears when something fails that no domain rule foresaw.

- A database (or another service the request depends on) that cannot be reached, refuses connections, is
  shutting down or has no connection to spare is a 503 `unavailable`: the request may succeed if retried.
  That covers Tortoise's `OperationalError` and `DBConnectionError`, asyncpg's connection, resource and
  operator-intervention errors, refused or reset sockets and timeouts (a pool that hands out no connection).
- Anything else is a 500 `internal_error`, logged with its traceback, never shown.

`CatchAllMiddleware` renders both as problem+json. It sits inside the observability middleware, so these
responses carry `X-Request-ID` and the security headers like every other, and it answers instead of
re-raising, so the server keeps the connection open for the next request. Only an error after the response
has started cannot be answered: it is re-raised and the server closes the connection.
"""

from __future__ import annotations

import json
import logging
import socket
import sqlite3

import asyncpg
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError

from core.errors import PROBLEM_CONTENT_TYPE, DomainError, InternalError, ServiceUnavailable

log = logging.getLogger("tripdesk")

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    DBConnectionError,
    ConnectionError,  # refused, reset, aborted
    TimeoutError,  # asyncio's too: a pool acquire or a connect that timed out
    socket.gaierror,  # the database host name does not resolve
    asyncpg.exceptions.PostgresConnectionError,  # SQLSTATE class 08, and "connection was closed"
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections, disk full
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, cannot connect now, statement timeout
)
_OUR_BUG: tuple[type[BaseException], ...] = (
    IntegrityError,
    asyncpg.exceptions.DataError,
    asyncpg.exceptions.SyntaxOrAccessError,
)
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error", "database or disk is full")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says a service the request needs is down or overloaded, rather than
    a fault in the request's own handling."""
    chain = _chain(exc)
    if any(isinstance(e, _OUR_BUG) for e in chain):
        return False
    if any(isinstance(e, _UNAVAILABLE) for e in chain):
        return True
    if not any(isinstance(e, OperationalError) for e in chain):
        return False
    # SQLite says "operational" also for a missing table (our fault); only these mean "try again"
    sqlite = next((e for e in chain if isinstance(e, sqlite3.Error)), None)
    return sqlite is None or any(marker in str(sqlite).lower() for marker in _SQLITE_UNAVAILABLE)


def missing_table(exc: BaseException) -> bool:
    """Whether `exc` says a table does not exist: a database that was never migrated."""
    for e in _chain(exc):
        if isinstance(e, asyncpg.exceptions.UndefinedTableError):
            return True
        if isinstance(e, sqlite3.OperationalError | OperationalError) and "no such table" in str(e):
            return True
    return False


def problem_for(exc: BaseException) -> DomainError:
    if unavailable(exc):
        log.warning("service unavailable: %s: %s", type(exc).__name__, exc)
        return ServiceUnavailable("the database or a service it depends on is unavailable; try again shortly")
    log.error("unhandled error", exc_info=exc)
    return InternalError("something went wrong on our side; it has been logged")


class CatchAllMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            error = problem_for(exc)
            body = json.dumps(error.to_problem(instance=scope.get("path"))).encode()
            headers = [(b"content-type", PROBLEM_CONTENT_TYPE.encode()), (b"content-length", str(len(body)).encode())]
            if isinstance(error, ServiceUnavailable):
                headers.append((b"retry-after", b"5"))
            await send({"type": "http.response.start", "status": error.status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
