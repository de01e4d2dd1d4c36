"""Failures no domain rule foresaw: the database down is a 503, anything else a 500, both as problem+json with
the request id and the security headers; bodies too large are refused while they stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from tortoise import Tortoise

from core.auth import Role
from core.http import MAX_BODY_BYTES
from tests import factories as f
from tests.conftest import BACKEND
from tests.support.test_organisations import assert_problem
from tripdesk.db import close_connections, tortoise_config


def assert_framed(response: httpx.Response, request_id: str) -> None:
    assert response.headers["x-request-id"] == request_id
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert "Traceback" not in response.text and "Errno" not in response.text and "SELECT" not in response.text


async def point_at_unreachable_database(tmp_path: Path) -> None:
    """The running app's database goes away: PostgreSQL on a port nothing listens on; SQLite in a file
    that cannot be opened (the path is a directory)."""
    await close_connections()
    if BACKEND == "postgres":
        config = tortoise_config("postgres://postgres@127.0.0.1:1/tripdesk_gone")
    else:
        config = tortoise_config("sqlite://:memory:")
        config["connections"]["default"] = f"sqlite://{tmp_path}"
    await Tortoise.init(config=config, _enable_global_fallback=True)


async def test_database_down_is_503_with_request_id_and_security_headers(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    admin = f.bearer(await f.token(Role.admin))
    for method, path in [
        ("GET", "/api/v1/tickets"),
        ("GET", "/api/v1/organisations/1"),
        ("POST", "/api/v1/organisations"),
    ]:
        # anew each time: Tortoise's SQLite client keeps its lock when the file fails to open, and every
        # later query on that client waits for it forever
        await point_at_unreachable_database(tmp_path)
        response = await client.request(
            method,
            path,
            headers={**admin, "X-Request-ID": "down-1"},
            json={"name": "x", "kind": "company", "country_code": "DK"},
        )
        body = assert_problem(response, 503, "unavailable")
        assert body["instance"] == path and response.headers["retry-after"] == "5"
        assert_framed(response, "down-1")
    await point_at_unreachable_database(tmp_path)
    ready = await client.get("/readyz")
    assert ready.status_code == 503


async def test_an_unexpected_error_is_a_framed_500(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from support.models import Staff

    def broken(*args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("a bug with a secret in it")

    admin = f.bearer(await f.token(Role.admin))
    monkeypatch.setattr(Staff, "all", broken)  # a bug inside the service the route calls
    response = await client.get("/api/v1/staff", headers={**admin, "X-Request-ID": "bug-1"})
    body = assert_problem(response, 500, "internal_error")
    assert "secret" not in response.text and body["instance"] == "/api/v1/staff"
    assert_framed(response, "bug-1")
    # the server answered instead of raising: the next request on the same client works
    assert (await client.get("/healthz")).status_code == 200


def test_what_counts_as_unavailable() -> None:
    import sqlite3

    import asyncpg
    from tortoise.exceptions import IntegrityError, OperationalError

    from tripdesk.failures import unavailable

    def caused(outer: Exception, inner: BaseException) -> Exception:
        outer.__cause__ = inner
        return outer

    assert unavailable(ConnectionRefusedError(111, "Connect call failed"))
    assert unavailable(TimeoutError())
    assert unavailable(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"))
    assert unavailable(asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients"))
    assert unavailable(asyncpg.exceptions.CannotConnectNowError("the database system is starting up"))
    assert unavailable(caused(OperationalError("locked"), sqlite3.OperationalError("database is locked")))
    assert not unavailable(caused(OperationalError("x"), sqlite3.OperationalError("no such table: x")))
    assert not unavailable(caused(OperationalError("x"), asyncpg.exceptions.NumericValueOutOfRangeError("x")))
    assert not unavailable(IntegrityError("duplicate"))
    assert not unavailable(RuntimeError("bug"))
    assert not unavailable(FileNotFoundError("var/documents/x.pdf"))


async def test_a_chunked_body_over_the_limit_is_refused_while_it_streams(client: httpx.AsyncClient) -> None:
    """No Content-Length: the server counts while it reads and stops at the limit, long before the 10 MB
    the client would send."""
    admin = f.bearer(await f.token(Role.admin))
    chunk = b"x" * 16_384
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"name": "'
        for _ in range(640):  # 10 MiB
            sent += len(chunk)
            yield chunk

    response = await client.post(
        "/api/v1/organisations", content=body(), headers={**admin, "content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers  # really chunked
    assert_problem(response, 413, "payload_too_large")
    assert response.headers["x-request-id"] and response.headers["connection"] == "close"
    assert sent <= MAX_BODY_BYTES + 2 * len(chunk), sent
    # a chunked body under the limit is read as usual
    small = await client.post(
        "/api/v1/staff",
        headers={**admin, "content-type": "application/json"},
        content=_chunks(b'{"name": "Ida", "email": "ida@tripdesk.example.se"}'),
    )
    assert small.status_code == 201, small.text
    assert "connection" not in small.headers


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 7):
        yield data[start : start + 7]


@pytest.mark.parametrize(
    "method, path, allow",
    [
        ("PATCH", "/api/v1/organisations", "GET, HEAD, POST"),
        ("PUT", "/api/v1/organisations/1", "GET, HEAD, PATCH"),
        ("DELETE", "/healthz", "GET, HEAD"),
    ],
)
async def test_405_names_the_allowed_methods(client: httpx.AsyncClient, method: str, path: str, allow: str) -> None:
    admin = f.bearer(await f.token(Role.admin))
    response = await client.request(method, path, headers=admin)
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allow
