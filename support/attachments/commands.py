"""`tripdesk purge-attachments --closed-before-months N [--dry-run]` and `tripdesk sweep-attachments`.

purge-attachments removes the files of tickets closed more than N months ago and keeps a record of each
(support_attachment_removal). It prints one line per file (`<ticket> <attachment> <sha256> <size> <name>`) and a
summary; exit 0, or 2 for bad input. sweep-attachments removes files no row holds (after a crash) and stale
staging files older than --older-than-hours.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

Database = Callable[[], AbstractAsyncContextManager[Any]]


def register(subparsers: Any, database: Database) -> None:
    purge = subparsers.add_parser(
        "purge-attachments", help="remove attachments of tickets closed more than N months ago"
    )
    purge.add_argument("--closed-before-months", type=int, required=True, metavar="N")
    purge.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")
    purge.add_argument("--by", default="tripdesk purge-attachments", help="who removes (kept in the record)")

    def run_purge(args: argparse.Namespace) -> int:
        if args.closed_before_months < 0:
            print("error: --closed-before-months must be 0 or more", file=sys.stderr)
            return 2
        return asyncio.run(_purge(database, months=args.closed_before_months, dry_run=args.dry_run, by=args.by))

    purge.set_defaults(handler=run_purge)

    sweep = subparsers.add_parser("sweep-attachments", help="remove stored files no attachment row holds")
    sweep.add_argument("--older-than-hours", type=float, default=24.0)

    def run_sweep(args: argparse.Namespace) -> int:
        return asyncio.run(_sweep(database, hours=args.older_than_hours))

    sweep.set_defaults(handler=run_sweep)


async def _purge(database: Database, *, months: int, dry_run: bool, by: str) -> int:
    from support.attachments.retention import months_ago, purge_attachments

    async with database():
        result = await purge_attachments(closed_before=months_ago(months), removed_by=by, dry_run=dry_run)
    for item in result.removed:
        print(f"{item.ticket_id} {item.id} {item.sha256} {item.size} {item.filename}")
    verb = "would remove" if dry_run else "removed"
    print(
        f"{verb} {len(result.removed)} attachment(s), {result.bytes} bytes, of tickets closed before "
        f"{result.closed_before.date().isoformat()}"
    )
    return 0


async def _sweep(database: Database, *, hours: float) -> int:
    from support.attachments.retention import sweep_orphans

    async with database():
        removed = await sweep_orphans(older_than_seconds=hours * 3600)
    for sha256 in removed:
        print(sha256)
    print(f"removed {len(removed)} orphaned file(s)")
    return 0
