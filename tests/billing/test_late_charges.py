"""Late-payment interest and reminder fees on the next invoice: off by default; when on, interest at the
reference rate + 8 pp for the days late on what was owed, the agreed fee per reminder, each charged once
(a later run charges only the days after, racing runs once), outside VAT as category E next to S and AE, on
a document the Peppol rules accept, on the PDF and booked on their own accounts in the SIE export."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from billing import bookkeeping, ledger, runs
from billing.models import Invoice, InvoiceLine
from billing.payments.late_charges import accrued_interest
from billing.payments.models import LateCharge
from billing.payments.settings import get_collection_settings
from billing.reminders import send_reminders
from billing.snapshot import InvoiceSnapshot
from invoices.pdf import render_pdf
from invoices.ubl import render_ubl
from invoices.validation import validate
from support.models import Organisation, Staff, Ticket
from tests import factories
from tests.billing import builders as b
from tests.billing.payment_world import issued_invoices, pay
from tests.factories import bearer
from tests.invoices.test_pdf import pages_text
from tests.peppol import HAVE_PEPPOL

APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
MAY = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
KEEP_ISSUE_HOOKS = True  # the reminder is sent (it attaches the PDF rendered at issue)


@pytest.fixture
def late_charges_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TRIPDESK_LATE_INTEREST", "true")
    monkeypatch.setenv("TRIPDESK_REFERENCE_RATE", "2.00")  # 10 % a year
    monkeypatch.setenv("TRIPDESK_REMINDER_FEE", "60")
    get_collection_settings.cache_clear()
    yield
    get_collection_settings.cache_clear()


def test_interest_counts_each_day_on_what_was_owed() -> None:
    due = dt.date(2026, 3, 4)
    ten = Decimal("10")
    paid_on_time = [(due, Decimal("1000"))]
    assert (
        accrued_interest(
            owed=Decimal("1000"), changes=paid_on_time, after=due, until=due + dt.timedelta(days=9), rate_percent=ten
        )
        == 0
    )
    # 1 000 kr 36.5 days at 10 % = 10 kr; paid on day 36.5 is not a day: 73 days on 500 kr is the same
    assert accrued_interest(
        owed=Decimal("500"), changes=[], after=due, until=due + dt.timedelta(days=73), rate_percent=ten
    ) == Decimal("10.00")
    # 1 562,50 kr: 1 000 paid after 10 days, the rest after 20: (1562.50 × 10 + 562.50 × 10) × 0.10 / 365
    changes = [(due + dt.timedelta(days=10), Decimal("1000")), (due + dt.timedelta(days=20), Decimal("562.50"))]
    assert accrued_interest(
        owed=Decimal("1562.50"), changes=changes, after=due, until=due + dt.timedelta(days=40), rate_percent=ten
    ) == Decimal("5.82")


async def _work(period: tuple[dt.date, dt.date], orgs: list[Organisation]) -> None:
    staff = await Staff.first()
    assert staff is not None
    for org in orgs:
        ticket = await Ticket.get(bill_to_id=org.id)
        await b.entry(ticket, staff, period[0] + dt.timedelta(days=5), 60)


async def _world() -> tuple[list[Invoice], list[Organisation], dt.date]:
    """Three invoices issued 2026-02-02, due 2026-03-04: A paid late in two parts, B unpaid and reminded (its
    organisation agreed to reminder fees), C (Finnish, reverse charge) unpaid, no fee agreed."""
    invoices = await issued_invoices([60, 60, 60], foreign=2)
    due = invoices[0].due_date
    assert due == dt.date(2026, 3, 4)
    a, _, _ = invoices
    for n, (days, amount) in enumerate([(10, Decimal("1000.00")), (20, Decimal("562.50"))], start=1):
        await pay(a, amount, on=due + dt.timedelta(days=days), serial=f"{n:012d}", written_at=f"2026031{n}000000000000")
    assert (await Invoice.get(id=a.id)).paid_at is not None
    reminded = {s["invoice_id"] for s in (await send_reminders(as_of=due + dt.timedelta(days=7))).sent}
    assert invoices[1].id in reminded
    orgs = [await Organisation.get(id=i.organisation_id) for i in invoices]
    return invoices, orgs, due


async def _charge_lines(invoice_id: int) -> list[tuple[str, str, Decimal, str]]:
    return [
        (str(line.charge), line.ticket_number, Decimal(line.amount), line.vat_category)
        for line in await InvoiceLine.filter(invoice_id=invoice_id, charge__isnull=False).order_by("line_no")
    ]


async def test_off_by_default(db: str) -> None:
    _, orgs, _ = await _world()
    await _work(APRIL, orgs)
    run = await runs.run_invoices(started_by="test", period_start=APRIL[0], period_end=APRIL[1])
    assert run.invoices_created == 3
    assert await InvoiceLine.filter(charge__isnull=False).count() == 0


async def test_interest_and_fee_on_the_next_invoice_once(
    client: httpx.AsyncClient, db: str, late_charges_on: None
) -> None:
    (a, bee, c), orgs, due = await _world()
    finance = bearer(await factories.token("finance"))
    agreed = await client.put(
        f"/api/v1/organisations/{orgs[1].id}/collection-terms", headers=finance, json={"reminder_fee_agreed": True}
    )
    assert agreed.status_code == 200 and agreed.json()["reminder_fee_agreed"] is True
    assert (
        await client.put(
            "/api/v1/organisations/99999/collection-terms", headers=finance, json={"reminder_fee_agreed": True}
        )
    ).status_code == 404
    assert (
        await client.put(
            f"/api/v1/organisations/{orgs[1].id}/collection-terms",
            headers=finance,
            json={"reminder_fee_agreed": "maybe"},
        )
    ).status_code == 422

    await _work(APRIL, orgs)
    await runs.run_invoices(started_by="test", period_start=APRIL[0], period_end=APRIL[1])
    drafts = {i.organisation_id: i for i in await Invoice.filter(status="draft")}
    days_b = (APRIL[1] - due).days  # 57: still unpaid at the period's end
    assert await _charge_lines(drafts[orgs[0].id].id) == [("late_interest", a.number, Decimal("5.82"), "E")]
    interest_b = (Decimal(bee.gross_amount) * days_b * Decimal("0.10") / 365).quantize(Decimal("0.01"))
    assert await _charge_lines(drafts[orgs[1].id].id) == [
        ("late_interest", bee.number, interest_b, "E"),
        ("reminder_fee", bee.number, Decimal("60.00"), "E"),
    ]
    interest_c = (Decimal(c.gross_amount) * days_b * Decimal("0.10") / 365).quantize(Decimal("0.01"))
    assert await _charge_lines(drafts[orgs[2].id].id) == [("late_interest", c.number, interest_c, "E")]  # no fee
    # no VAT on the charges: the VAT is that of the hour alone
    draft_b = drafts[orgs[1].id]
    assert Decimal(draft_b.vat_amount) == Decimal("312.50")
    assert Decimal(draft_b.gross_amount) == Decimal("1562.50") + interest_b + Decimal("60.00")

    # discarding a draft gives its charges back; the next run charges them again, once
    await ledger.discard_invoice(principal=b.FINANCE, invoice_id=drafts[orgs[0].id].id)
    assert await LateCharge.filter(late_invoice_id=a.id).count() == 0
    await runs.run_invoices(started_by="test", period_start=APRIL[0], period_end=APRIL[1])
    redrafted = await Invoice.get(organisation_id=orgs[0].id, status="draft")
    assert await _charge_lines(redrafted.id) == [("late_interest", a.number, Decimal("5.82"), "E")]

    issued = []
    for draft in await Invoice.filter(status="draft").order_by("id"):
        issued.append(
            await ledger.issue_draft(principal=b.FINANCE, invoice_id=draft.id, issue_date=dt.date(2026, 5, 2))
        )
    for invoice in issued:
        snapshot = InvoiceSnapshot.model_validate(invoice.snapshot)
        assert not HAVE_PEPPOL or validate(render_ubl(snapshot)) == [], invoice.number  # S + E, and AE + E
    snapshot_b = InvoiceSnapshot.model_validate(next(i for i in issued if i.organisation_id == orgs[1].id).snapshot)
    text = " ".join(pages_text(render_pdf(snapshot_b)))
    assert f"Dröjsmålsränta 10 % på faktura {bee.number}" in text and f"påminnelse 1 för faktura {bee.number}" in text
    assert "Utan moms: dröjsmålsränta och påminnelseavgift" in text

    verifications = await bookkeeping.verifications(dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    by_account: dict[str, Decimal] = {}
    for ver in verifications:
        for row in ver.rows:
            by_account[row.account] = by_account.get(row.account, Decimal(0)) + row.amount
    assert by_account["8313"] == -(Decimal("5.82") + interest_b + interest_c)
    assert by_account["3930"] == Decimal("-60.00")

    # May: A is settled and charged; B and C accrue only May's days; B's one reminder is not charged again
    await _work(MAY, orgs)
    await runs.run_invoices(started_by="test", period_start=MAY[0], period_end=MAY[1])
    may = {i.organisation_id: i for i in await Invoice.filter(status="draft")}
    assert await _charge_lines(may[orgs[0].id].id) == []
    may_b = (Decimal(bee.gross_amount) * 31 * Decimal("0.10") / 365).quantize(Decimal("0.01"))
    assert await _charge_lines(may[orgs[1].id].id) == [("late_interest", bee.number, may_b, "E")]
    charges = await LateCharge.filter(late_invoice_id=bee.id, kind="late_interest").order_by("seq")
    assert [(ch.seq, ch.from_date, ch.until_date) for ch in charges] == [
        (1, due + dt.timedelta(days=1), APRIL[1]),
        (2, MAY[0], MAY[1]),
    ]


async def test_outside_the_eu_the_charges_are_o_like_the_invoice(db: str, late_charges_on: None) -> None:
    await b.card()
    staff = await factories.staff()
    org = await factories.organisation(
        name="Fjordkraft AS", kind="company", country_code="NO", organisation_number="923609016", language="en"
    )
    ticket = await b.ticket(org)
    await b.entry(ticket, staff, dt.date(2026, 1, 10), 60)
    await runs.run_invoices(started_by="test", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31))
    first = await Invoice.get(organisation_id=org.id, status="draft")
    late = await ledger.issue_draft(principal=b.FINANCE, invoice_id=first.id, issue_date=dt.date(2026, 2, 2))
    await _work(APRIL, [org])
    await runs.run_invoices(started_by="test", period_start=APRIL[0], period_end=APRIL[1])
    draft = await Invoice.get(organisation_id=org.id, status="draft")
    lines = await _charge_lines(draft.id)
    assert [(kind, vat) for kind, _, _, vat in lines] == [("late_interest", "O")]
    issued = await ledger.issue_draft(principal=b.FINANCE, invoice_id=draft.id, issue_date=dt.date(2026, 5, 2))
    snapshot = InvoiceSnapshot.model_validate(issued.snapshot)
    assert not HAVE_PEPPOL or validate(render_ubl(snapshot)) == []
    assert "Late-payment interest 10 % on invoice " + (late.number or "") in snapshot.lines[-1].description


@pytest.mark.postgres_only
async def test_racing_runs_charge_once(db: str, late_charges_on: None) -> None:
    _, orgs, _ = await _world()
    await _work(APRIL, orgs)
    await asyncio.gather(
        *(runs.run_invoices(started_by=f"racer {n}", period_start=APRIL[0], period_end=APRIL[1]) for n in range(4))
    )
    assert await Invoice.filter(status="draft").count() == 3
    assert await LateCharge.all().count() == 3  # one interest charge for each late invoice
    assert await InvoiceLine.filter(charge__isnull=False).count() == 3
