"""`tripdesk import-payments FILE`, `tripdesk send-reminders [--date]`, `tripdesk export-sie --period YYYY-MM`
and `tripdesk demo-bgmax` (a BgMax file paying the demo's issued invoices, for the walk-through).

Exit codes: 0 done (a file imported before is a no-op and also 0), 1 refused (malformed file: the line is
printed; nothing applied), 2 bad arguments.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

Database = Callable[[], AbstractAsyncContextManager[Any]]


def register(subparsers: Any, database: Database) -> None:
    imp = subparsers.add_parser("import-payments", help="import a BgMax payment file and match it by OCR")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.set_defaults(handler=lambda args: import_payments(database, args.file))

    rem = subparsers.add_parser("send-reminders", help="send the payment reminders that are due")
    rem.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="act as if today were this date (default: today)",
    )
    rem.set_defaults(handler=lambda args: send_reminders(database, args.date))

    sie = subparsers.add_parser("export-sie", help="write a month's bookkeeping as SIE 4 (and CSV)")
    sie.add_argument("--period", required=True, metavar="YYYY-MM")
    sie.add_argument("--out", type=Path, default=Path("."), metavar="DIR")
    sie.add_argument("--csv", action="store_true", help="also write the CSV of the same verifications")
    sie.set_defaults(handler=lambda args: export_sie(database, args.period, args.out, args.csv))

    demo = subparsers.add_parser("demo-bgmax", help="write a BgMax file paying the open demo invoices")
    demo.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help="default: <TRIPDESK_DATA_DIR>/demo-bgmax.txt"
    )
    demo.set_defaults(handler=lambda args: demo_bgmax(database, args.out))


def _run(database: Database, work: Callable[[], Any]) -> Any:
    async def main() -> Any:
        async with database():
            return await work()

    return asyncio.run(main())


def import_payments(database: Database, path: Path) -> int:
    from billing.payments.service import import_file
    from core.auth import Principal, Role
    from core.errors import DomainError

    if not path.is_file():
        print(f"import-payments: {path} is not a file", file=sys.stderr)
        return 2
    principal = Principal(token_id=0, name="tripdesk import-payments", role=Role.finance)
    try:
        result = _run(database, lambda: import_file(principal=principal, data=path.read_bytes(), filename=path.name))
    except DomainError as exc:
        print(f"import-payments: {exc.detail}", file=sys.stderr)
        return 1
    if result.duplicate:
        print(f"{path.name}: already imported (file {result.file_id}); nothing changed")
        return 0
    print(
        f"{path.name}: file {result.file_id}, {result.payments} payment(s) of {result.total_amount} SEK: "
        f"{result.matched} settled an invoice, {result.partial} partial, {result.needs_hands} need finance's "
        f"hands (GET /api/v1/payments?state=needs_hands), {result.duplicate_payments} already recorded"
    )
    return 0


def send_reminders(database: Database, as_of: dt.date | None) -> int:
    from billing.reminders import send_reminders as run

    result = _run(database, lambda: run(as_of=as_of))
    for sent in result.sent:
        print(f"  reminder {sent['step']} for {sent['number']} ({sent['open']} SEK open)")
    print(
        f"{len(result.sent)} reminder(s) queued in the outbox for {result.as_of}; "
        f"{len(result.skipped)} overdue invoice(s) skipped (disputed, credited or no address)"
    )
    return 0


def export_sie(database: Database, period: str, out: Path, with_csv: bool) -> int:
    from billing.bookkeeping import csv_export, sie_export
    from core.errors import DomainError

    async def work() -> list[tuple[str, bytes]]:
        files = [await sie_export(period=period)]
        if with_csv:
            files.append(await csv_export(period=period))
        return files

    try:
        files = _run(database, work)
    except DomainError as exc:
        print(f"export-sie: {exc.detail}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        (out / name).write_bytes(data)
        print(f"  wrote {out / name} ({len(data)} bytes)")
    return 0


def demo_bgmax(database: Database, out: Path | None) -> int:
    from billing.demo_payments import write_demo_bgmax

    path = _run(database, lambda: write_demo_bgmax(out))
    if path is None:
        print(
            "demo-bgmax: no issued, unpaid invoices yet: run `tripdesk invoice-run --period YYYY-MM --issue` first",
            file=sys.stderr,
        )
        return 1
    print(f"wrote {path}; import it with: tripdesk import-payments {path}")
    return 0
