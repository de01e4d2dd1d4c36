"""`tripdesk export-documents --period YYYY-MM --out DIR` (SPEC §3): the accounting archive of a month.

Writes every issued invoice and credit note of the period as `<number>.pdf` and `<number>.xml` from storage
(never re-rendered), checking each file's sha256 against the one recorded at issue. Exit codes: 0 all
written (or already there, identical), 1 something is missing or a different file is in the way, 2 bad input.
It always says how many documents the period holds; an empty period says so and names the other basis when
that one has documents (a January delivered but invoiced in February: `--by service`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

Database = Callable[[], AbstractAsyncContextManager[Any]]


def register(subparsers: Any, database: Database) -> None:
    parser = subparsers.add_parser(
        "export-documents", help="write a month's issued invoices and credit notes as <number>.pdf/.xml"
    )
    parser.add_argument("--period", required=True, metavar="YYYY-MM")
    parser.add_argument("--out", required=True, metavar="DIR", type=Path)
    parser.add_argument(
        "--by",
        choices=["issue", "service", "issue_date", "service_period"],
        default="issue",
        help="issue: documents issued in the month (default, the accounting period); "
        "service: invoices whose delivery period (service period) starts in the month",
    )

    def handler(args: argparse.Namespace) -> int:
        return run_export(database, period=args.period, out=args.out, by=args.by)

    parser.set_defaults(handler=handler)


def run_export(database: Database, *, period: str, out: Path, by: str = "issue_date") -> int:
    from core.errors import DomainError
    from invoices.periods import PeriodBasis, parse_period

    try:
        parsed = parse_period(period)
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    if out.exists() and not out.is_dir():
        print(f"error: --out {out} exists and is not a directory", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_export(database, period=parsed, out=out, by=PeriodBasis(by)))
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1


async def _export(database: Database, *, period: Any, out: Path, by: Any) -> int:
    from invoices.export import export_documents

    async with database():
        result = await export_documents(period=period, out_dir=out, by=by)
    for name in result.written:
        print(f"  wrote {out / name}")
    for name in result.unchanged:
        print(f"  unchanged {out / name}")
    for name in result.conflicts:
        print(f"error: {out / name} exists with different content; not overwritten", file=sys.stderr)
    for name in result.missing:
        print(f"error: {name} is not in storage (issued without documents?)", file=sys.stderr)
    print(f"{result.found.summary()}.")
    print(
        f"period {period.label}: {result.invoices} invoice(s), {result.credit_notes} credit note(s); "
        f"{len(result.written)} file(s) written ({result.bytes_written} bytes), {len(result.unchanged)} "
        f"unchanged, sha256 verified; {len(result.missing)} missing, {len(result.conflicts)} conflict(s)"
    )
    return 0 if result.ok else 1
