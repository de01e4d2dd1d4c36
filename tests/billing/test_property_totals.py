"""Property: every invoice total can be recomputed from its time entries and the rate cards by simple,
independent code — round each entry up to the increment, hours × rate per (ticket, category, rate) line
rounded half-up to öre, sum the lines, VAT per rate (0 for reverse charge) — to the öre."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import ledger, runs
from billing import settings as billing_settings
from billing.models import (
    Invoice,
    InvoiceLine,
    InvoiceLineEntry,
    InvoiceRun,
    PrepaidDrawdown,
    PrepaidPackage,
    RateCard,
    RateCardRate,
)
from billing.snapshot import InvoiceSnapshot
from support.timetracking.models import TimeEntry
from tests import factories
from tests.billing import builders as b

CATEGORIES = ["assistance", "performance", "activation"]
START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)

money = st.integers(min_value=0, max_value=300_000).map(lambda c: Decimal(c) / 100)
rates = st.fixed_dictionaries({c: money for c in CATEGORIES})
entry = st.tuples(
    st.integers(0, 2), st.integers(0, 2), st.sampled_from(CATEGORIES), st.integers(1, 31), st.integers(1, 600)
)
scenario = st.fixed_dictionaries(
    {
        "increment": st.sampled_from([3, 6, 12, 15, 30, 60]),
        "default": rates,
        "agreement": st.none() | st.tuples(rates, st.integers(1, 31)),  # org 0, valid from that day
        "foreign": st.lists(st.booleans(), min_size=3, max_size=3),
        "prepaid": st.none() | st.tuples(st.integers(0, 40).map(lambda q: Decimal(q) / 4), st.integers(1, 31)),
        "entries": st.lists(entry, min_size=1, max_size=25),
    }
)


def half_up(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_totals(s: dict, entries: list[tuple[int, int, int, str, dt.date, int]]) -> dict[int, tuple]:
    """Independent arithmetic: entries are (id, org, ticket, category, date, minutes)."""
    inc = s["increment"]
    prepaid_left = s["prepaid"][0] if s["prepaid"] else Decimal(0)
    out: dict[int, tuple] = {}
    for org in range(3):
        lines: dict[tuple, Decimal] = {}
        for _eid, o, t, cat, day, minutes in sorted(entries, key=lambda e: (e[4], e[0])):
            if o != org:
                continue
            hours = Decimal(((minutes + inc - 1) // inc) * inc) / 60
            rate = s["default"][cat]
            if org == 0 and s["agreement"] and day.day >= s["agreement"][1]:
                rate = s["agreement"][0][cat]
            if org == 0 and s["prepaid"] and day.day <= s["prepaid"][1]:
                take = min(hours, prepaid_left)
                prepaid_left -= take
                hours -= take
            lines[(t, cat, rate)] = lines.get((t, cat, rate), Decimal(0)) + hours
        if not lines:
            continue
        net = sum((half_up(h * r) for (_, _, r), h in lines.items()), Decimal(0))
        vat = Decimal("0.00") if s["foreign"][org] else half_up(net * Decimal("0.25"))
        out[org] = (net, vat, net + vat)
    return out


async def clean() -> None:
    for model in (
        InvoiceLineEntry,
        PrepaidDrawdown,
        InvoiceLine,
        Invoice,
        InvoiceRun,
        RateCardRate,
        RateCard,
        PrepaidPackage,
        TimeEntry,
    ):
        await model.all().delete()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(s=scenario)
async def test_totals_recompute_from_entries_and_rate_cards(db: str, monkeypatch: pytest.MonkeyPatch, s: dict) -> None:
    await clean()
    cfg = billing_settings.BillingSettings(billing_increment_minutes=s["increment"])
    monkeypatch.setattr(runs, "get_billing_settings", lambda: cfg)
    await b.card(valid_from=dt.date(2020, 1, 1), rates_={c: str(r) for c, r in s["default"].items()})
    staff = await factories.staff()
    orgs = [
        await factories.organisation(country_code="FI", vat_number="FI20774740", organisation_number=None)
        if foreign
        else await factories.organisation()
        for foreign in s["foreign"]
    ]
    if s["agreement"]:
        agreed, day = s["agreement"]
        await b.card(
            organisation=orgs[0], valid_from=dt.date(2026, 3, day), rates_={c: str(r) for c, r in agreed.items()}
        )
    if s["prepaid"]:
        await b.package(
            orgs[0], str(s["prepaid"][0]), valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 3, s["prepaid"][1])
        )
    tickets = [[await b.ticket(org) for _ in range(3)] for org in orgs]
    made = []
    for o, t, cat, day, minutes in s["entries"]:
        row = await b.entry(tickets[o][t], staff, dt.date(2026, 3, day), minutes, category=cat)
        made.append((row.id, o, t, cat, row.work_date, minutes))

    run = await runs.run_invoices(started_by="property", period_start=START, period_end=END)
    invoices = {inv.organisation_id: inv for inv in await Invoice.filter(run_id=run.id)}
    expected = expected_totals(s, made)
    assert set(invoices) == {orgs[o].id for o in expected}
    for o, (net, vat, gross) in expected.items():
        invoice = invoices[orgs[o].id]
        assert (invoice.net_amount, invoice.vat_amount, invoice.gross_amount) == (net, vat, gross)
        read = await ledger.issue_invoice(principal=b.FINANCE, invoice_id=invoice.id)
        snap = InvoiceSnapshot.model_validate(read.snapshot)
        assert (snap.totals.net, snap.totals.vat, snap.totals.payable) == (net, vat, gross)
        assert sum(len(line.entries) for line in snap.lines) == sum(1 for m in made if m[1] == o)
