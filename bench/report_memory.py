"""Memory of one time report as the month fills up: does a request's peak grow with the data?

The soak's month keeps growing (every client logs time each loop) and finance asks for the month's report
every minute. This fills a scratch database step by step with time entries of one month (12 organisations,
8 staff, 3 categories, some on invoices, some drawn from prepaid hours) and after each step measures one
`time_report` (the service behind `GET /reports/time`, serialised as the route does) with tracemalloc: the
peak Python heap of the call above what was allocated before it, and the time it took.

    .venv/bin/python bench/report_memory.py [--db postgres|sqlite] [--steps 6] [--per-step 4000]

PostgreSQL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres); a scratch database is
created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import sys
import tempfile
import time
import tracemalloc
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tortoise import Tortoise  # noqa: E402

from bench.invoice_run import PG_ADMIN, pg_admin  # noqa: E402

MONTH = dt.date(2026, 1, 1)
ORGS, STAFF, TICKETS_PER_ORG = 12, 8, 20


async def setup() -> list[tuple[int, str]]:
    from billing.models import Invoice, PrepaidPackage, RateCard, RateCardRate
    from support.models import Organisation, Staff, Ticket
    from support.policy import Category
    from tests.billing.builders import bulk_tickets

    card = await RateCard.create(name="Bench", valid_from_date=dt.date(2020, 1, 1))
    await RateCardRate.bulk_create(
        [
            RateCardRate(card_id=card.id, category=c, hourly_rate=Decimal(r))
            for c, r in (("assistance", "1250"), ("performance", "1450"))
        ]
    )
    await Staff.bulk_create([Staff(name=f"Staff {i}", email=f"s{i}@example.se") for i in range(STAFF)])
    await Organisation.bulk_create(
        [Organisation(name=f"Org {i}", kind="company", country_code="SE") for i in range(ORGS)]
    )
    org_ids = list(await Organisation.all().order_by("id").values_list("id", flat=True))
    await Invoice.create(organisation_id=org_ids[0], period_start_date=MONTH, period_end_date=MONTH)  # id 1
    await PrepaidPackage.bulk_create(
        [
            PrepaidPackage(
                organisation_id=o,
                name="Block",
                hours=Decimal("500"),
                valid_from_date=MONTH,
                valid_until_date=dt.date(2026, 12, 31),
            )
            for o in org_ids[::3]
        ]
    )
    categories = (Category.assistance, Category.performance, Category.defect)
    await bulk_tickets(org_ids, TICKETS_PER_ORG, prefix="SUP-B", category=lambda t: categories[t % 3])
    return [(int(i), str(c)) for i, c in await Ticket.all().order_by("id").values_list("id", "category")]


async def add_entries(tickets: list[tuple[int, str]], count: int, offset: int) -> None:
    """`count` more entries of the month; every fifth billable one on an invoice, every seventh prepaid."""
    from billing.models import PrepaidDrawdown, PrepaidPackage
    from support.models import Staff
    from support.timetracking.models import TimeEntry

    staff = list(await Staff.all().order_by("id").values_list("id", flat=True))
    await TimeEntry.bulk_create(
        [
            TimeEntry(
                ticket_id=tickets[(offset + n) % len(tickets)][0],
                staff_id=staff[(offset + n) % len(staff)],
                work_date=MONTH.replace(day=1 + (offset + n) % 28),
                minutes=5 + (offset + n) * 37 % 116,
                description="Felsökning och svar till kund",
                category=tickets[(offset + n) % len(tickets)][1],
                billable=tickets[(offset + n) % len(tickets)][1] != "defect",
                invoice_id=1 if (offset + n) % 5 == 0 else None,
            )
            for n in range(count)
        ],
        batch_size=5000,
    )
    packages = dict(await PrepaidPackage.all().values_list("organisation_id", "id"))
    new = await TimeEntry.filter(id__gt=offset, billable=True).values_list("id", "ticket__bill_to_id")
    await PrepaidDrawdown.bulk_create(
        [
            PrepaidDrawdown(
                package_id=packages[org], invoice_id=1, line_no=1, time_entry_id=entry_id, hours=Decimal("0.2500")
            )
            for entry_id, org in new
            if entry_id % 7 == 0 and org in packages
        ],
        batch_size=5000,
    )


async def report_once() -> tuple[int, float, int]:
    """(peak bytes above the start, seconds, rows) of one month's report, serialised as the route does."""
    from billing import reports, schemas

    query = schemas.TimeReportQuery(period_start=MONTH, period_end=MONTH.replace(day=31))
    gc.collect()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    report = await reports.time_report(query=query)
    body = json.dumps(report.model_dump(mode="json"))
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] - before
    del body
    return peak, seconds, len(report.rows)


async def measure(url: str, steps: int, per_step: int) -> None:
    from tripdesk.db import close_connections, tortoise_config

    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    try:
        await Tortoise.generate_schemas()
        tickets = await setup()
        await report_once()  # first call: imports, prepared statements, caches
        tracemalloc.start()
        for step in range(1, steps + 1):
            await add_entries(tickets, per_step, (step - 1) * per_step)
            peak, seconds, rows = await report_once()
            print(
                f"  {step * per_step:7d} entries: peak {peak / 1024 / 1024:6.2f} MiB above start, "
                f"{seconds * 1000:6.0f} ms, {rows} rows",
                flush=True,
            )
        tracemalloc.stop()
    finally:
        await close_connections()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--per-step", type=int, default=4000)
    args = parser.parse_args()
    print(f"time report memory on {args.db}: one month, {ORGS} organisations, {STAFF} staff (tracemalloc)")
    if args.db == "postgres":
        name = f"tripdesk_bench_{uuid.uuid4().hex[:8]}"
        await pg_admin(f'CREATE DATABASE "{name}"')
        try:
            await measure(f"{PG_ADMIN.rpartition('/')[0]}/{name}", args.steps, args.per_step)
        finally:
            await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory() as tmp:
            await measure(f"sqlite://{tmp}/bench.sqlite3", args.steps, args.per_step)


if __name__ == "__main__":
    asyncio.run(main())
