"""The billing demo data gives an invoice run work to do, including reverse charge, and is idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from billing import runs
from billing.demo import seed_billing_demo
from billing.models import Invoice, RateCard
from support.demo import seed_demo
from support.models import Organisation
from support.timetracking.models import TimeEntry
from support.timetracking.settings import business_today


@pytest.mark.slow
async def test_demo_seed_makes_invoiceable_time(db: str, tmp_path: Path) -> None:
    await seed_demo()
    first = await seed_billing_demo(data_dir=tmp_path)
    assert first["time_entries"] >= 10
    again = await seed_billing_demo(data_dir=tmp_path)
    assert again == {"billing": "demo data already present"}
    assert await RateCard.all().count() == 2
    assert await TimeEntry.filter(billable=False).count() >= 2  # free defect and evaluation time
    today = business_today()
    this_month = today.replace(day=1)
    previous = (this_month - dt.timedelta(days=1)).replace(day=1)
    run = await runs.run_invoices(started_by="demo", period_start=previous, period_end=today, allow_open_period=True)
    invoices = await Invoice.filter(run_id=run.id).prefetch_related("organisation")
    names = {i.organisation.name for i in invoices}
    assert {"Norrvikens kommun", "Fjällbo Energi AB", "Nordic Data Solutions Oy"} <= names
    foreign = next(i for i in invoices if i.organisation.name == "Nordic Data Solutions Oy")
    assert foreign.reverse_charge and foreign.vat_amount == 0 and foreign.net_amount > 0
    assert run.skipped == []
    nordic = await Organisation.get(name="Nordic Data Solutions Oy")
    assert nordic.country_code == "FI"
