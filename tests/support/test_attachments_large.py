"""100 MiB up and down through the API on both storage back-ends, with the server's memory bounded.

The app runs in this process (httpx streams the upload through ASGITransport; the download is read straight
from the ASGI app, chunk by chunk, without collecting it), so tracemalloc sees every Python allocation the
server makes: its peak must stay a small fraction of the file. The process's peak resident memory (VmHWM,
reset first) is printed too; with SQLite the test database itself is in memory, so with the database store
that figure holds the file."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import BACKEND
from tests.support.attachment_helpers import STORES, use_store, world

SIZE = int(os.environ.get("TRIPDESK_LARGE_TEST_MIB", "100")) * 1024 * 1024
PIECE = 64 * 1024
BOUNDARY = "tripdesk-large-upload"
LIMIT_BYTES = 16 * 1024 * 1024


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    yield from use_store(
        monkeypatch,
        tmp_path,
        request.param,
        TRIPDESK_ATTACHMENT_MAX_FILE_BYTES=str(2 * SIZE),
        TRIPDESK_ATTACHMENT_MAX_TICKET_BYTES=str(2 * SIZE),
    )


def log_piece(n: int) -> bytes:
    """64 KiB of log lines that differ from every other piece (PostgreSQL cannot compress it away)."""
    seed = hashlib.sha256(n.to_bytes(8, "big")).hexdigest()
    line = f"{n:08d} INFO export batch={seed} status=200\n".encode()
    return (line * (PIECE // len(line) + 1))[:PIECE]


class Upload:
    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    async def body(self) -> AsyncIterator[bytes]:
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="export å.log"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        for n in range(SIZE // PIECE):
            piece = log_piece(n)
            self.digest.update(piece)
            yield piece
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


def vm_hwm_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def reset_hwm() -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


async def download(app: Any, path: str, token: str) -> tuple[int, str, int]:
    """GET through the ASGI app, hashing the body as it is sent: nothing is collected."""
    digest, size, status = hashlib.sha256(), 0, 0
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"tripdesk.test"), (b"authorization", token.encode())],
        "client": ("127.0.0.1", 1),
        "server": ("tripdesk.test", 80),
    }

    requested, done = False, asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays connected until the whole body is sent
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal size, status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            digest.update(message.get("body", b""))
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    return status, digest.hexdigest(), size


@pytest.mark.slow
async def test_100_mib_round_trip_with_bounded_memory(app: Any, client: httpx.AsyncClient, store: str) -> None:
    w = await world(client)
    upload = Upload()
    reset_hwm()
    before = vm_hwm_mb()
    tracemalloc.start()
    try:
        started = time.perf_counter()
        response = await client.post(
            f"/api/v1/tickets/{w['ticket']}/attachments",
            content=upload.body(),
            headers={**w["admin"], "content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        )
        up = time.perf_counter() - started
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["size"] == SIZE and created["sha256"] == upload.digest.hexdigest()
        started = time.perf_counter()
        status, sha256, size = await download(
            app, f"/api/v1/tickets/{w['ticket']}/attachments/{created['id']}", w["admin"]["Authorization"]
        )
        down = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss = vm_hwm_mb() - before
    print(
        f"\n[{BACKEND}/{store}] up {up:.1f}s down {down:.1f}s, Python peak {peak / 2**20:.1f} MiB, "
        f"peak RSS +{rss:.0f} MiB"
    )
    assert status == 200 and size == SIZE and sha256 == upload.digest.hexdigest()
    assert peak < LIMIT_BYTES, f"the server held {peak / 2**20:.1f} MiB of Python memory for a 100 MiB file"
    if not (BACKEND == "sqlite" and store == "database"):  # there the in-memory test database holds the file
        assert rss < 64, f"peak resident memory grew by {rss:.0f} MiB"
