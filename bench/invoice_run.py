"""Invoice run throughput: does the cost grow linearly with the data?

Sets up N organisations × 20 tickets × 5 approved billable time entries (bulk inserts), times the invoice run
(drafting) and issuing every draft — WITHOUT document rendering or email (no issue hooks registered; PDF/UBL
rendering is measured by the invoices package) — then does the same with twice the data in a fresh
database and prints both and the ratios (≈ 2 means linear).

    .venv/bin/python bench/invoice_run.py                # PostgreSQL on 127.0.0.1 if reachable, else SQLite
    .venv/bin/python bench/invoice_run.py --db sqlite --orgs 200

PostgreSQL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres); a scratch database is
created and dropped for each size.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tortoise import Tortoise  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


async def pg_reachable() -> bool:
    try:
        import asyncpg

        conn = await asyncio.wait_for(asyncpg.connect(PG_ADMIN.replace("postgres://", "postgresql://", 1)), 3)
        await conn.close()
        return True
    except Exception:
        return False


async def pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def setup(orgs: int, tickets: int, entries: int) -> None:
    from billing.models import RateCard, RateCardRate
    from support.models import Organisation, Staff, Ticket
    from support.policy import Category
    from support.timetracking.models import TimeEntry
    from tests.billing.builders import bulk_tickets

    card = await RateCard.create(name="Bench", valid_from_date=dt.date(2020, 1, 1))
    await RateCardRate.bulk_create(
        [
            RateCardRate(card_id=card.id, category=c, hourly_rate=Decimal(r))
            for c, r in (("assistance", "1250"), ("performance", "1450"))
        ]
    )
    staff = await Staff.create(name="Bench Staff", email="bench@example.se")
    await Organisation.bulk_create(
        [
            Organisation(
                name=f"Org {i}", kind="company", country_code="SE" if i % 10 else "DK", buyer_reference=f"R{i}"
            )
            for i in range(orgs)
        ],
        batch_size=2000,
    )
    org_ids = list(await Organisation.all().order_by("id").values_list("id", flat=True))
    await bulk_tickets(
        org_ids, tickets, prefix="SUP-B", category=lambda t: Category.performance if t % 3 == 0 else Category.assistance
    )
    rows = await Ticket.all().values_list("id", "category")
    now = dt.datetime.now(dt.UTC)
    await TimeEntry.bulk_create(
        [
            TimeEntry(
                ticket_id=t,
                staff_id=staff.id,
                work_date=dt.date(2026, 1, 1 + (e * 5 + t) % 28),
                minutes=10 + (t * 7 + e * 13) % 170,
                description="Arbete",
                category=category,
                billable=True,
                approved_at=now,
            )
            for t, category in rows
            for e in range(entries)
        ],
        batch_size=5000,
    )


async def measure(url: str, orgs: int, tickets: int, entries: int) -> tuple[float, float, int]:
    from billing import ledger, runs
    from billing.models import Invoice
    from core.auth import Principal, Role
    from support.timetracking.models import TimeEntry
    from tripdesk.db import tortoise_config

    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    try:
        await Tortoise.generate_schemas()
        t0 = time.perf_counter()
        await setup(orgs, tickets, entries)
        # Fresh bulk-loaded tables have no planner statistics (autovacuum gathers them in production).
        # Only the loaded tables (billing's are empty until the run fills them).
        await Tortoise.get_connection("default").execute_script(
            "ANALYZE support_organisation; ANALYZE support_contact; ANALYZE support_ticket; "
            "ANALYZE support_time_entry; ANALYZE support_staff"
        )
        print(
            f"  setup: {orgs} organisations, {orgs * tickets} tickets, {orgs * tickets * entries} entries "
            f"in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        t0 = time.perf_counter()
        run = await runs.run_invoices(started_by="bench", period_start=PERIOD[0], period_end=PERIOD[1])
        run_s = time.perf_counter() - t0
        assert run.invoices_created == orgs, run.invoices_created
        assert await TimeEntry.filter(invoice_id__isnull=True).count() == 0
        finance = Principal(token_id=0, name="bench", role=Role.finance)
        ids = await Invoice.filter(run_id=run.id).order_by("id").values_list("id", flat=True)
        t0 = time.perf_counter()
        for invoice_id in ids:
            await ledger.issue_draft(principal=finance, invoice_id=invoice_id)
        issue_s = time.perf_counter() - t0
        return run_s, issue_s, len(ids)
    finally:
        await Tortoise.close_connections()


async def one_size(backend: str, orgs: int, tickets: int, entries: int) -> tuple[float, float, int]:
    if backend == "postgres":
        name = f"tripdesk_bench_{uuid.uuid4().hex[:8]}"
        await pg_admin(f'CREATE DATABASE "{name}"')
        try:
            return await measure(f"{PG_ADMIN.rpartition('/')[0]}/{name}", orgs, tickets, entries)
        finally:
            await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with tempfile.TemporaryDirectory() as tmp:
        return await measure(f"sqlite://{tmp}/bench.sqlite3", orgs, tickets, entries)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("auto", "postgres", "sqlite"), default="auto")
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=20)
    parser.add_argument("--entries", type=int, default=5)
    args = parser.parse_args()
    backend = args.db if args.db != "auto" else ("postgres" if await pg_reachable() else "sqlite")
    from billing import hooks

    hooks._issue_hooks.clear()  # no document rendering or email: billing's own cost only
    print(f"invoice run bench on {backend} (issue hooks off: no PDF/UBL rendering, no email)")
    results = []
    for factor in (1, 2):
        orgs = args.orgs * factor
        print(f"{factor}× data:", flush=True)
        run_s, issue_s, count = await one_size(backend, orgs, args.tickets, args.entries)
        print(
            f"  invoice run: {run_s:.2f} s ({count / run_s:.0f} invoices/s, "
            f"{count * args.tickets * args.entries / run_s:.0f} entries/s)"
        )
        print(f"  issue all:   {issue_s:.2f} s ({count / issue_s:.0f} invoices/s)", flush=True)
        results.append((run_s, issue_s))
    (r1, i1), (r2, i2) = results
    print(f"ratio 2×/1×: invoice run {r2 / r1:.2f}, issue {i2 / i1:.2f} (≈ 2 means cost grows linearly)")


if __name__ == "__main__":
    asyncio.run(main())
