"""Concurrency on PostgreSQL with real parallel connections: racing invoice runs and issue calls, several
CLI processes at once, and a process killed in the middle of a run."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import cast

import httpx
import pytest
from stdnum import luhn
from tortoise import Tortoise

from billing import run_state
from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceLineEntry, InvoiceRun, InvoiceStatus, RunStatus
from support.models import Organisation, Ticket
from support.policy import Category
from support.timetracking.models import TimeEntry
from support.timetracking.settings import business_today
from tests import factories
from tests.billing import builders as b
from tests.factories import bearer

pytestmark = pytest.mark.postgres_only
KEEP_ISSUE_HOOKS = True  # issue with the real document rendering and email, as production does
ROOT = Path(__file__).resolve().parents[2]
JAN = {"period_start": "2026-01-01", "period_end": "2026-01-31"}
YEAR = business_today().year


async def bulk_world(organisations: int, tickets: int = 3, entries: int = 3) -> None:
    """Many organisations with approved billable time in January, inserted in bulk."""
    await b.card()
    staff = await factories.staff()
    await Organisation.bulk_create(
        [
            Organisation(
                name=f"Org {i}",
                kind="company",
                country_code="SE" if i % 4 else "NO",
                organisation_number=with_luhn(f"55{i:07d}") if i % 4 else norwegian_orgnr(i),
                vat_number=f"SE{with_luhn(f'55{i:07d}')}01" if i % 4 else f"NO{norwegian_orgnr(i)}MVA",
                street="Storgatan 1",
                postal_code="111 22",
                city="Stockholm",
                invoice_email=f"faktura{i}@example.se",
                buyer_reference=f"REF-{i}",
            )
            for i in range(organisations)
        ]
    )
    orgs = cast(list[int], await Organisation.all().order_by("id").values_list("id", flat=True))
    await b.bulk_tickets(orgs, tickets, prefix="SUP-R")
    now = dt.datetime.now(dt.UTC)
    ticket_ids = await Ticket.all().values_list("id", flat=True)
    await TimeEntry.bulk_create(
        [
            TimeEntry(
                ticket_id=t,
                staff_id=staff.id,
                work_date=dt.date(2026, 1, 1 + e),
                minutes=20 + 7 * e,
                description="Arbete",
                category=Category.assistance,
                billable=True,
                approved_at=now,
            )
            for t in ticket_ids
            for e in range(entries)
        ],
        batch_size=2000,
    )


async def check_consistency(*, all_claimed: bool) -> list[Invoice]:
    """No half invoice: lines sum to totals, each line's entries point back to its invoice, none twice."""
    invoices = await Invoice.filter(kind=InvoiceKind.invoice).exclude(status=InvoiceStatus.discarded)
    per_org = Counter(i.organisation_id for i in invoices)
    assert max(per_org.values(), default=1) == 1, "two invoices for one organisation and period"
    for invoice in invoices:
        lines = await InvoiceLine.filter(invoice_id=invoice.id)
        assert lines, f"invoice {invoice.id} has no lines"
        assert sum((ln.amount for ln in lines), Decimal(0)) == invoice.net_amount
        linked = await InvoiceLineEntry.filter(invoice_id=invoice.id).values_list("time_entry_id", flat=True)
        assert len(linked) == len(set(linked))
        assert await TimeEntry.filter(id__in=linked, invoice_id=invoice.id).count() == len(linked)
        assert await TimeEntry.filter(invoice_id=invoice.id).count() == len(linked)
    all_linked = await InvoiceLineEntry.filter(invoice_id__in=[i.id for i in invoices]).values_list(
        "time_entry_id", flat=True
    )
    assert len(all_linked) == len(set(all_linked)), "a time entry is on two invoices"
    invoice_ids = {i.id for i in invoices}
    dangling = await TimeEntry.filter(invoice_id__isnull=False).exclude(invoice_id__in=invoice_ids).count()
    assert dangling == 0, "a time entry points to an invoice that does not exist"
    if all_claimed:
        assert await TimeEntry.filter(invoice_id__isnull=True).count() == 0
    return invoices


def with_luhn(base: str) -> str:
    return base + luhn.calc_check_digit(base)


def norwegian_orgnr(i: int) -> str:
    """A valid Norwegian organisation number (mod 11) near 9xxxxxxx, one per i."""
    from stdnum.no import orgnr

    for base in range(9_0000_000 + i * 13, 9_0000_000 + i * 13 + 13):
        for digit in "0123456789":
            if orgnr.is_valid(f"{base}{digit}"):
                return f"{base}{digit}"
    raise AssertionError(i)


def assert_gapless(numbers: list[str], prefix: str) -> None:
    seqs = sorted(int(n.split("-")[1]) for n in numbers)
    assert all(n.startswith(f"{prefix}{YEAR}-") for n in numbers)
    assert seqs == list(range(1, len(seqs) + 1)), seqs


async def test_twenty_concurrent_runs_and_issuers(client: httpx.AsyncClient, db: str) -> None:
    await bulk_world(30)
    finance = bearer(await factories.token("finance"))
    runs_done = asyncio.Event()

    async def one_run() -> httpx.Response:
        return await client.post("/api/v1/invoice-runs", json=JAN, headers=finance)

    async def issuer() -> list[str]:
        numbers: list[str] = []
        while True:
            finished = runs_done.is_set()
            listed = await client.get("/api/v1/invoices", params={"status": "draft", "limit": 200}, headers=finance)
            for item in listed.json()["items"]:
                response = await client.post(f"/api/v1/invoices/{item['id']}/issue", headers=finance)
                if response.status_code == 200:
                    numbers.append(response.json()["number"])
                else:
                    assert response.status_code == 409, response.text
            if finished:
                return numbers
            await asyncio.sleep(0.01)

    issuers = [asyncio.create_task(issuer()) for _ in range(5)]
    responses = await asyncio.gather(*(one_run() for _ in range(20)))
    runs_done.set()
    numbers = [n for task in issuers for n in await task]
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201]
    assert sum(r.json()["invoices_created"] for r in responses) == 30
    invoices = await check_consistency(all_claimed=True)
    assert len(invoices) == 30 and all(i.status == InvoiceStatus.issued for i in invoices)
    assert len(numbers) == len(set(numbers)) == 30
    assert_gapless(numbers, "F")


async def test_concurrent_issue_of_the_same_draft_and_credits(client: httpx.AsyncClient, db: str) -> None:
    await bulk_world(6)
    finance = bearer(await factories.token("finance"))
    run = (await client.post("/api/v1/invoice-runs", json=JAN, headers=finance)).json()
    ids = [i["id"] for i in run["invoices"]]
    responses = await asyncio.gather(
        *(client.post(f"/api/v1/invoices/{i}/issue", headers=finance) for i in ids for _ in range(4))
    )
    assert Counter(r.status_code for r in responses) == {200: 6, 409: 18}
    assert_gapless([r.json()["number"] for r in responses if r.status_code == 200], "F")
    credits = await asyncio.gather(
        *(
            client.post(f"/api/v1/invoices/{i}/credit", json={"reason": "race"}, headers=finance)
            for i in ids
            for _ in range(3)
        )
    )
    assert Counter(r.status_code for r in credits) == {201: 6, 409: 12}
    assert_gapless([r.json()["number"] for r in credits if r.status_code == 201], "K")
    assert await TimeEntry.filter(invoice_id__isnull=False).count() == 0


def _cli_env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=db_url, PYTHONPATH=str(ROOT), TRIPDESK_LOG_JSON="false")
    return env


def _tripdesk() -> list[str]:
    return [sys.executable, "-c", "from tripdesk.cli import main; main()"]


async def until_no_other_transaction(seconds: float = 30) -> None:
    """Return once no other client of this database has a transaction open (PostgreSQL)."""
    conn = Tortoise.get_connection("default")
    deadline = time.monotonic() + seconds
    while True:
        _, rows = await conn.execute_query(
            "SELECT count(*) AS open FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND xact_start IS NOT NULL"
        )
        if rows[0]["open"] == 0:
            return
        assert time.monotonic() < deadline, "another client's transaction is still open"
        await asyncio.sleep(0.02)


async def _start(db: str, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *_tripdesk(),
        "invoice-run",
        "--period",
        "2026-01",
        "--quiet",
        *args,
        cwd=ROOT,
        env=_cli_env(db),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_parallel_cli_processes_end_like_one(db: str) -> None:
    await bulk_world(20)
    procs = [await _start(db, "--issue") for _ in range(3)]
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode in (0, 1), err
        assert b"Traceback" not in err
        assert len(out.decode().strip().splitlines()) <= 1
    invoices = await check_consistency(all_claimed=True)
    assert len(invoices) == 20 and all(i.status == InvoiceStatus.issued for i in invoices)
    assert_gapless([i.number for i in invoices if i.number], "F")


async def test_killed_run_leaves_no_half_invoice(db: str) -> None:
    await bulk_world(200, tickets=4, entries=4)
    proc = await _start(db)
    deadline = time.monotonic() + 60
    try:
        while await Invoice.all().count() < 10:
            assert proc.returncode is None, "the run finished before it could be killed; make the world bigger"
            assert time.monotonic() < deadline
            await asyncio.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == -signal.SIGKILL
    await until_no_other_transaction()  # the server noticed the dead connection and rolled its transaction back
    partial = await check_consistency(all_claimed=False)
    assert 10 <= len(partial) < 200
    # The killed run's row tells the truth: its count is the drafts that exist (written with each draft).
    killed = await InvoiceRun.get()
    assert killed.invoices_created == len(partial) == await Invoice.filter(run_id=killed.id).count()
    assert killed.organisations_considered == 200 and killed.status == RunStatus.running
    later = dt.datetime.now(dt.UTC) + run_state.STALE_AFTER + dt.timedelta(seconds=1)
    assert run_state.status_of(killed, now=later) == RunStatus.abandoned
    assert await run_state.abandon_stale_runs(now=later) == [killed.id]
    # Running again finishes the job without duplicating anything.
    done = await _start(db)
    _, err = await asyncio.wait_for(done.communicate(), 120)
    assert done.returncode == 0, err
    assert len(await check_consistency(all_claimed=True)) == 200
    second = await InvoiceRun.exclude(id=killed.id).get()
    assert second.status == RunStatus.finished and second.invoices_created == 200 - len(partial)
    assert (await InvoiceRun.get(id=killed.id)).status == RunStatus.abandoned
