"""Time report per organisation × category × month × staff: billable vs free, prepaid, amounts; JSON, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx

from billing import runs
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
        await client.get(
            "/api/v1/reports/time", params={**params, "organisation_id": other.id}, headers=finance
        )
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
