"""Time report per organisation × category × month × staff: billable vs free, prepaid, amounts; JSON, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import httpx
import pytest

from billing import reports, runs, schemas
from billing.models import PrepaidDrawdown
from billing.money import line_amount, minutes_billed_hours, minutes_to_hours
from billing.rates import RateBook
from support.timetracking.models import TimeEntry
from tests import factories
from tests.billing import builders as b
from tests.factories import bearer


async def test_time_report_json_and_csv(client: httpx.AsyncClient, db: str) -> None:
    await b.card()
    org, other = await factories.organisation(name="Alvik"), await factories.organisation(name="Borås")
    anna, bo = await factories.staff(name="Anna"), await factories.staff(name="Bo")
    await b.package(org, "1")
    t = await b.ticket(org)
    await b.entry(t, anna, dt.date(2026, 1, 5), 50)  # 1 h billed, 1 h prepaid
    await b.entry(t, anna, dt.date(2026, 1, 6), 30)  # 0.5 h at 1250 = 625
    await b.entry(t, bo, dt.date(2026, 2, 2), 45)
    await b.entry(await b.ticket(org, category="defect"), anna, dt.date(2026, 1, 7), 90)  # free
    await b.entry(await b.ticket(other), bo, dt.date(2026, 1, 8), 60)
    await runs.run_invoices(started_by="t", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31))
    finance = bearer(await factories.token("finance"))
    params = {"period_start": "2026-01-01", "period_end": "2026-02-28"}
    report = (await client.get("/api/v1/reports/time", params=params, headers=finance)).json()
    rows = [
        (
            r["organisation_name"],
            r["category"],
            r["month"],
            r["staff_name"],
            r["worked_hours"],
            r["billable_hours"],
            r["free_hours"],
            r["prepaid_hours"],
            r["invoiced_hours"],
            r["amount"],
        )
        for r in report["rows"]
    ]
    assert rows == [
        ("Alvik", "assistance", "2026-01", "Anna", "1.33", "1.50", "0.00", "1.00", "1.50", "625.00"),
        ("Alvik", "assistance", "2026-02", "Bo", "0.75", "0.75", "0.00", "0.00", "0.00", "937.50"),
        ("Alvik", "defect", "2026-01", "Anna", "1.50", "0.00", "1.50", "0.00", "0.00", "0.00"),
        ("Borås", "assistance", "2026-01", "Bo", "1.00", "1.00", "0.00", "0.00", "1.00", "1250.00"),
    ]
    assert report["totals"]["amount"] == "2812.50"
    only = (
        await client.get("/api/v1/reports/time", params={**params, "organisation_id": other.id}, headers=finance)
    ).json()
    assert [r["organisation_name"] for r in only["rows"]] == ["Borås"]
    as_csv = await client.get("/api/v1/reports/time", params={**params, "format": "csv"}, headers=finance)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(parsed) == 4 and parsed[0]["amount"] == "625.00" and parsed[3]["organisation_name"] == "Borås"


async def test_report_roles_and_bad_input(client: httpx.AsyncClient, db: str) -> None:
    org = await factories.organisation()
    params = {"period_start": "2026-01-01", "period_end": "2026-01-31"}
    for role in ("admin", "support", "finance"):
        token = bearer(await factories.token(role))
        assert (await client.get("/api/v1/reports/time", params=params, headers=token)).status_code == 200
    integrator = bearer(await factories.token("integrator", organisation=org))
    assert (await client.get("/api/v1/reports/time", params=params, headers=integrator)).status_code == 403
    assert (await client.get("/api/v1/reports/time", params=params)).status_code == 401
    admin = bearer(await factories.token("admin"))
    for bad in (
        {"period_start": "2026-02-01", "period_end": "2026-01-01"},
        {"period_start": "2026-01-01"},
        {**params, "format": "xml"},
        {**params, "organisation_id": "x"},
    ):
        assert (await client.get("/api/v1/reports/time", params=bad, headers=admin)).status_code == 422


async def test_report_sums_equal_entry_by_entry_rounding(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database sums per day must give what rounding each entry (worked to 4 dp, billed up to the
    increment), then summing, gives: many short entries make a per-sum rounding visible in the total, and an
    agreement from the 15th puts two rates into one month's row."""
    from billing import settings as billing_settings

    six = billing_settings.BillingSettings(billing_increment_minutes=6)
    monkeypatch.setattr(reports, "get_billing_settings", lambda: six)
    await b.card()
    org = await factories.organisation(name="Alvik")
    await b.card(organisation=org, valid_from=dt.date(2026, 1, 15), rates_={"assistance": "999.99"})
    await b.package(org, "2")
    anna, bo = await factories.staff(name="Anna"), await factories.staff(name="Bo")
    tickets = [await b.ticket(org), await b.ticket(org, category="defect")]
    minutes = [1, 4, 7, 13, 31, 61]  # each rounds up by a third of 0.0001 h
    await TimeEntry.bulk_create(
        [
            TimeEntry(
                ticket_id=tickets[n % 2].id,
                staff_id=(anna, bo)[n % 3 == 0].id,
                work_date=dt.date(2026, 2 if n % 5 == 0 else 1, 1 + n % 28),
                minutes=minutes[n % 6],
                description="Arbete",
                category=tickets[n % 2].category,
                billable=n % 2 == 0,
                approved_at=dt.datetime.now(dt.UTC),
            )
            for n in range(1800)
        ]
    )
    await runs.run_invoices(started_by="t", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 10))
    await PrepaidDrawdown.filter(id=(await PrepaidDrawdown.first()).id).update(  # type: ignore[union-attr]
        released_at=dt.datetime.now(dt.UTC)
    )
    drawn: dict[int, Decimal] = defaultdict(Decimal)
    for time_entry_id, hours in await PrepaidDrawdown.filter(released_at__isnull=True).values_list(
        "time_entry_id", "hours"
    ):
        drawn[time_entry_id] += hours
    book = await RateBook.load(start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 28))
    expected: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 5)
    by_rate: dict[tuple[str, str, str], dict[Decimal, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    names = {anna.id: "Anna", bo.id: "Bo"}
    for e in await TimeEntry.all():
        key = (str(e.category), e.work_date.strftime("%Y-%m"), names[e.staff_id])  # type: ignore[attr-defined]
        worked, billed = minutes_to_hours(e.minutes), minutes_billed_hours(e.minutes, 6)
        sums = expected[key]
        sums[0] += worked
        if not e.billable:
            sums[2] += worked
            continue
        sums[1] += billed
        sums[3] += drawn[e.id]
        sums[4] += billed if e.invoice_id is not None else 0
        by_rate[key][book.lookup(org.id, "assistance", e.work_date)[0]] += billed - drawn[e.id]  # type: ignore[index]
    report = await reports.time_report(
        query=schemas.TimeReportQuery(period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 2, 28))
    )
    got = {
        (r.category, r.month, r.staff_name): [
            r.worked_hours,
            r.billable_hours,
            r.free_hours,
            r.prepaid_hours,
            r.invoiced_hours,
            r.amount,
        ]
        for r in report.rows
    }
    assert got == {
        key: [s.quantize(Decimal("0.01")) for s in sums]
        + [sum((line_amount(h, rate) for rate, h in by_rate[key].items()), Decimal("0.00"))]
        for key, sums in expected.items()
    }
    assert len(got) == 8 and len(by_rate[("assistance", "2026-01", "Anna")]) == 2
    assert sum(r.entries for r in report.rows) == 1800
