"""`tripdesk invoice-run --period YYYY-MM [--issue]`: draft (and issue) a month's invoices.

Several of these may be started at once (cron on two hosts, an impatient operator): they cooperate through
the database (see billing/runs.py) and end with the same invoices as one run would. A process that finds
the work already done, or loses a race for a draft it wanted to issue, says so on one line and exits 0; a
process that cannot get the database (SQLite locked by another writer) says so on one line and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import calendar
import datetime as dt
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

DatabaseFactory = Callable[[], AbstractAsyncContextManager[None]]


def parse_period(value: str) -> tuple[dt.date, dt.date]:
    try:
        start = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a month like 2026-01") from None
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def register(subparsers: Any, database: DatabaseFactory) -> None:
    run = subparsers.add_parser("invoice-run", help="draft (and with --issue issue) a month's invoices")
    run.add_argument("--period", required=True, type=parse_period, metavar="YYYY-MM")
    run.add_argument("--issue", action="store_true", help="issue the period's drafts after drafting")
    run.add_argument(
        "--allow-open-period",
        action="store_true",
        help="invoice a month that has not ended yet (refused without this flag; the business "
        "day is TRIPDESK_TIMEZONE's)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=lambda args: cmd_invoice_run(args, database))


async def invoice_run(
    *, start: dt.date, end: dt.date, issue: bool, progress: bool, allow_open_period: bool = False
) -> tuple[int, str]:
    from tqdm import tqdm

    from billing import ledger, run_scope, runs
    from billing.errors import InvoiceNotDraft
    from core.auth import Principal, Role

    bar: Any = None

    def on_start(total: int) -> None:
        nonlocal bar
        if progress:
            bar = tqdm(total=total, unit="org", desc=f"invoice run {start:%Y-%m}", file=sys.stderr, leave=False)

    def on_progress(outcome: runs.DraftOutcome) -> None:
        if bar is not None:
            bar.update(1)

    try:
        run = await runs.run_invoices(
            started_by="tripdesk invoice-run",
            period_start=start,
            period_end=end,
            allow_open_period=allow_open_period,
            on_start=on_start,
            progress=on_progress,
        )
    finally:
        if bar is not None:
            bar.close()
    message = (
        f"invoice run {run.id} for {start:%Y-%m}: {run.invoices_created} draft(s) created, "
        f"{run.organisations_considered} organisation(s) with unbilled time"
    )
    if run.organisations_considered and not run.invoices_created:
        message += " (already drafted by another run or nothing invoiceable)"
    if issue:
        issuer = Principal(token_id=0, name="tripdesk invoice-run", role=Role.finance)
        issued = raced = 0
        for invoice_id in await run_scope.open_drafts(start=start, end=end):
            try:
                await ledger.issue_draft(principal=issuer, invoice_id=invoice_id)
                issued += 1
            except InvoiceNotDraft:
                raced += 1  # another process issued (or discarded) it first
        message += f"; {issued} issued"
        if raced:
            message += f", {raced} already issued by another process"
    return 0, message


def cmd_invoice_run(args: argparse.Namespace, database: DatabaseFactory) -> int:
    from tortoise.exceptions import OperationalError

    from billing.run_state import refuse_open_period
    from core.errors import DomainError

    start, end = args.period
    try:  # answered before touching the database
        refuse_open_period(end, allow_open_period=args.allow_open_period)
    except DomainError as exc:
        print(f"invoice-run: {exc.detail}", file=sys.stderr)
        return 1

    async def main() -> tuple[int, str]:
        async with database():
            return await invoice_run(
                start=start,
                end=end,
                issue=args.issue,
                progress=not args.quiet and sys.stderr.isatty(),
                allow_open_period=args.allow_open_period,
            )

    try:
        code, message = asyncio.run(main())
    except DomainError as exc:
        print(f"invoice-run: {exc.detail}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        reason = (
            "the database is busy with another writer"
            if "locked" in str(exc).lower()
            else "the database refused the run"
        )
        print(f"invoice-run: {reason}; nothing half-done was kept, run it again", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("invoice-run: interrupted; finished invoices are kept, run it again for the rest", file=sys.stderr)
        return 130
    print(message)
    return code
