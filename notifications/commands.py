"""`tripdesk send-outbox [--loop]`: deliver pending email; `tripdesk fetch-mail [--loop]`: read the support
mailbox (SPEC §3, §5)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

Database = Callable[[], AbstractAsyncContextManager[Any]]


def register(subparsers: Any, database: Database) -> None:
    parser = subparsers.add_parser(
        "send-outbox", help="deliver pending email (once until nothing is due, or --loop until stopped)"
    )
    parser.add_argument(
        "--loop",
        action="store_true",
        help="keep delivering until SIGINT/SIGTERM; the claimed batch is released on stop",
    )

    def handler(args: argparse.Namespace) -> int:
        return asyncio.run(_send_outbox(database, loop=args.loop))

    parser.set_defaults(handler=handler)

    fetch = subparsers.add_parser(
        "fetch-mail", help="read the support mailbox (IMAP_URL) once, or --loop until stopped (IDLE or polling)"
    )
    fetch.add_argument("--loop", action="store_true", help="keep fetching until SIGINT/SIGTERM")

    def fetch_handler(args: argparse.Namespace) -> int:
        return asyncio.run(_fetch_mail(database, loop=args.loop))

    fetch.set_defaults(handler=fetch_handler)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM: a looping worker finishes what it holds, then returns."""
    stop = asyncio.Event()
    running = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            running.add_signal_handler(sig, stop.set)
    return stop


async def _until_stopped_or_once(
    loop: bool,
    doing: str,
    run_forever: Callable[[asyncio.Event], Awaitable[Any]],
    run_once: Callable[[], Awaitable[Any]],
    close: Callable[[], Awaitable[Any]],
) -> None:
    """With `loop`, run until SIGINT or SIGTERM (saying so on stderr); else one pass, then `close`."""
    if loop:
        stop = stop_on_signals()
        print(f"{doing}; stop with Ctrl-C", file=sys.stderr, flush=True)
        await run_forever(stop)
        return
    try:
        await run_once()
    finally:
        await close()


async def _fetch_mail(database: Database, *, loop: bool) -> int:
    from notifications.inbound.fetcher import MailFetcher
    from notifications.settings import get_inbound_settings

    if not get_inbound_settings().imap_url:
        print("IMAP_URL is not set: no mailbox to read", file=sys.stderr)
        return 2
    async with database():
        fetcher = MailFetcher()
        await _until_stopped_or_once(
            loop, f"reading {fetcher.mailbox!r}", fetcher.run_forever, fetcher.run_once, fetcher.close
        )
    s = fetcher.stats
    print(
        f"processed {s.processed}, held {s.held}, ignored {s.ignored}, retry later {s.retried}, "
        f"failed {s.failed}, moved {s.moved_only}, skipped {s.skipped}",
        flush=True,
    )
    return 0


async def _send_outbox(database: Database, *, loop: bool) -> int:
    from notifications.service import outbox_depth
    from notifications.worker import OutboxWorker

    async with database():
        worker = OutboxWorker()
        await _until_stopped_or_once(
            loop, f"delivering email with {worker.mailer!r}", worker.run_forever, worker.drain, worker.mailer.close
        )
        depth = await outbox_depth()
    print(
        f"sent {worker.sent}, retry later {worker.retried}, parked {worker.parked}; "
        f"outbox now: " + ", ".join(f"{k} {v}" for k, v in depth.items())
    )
    return 0
