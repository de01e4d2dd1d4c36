"""Inbound mail throughput: messages/s through the fetcher into comments, against a bare aioimaplib FETCH loop
over the same mailbox in the same run (ARCHITECTURE: bench prints ratios).

Starts a private Dovecot on loopback (Debian's dovecot-imapd, as the tests do), appends N replies to ten
tickets, reads every message once with a bare aioimaplib loop (UID FETCH BODY.PEEK[] per message, no parsing,
no database), then lets `MailFetcher` process the same mailbox: claim, fetch, parse, strip quotes, comment,
commit, move. Prints both rates and fetcher/bare.

    .venv/bin/python bench/mail_fetch.py [--messages 500] [--pg postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aioimaplib  # noqa: E402
from tortoise import Tortoise  # noqa: E402

from notifications.inbound.fetcher import MailFetcher  # noqa: E402
from notifications.settings import InboundSettings  # noqa: E402
from tests.mail import messages as m  # noqa: E402
from tests.mail.dovecot import Dovecot, ensure_installed  # noqa: E402
from tripdesk.db import close_connections, tortoise_config  # noqa: E402
from tripdesk.wiring import install_hooks  # noqa: E402


async def append_all(server: Dovecot, user: str, raws: list[bytes]) -> None:
    client = aioimaplib.IMAP4(host="127.0.0.1", port=server.port, timeout=60)
    await client.wait_hello_from_server()
    await client.login(user, server.users[user])
    for raw in raws:
        assert (await client.append(raw, mailbox="INBOX")).result == "OK"
    await client.logout()


async def bare_fetch(server: Dovecot, user: str) -> tuple[int, float]:
    client = aioimaplib.IMAP4(host="127.0.0.1", port=server.port, timeout=60)
    await client.wait_hello_from_server()
    await client.login(user, server.users[user])
    await client.select("INBOX")
    started = time.perf_counter()
    response = await client.uid_search("ALL")
    uids = [int(t) for line in response.lines[:-1] for t in bytes(line).split() if t.isdigit()]
    total = 0
    for uid in uids:
        fetched = await client.uid("fetch", str(uid), "(UID BODY.PEEK[])")
        total += sum(len(line) for line in fetched.lines if isinstance(line, bytearray))
    elapsed = time.perf_counter() - started
    await client.logout()
    assert total > 0
    return len(uids), elapsed


async def seed(n_tickets: int) -> list[str]:
    from core.auth import Principal, Role
    from support.tickets import schemas as ticket_schemas
    from support.tickets import service as tickets
    from tests import factories as f

    org = await f.organisation()
    contact = await f.contact(org, email="eva@kommun.example.se")
    staff = Principal(token_id=0, name="bench", role=Role.admin)
    numbers = []
    for n in range(n_tickets):
        created = await tickets.create_ticket(
            principal=staff,
            data=ticket_schemas.TicketCreate(
                subject=f"Fråga {n} om OAuth", body="Hur hämtar vi en token?", requester_id=contact.id
            ),
        )
        numbers.append(created.number)
    return numbers


def replies(numbers: list[str], count: int) -> list[bytes]:
    raws = []
    for i in range(count):
        msg, _ = m.reply(
            "outlook_sv" if i % 2 else "gmail_en", sender="eva@kommun.example.se", number=numbers[i % len(numbers)]
        )
        raws.append(m.raw(msg))
    return raws


async def run(args: argparse.Namespace) -> None:
    if not ensure_installed():
        raise SystemExit("dovecot-imapd is not installed (apt-get install dovecot-imapd)")
    base = Path(tempfile.mkdtemp(prefix="tripdesk-bench-dovecot-"))
    server = Dovecot(base)
    server.add_users({"bench": "bench"})
    server.start()
    database = args.pg
    if database:
        from tests.conftest import create_pg_database, drop_pg_database, pg_url

        name = f"tripdesk_bench_{uuid.uuid4().hex[:8]}"
        await create_pg_database(name)
        database = pg_url(name)
    else:
        database = f"sqlite://{base / 'bench.sqlite3'}"
    try:
        await Tortoise.init(config=tortoise_config(database), _enable_global_fallback=True)
        await Tortoise.generate_schemas()
        install_hooks()
        from support.classification.model_store import load_classifier_async

        await load_classifier_async()
        numbers = await seed(10)
        await append_all(server, "bench", replies(numbers, args.messages))

        count, bare_s = await bare_fetch(server, "bench")
        bare_rate = count / bare_s
        print(f"bare aioimaplib FETCH loop: {count} messages in {bare_s:.2f} s = {bare_rate:,.0f} msg/s")

        settings = InboundSettings(
            IMAP_URL=f"imap://bench:bench@127.0.0.1:{server.port}/INBOX",  # type: ignore[call-arg]
            IMAP_BATCH_SIZE=100,
        )
        fetcher = MailFetcher(settings=settings)
        await fetcher._ensure_connected()  # log in and create the folders before the clock starts, as bare does
        started = time.perf_counter()
        await fetcher.run_once()
        fetch_s = time.perf_counter() - started
        await fetcher.close()
        from support.models import Comment

        processed = await Comment.all().count()
        assert processed == count, (processed, count)
        rate = processed / fetch_s
        backend = "PostgreSQL" if args.pg else "SQLite"
        print(f"tripdesk fetcher ({backend}): {processed} replies → comments in {fetch_s:.2f} s = {rate:,.0f} msg/s")
        print(f"ratio fetcher/bare: {rate / bare_rate:.2f}")
    finally:
        await close_connections()
        server.stop()
        if args.pg:
            await drop_pg_database(database.rpartition("/")[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--pg", default=None, help="PostgreSQL admin URL: run on a fresh database there")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
