"""Outbox delivery throughput against a bare aiosmtplib loop (ARCHITECTURE: bench prints ratios).

Enqueues N messages into a fresh SQLite database (and PostgreSQL when reachable), runs the delivery worker
into a local aiosmtpd server, and prints messages/s; then sends the same messages with a bare aiosmtplib loop
over one connection (no database) and prints worker/bare.

    .venv/bin/python bench/outbox.py [--messages 2000] [--pg postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiosmtplib  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from tortoise import Tortoise  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from notifications.mailer import SmtpMailer, envelope, message_bytes  # noqa: E402
from notifications.models import OutboxMessage, OutboxStatus  # noqa: E402
from notifications.service import build_email, enqueue_email  # noqa: E402
from notifications.settings import MailSettings  # noqa: E402
from notifications.worker import OutboxWorker  # noqa: E402
from tripdesk.db import tortoise_config  # noqa: E402

CONTEXT = {
    "ticket": {
        "number": "SUP-2026-00042",
        "subject": "GET /api/arenden svarar 500",
        "status": "in_progress",
        "category": "assistance",
        "organisation_name": "Småstads kommun",
    },
    "contact_name": "Åsa Öberg",
    "comment": {"author": "Handläggare Lind", "body": "Prova att förnya token.\n" * 5},
}


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.count += 1
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def enqueue(n: int) -> float:
    started = time.perf_counter()
    for chunk in range(0, n, 500):
        async with in_transaction():
            for i in range(chunk, min(n, chunk + 500)):
                await enqueue_email(
                    template="public_comment",
                    to_email=f"user{i}@kommun.example.se",
                    to_name="Åsa Öberg",
                    language="sv",
                    context=CONTEXT,
                    dedupe_key=f"bench:{i}",
                )
    return n / (time.perf_counter() - started)


async def run_worker(settings: MailSettings) -> float:
    worker = OutboxWorker(mailer=SmtpMailer(settings.smtp_url or ""), settings=settings)
    started = time.perf_counter()
    await worker.drain()
    elapsed = time.perf_counter() - started
    await worker.mailer.close()
    assert await OutboxMessage.filter(status=OutboxStatus.sent).count() == worker.sent
    return worker.sent / elapsed


async def run_bare(url: str, n: int) -> float:
    rows = await OutboxMessage.all().order_by("id").limit(n)
    # The same bytes the worker sends, built and serialised up front: the baseline is the wire alone.
    built = time.perf_counter()
    messages = [(envelope(m), message_bytes(m)) for m in (build_email(row) for row in rows)]
    print(
        f"{'':10s} (MIME build + serialise alone: {len(messages) / (time.perf_counter() - built):.0f} msg/s; "
        "the bare loop sends pre-serialised bytes)"
    )
    port = int(url.rsplit(":", 1)[1])
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await smtp.connect()
    started = time.perf_counter()
    for (sender, recipients), data in messages:
        await smtp.sendmail(sender, recipients, data)
    elapsed = time.perf_counter() - started
    await smtp.quit()
    return len(messages) / elapsed


async def bench(label: str, database_url: str, n: int, smtp_url: str, handler: CountingHandler) -> None:
    await Tortoise.init(config=tortoise_config(database_url, connection=f"bench_{label}"), _enable_global_fallback=True)
    try:
        await Tortoise.generate_schemas()
        enqueue_rate = await enqueue(n)
        settings = MailSettings(SMTP_URL=smtp_url, OUTBOX_BATCH_SIZE=100)  # type: ignore[call-arg]
        before = handler.count
        worker_rate = await run_worker(settings)
        assert handler.count - before == n, (handler.count - before, n)
        bare_rate = await run_bare(smtp_url, n)
        print(
            f"{label:10s} enqueue {enqueue_rate:7.0f} msg/s | worker {worker_rate:6.0f} msg/s | "
            f"bare aiosmtplib {bare_rate:6.0f} msg/s | worker/bare {worker_rate / bare_rate:.2f}"
        )
    finally:
        await Tortoise.close_connections()


async def pg_reachable(admin_url: str) -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1), timeout=2)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument(
        "--pg", default=os.environ.get("TRIPDESK_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args()

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    smtp_url = f"smtp://127.0.0.1:{port}"
    print(f"{args.messages} messages into aiosmtpd on 127.0.0.1:{port}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await bench("sqlite", f"sqlite://{tmp}/bench.sqlite3", args.messages, smtp_url, handler)
        if await pg_reachable(args.pg):
            import asyncpg

            name = f"tripdesk_bench_{uuid.uuid4().hex[:8]}"
            admin = args.pg.replace("postgres://", "postgresql://", 1)
            conn = await asyncpg.connect(admin)
            await conn.execute(f'CREATE DATABASE "{name}"')
            try:
                await bench("postgres", args.pg.rpartition("/")[0] + f"/{name}", args.messages, smtp_url, handler)
            finally:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await conn.close()
        else:
            print("postgres   not reachable; skipped")
    finally:
        controller.stop()


if __name__ == "__main__":
    asyncio.run(main())
