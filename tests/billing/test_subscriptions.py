"""Integration subscriptions: pro rata to the öre against an independent computation, billed in advance in the
invoice run (with consulting time or alone), a change of tier mid-period, cancelling, discarding, resale, and
the Peppol rules for every document with subscription lines."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import httpx
import pytest

from billing import credits, ledger, runs
from billing import schemas as billing_schemas
from billing.models import Invoice, InvoiceLine, InvoiceStatus
from billing.snapshot import InvoiceSnapshot
from billing.subscriptions import schemas, service
from billing.subscriptions.models import BillingPeriod, SubscriptionCharge
from billing.subscriptions.periods import prorated
from invoices.ubl import render_ubl
from invoices.validation import validate
from support.models import Licence, OrganisationKind, PartnerLevel
from support.programme.models import PartnerAgreement
from tests import factories
from tests.billing import builders as b
from tests.billing.subscription_builders import expected_ore, period_bounds, price_list, subscribe
from tests.factories import bearer
from tests.peppol import needs_peppol

KEEP_ISSUE_HOOKS = False


async def run(start: dt.date, end: dt.date) -> list[Invoice]:
    await runs.run_invoices(started_by="test", period_start=start, period_end=end, allow_open_period=True)
    return await Invoice.filter(status=InvoiceStatus.draft, period_start_date=start).order_by("id")


def month(year: int, m: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, m, 1)
    nxt = dt.date(year + (m == 12), m % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


async def lines_of(invoice: Invoice) -> list[InvoiceLine]:
    return await InvoiceLine.filter(invoice_id=invoice.id).order_by("line_no")


# Pro rata ---------------------------------------------------------------------------------------------


def test_prorata_matches_an_independent_computation_to_the_ore() -> None:
    rng = random.Random(18)
    checked = 0
    for _ in range(3000):
        period = rng.choice(list(BillingPeriod))
        fee = Decimal(rng.randint(1, 50_000_000)) / 100
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 6))
        start, end = period_bounds(day, period)
        first = start + dt.timedelta(days=rng.randint(0, (end - start).days))
        last = first + dt.timedelta(days=rng.randint(0, (end - first).days))
        assert prorated(fee, period, start, end, first, last) == expected_ore(str(fee), period, first, last), (
            fee,
            period,
            first,
            last,
        )
        checked += 1
    assert checked == 3000
    # A whole period is exactly the fee (or a quarter of it), leap year or not.
    whole_periods = [
        (Decimal("120000"), BillingPeriod.yearly, dt.date(2028, 1, 1), dt.date(2028, 12, 31), Decimal("120000.00")),
        (Decimal("9600"), BillingPeriod.quarterly, dt.date(2027, 1, 1), dt.date(2027, 3, 31), Decimal("2400.00")),
    ]
    for fee, period, start, end, whole in whole_periods:
        assert prorated(fee, period, start, end, start, end) == whole


# The invoice run ----------------------------------------------------------------------------------------


async def test_fee_in_advance_pro_rata_on_the_same_invoice_as_time(db: str) -> None:
    await b.card()
    await price_list()
    org = await factories.organisation()
    staff = await factories.staff()
    await b.entry(await b.ticket(org), staff, dt.date(2027, 3, 20), 60)
    sub = await subscribe(org, "xl", dt.date(2027, 3, 15))

    [invoice] = await run(*month(2027, 3))
    time_line, fee_line = await lines_of(invoice)
    assert time_line.ticket_id is not None and fee_line.ticket_id is None
    assert fee_line.description == "Integrationsabonnemang XL 2027-03-15 – 2027-12-31"
    assert fee_line.amount == expected_ore(120000, BillingPeriod.yearly, dt.date(2027, 3, 15), dt.date(2027, 12, 31))
    assert fee_line.unit == "C62" and fee_line.quantity == 1 and fee_line.unit_price == fee_line.amount
    assert invoice.net_amount == time_line.amount + fee_line.amount

    # Billed in advance for the year: the April run has nothing for it (and nothing to report); the next year
    # is billed in January.
    april = await runs.run_invoices(
        started_by="test", period_start=dt.date(2027, 4, 1), allow_open_period=True, period_end=dt.date(2027, 4, 30)
    )
    assert (april.invoices_created, april.skipped) == (0, [])
    [next_year] = await run(*month(2028, 1))
    [line] = await lines_of(next_year)
    assert (line.description, line.amount) == (
        "Integrationsabonnemang XL 2028-01-01 – 2028-12-31",
        Decimal("120000.00"),
    )
    charges = (await service.get_subscription(principal=b.ADMIN, subscription_id=sub.id)).charges
    assert [(c.period_start, c.amount) for c in charges] == [
        (dt.date(2027, 1, 1), fee_line.amount),
        (dt.date(2028, 1, 1), Decimal("120000.00")),
    ]


async def test_quarterly_by_agreement_and_a_catch_up_on_its_own_invoice(db: str) -> None:
    await price_list()
    org = await factories.organisation(language="en")
    await price_list(organisation=org, period="quarterly", prices=[{"kind": "per_application", "annual_fee": "8000"}])
    app = await factories.application(
        org, purpose="Publishes building permits on the web", in_production=True, production_date=dt.date(2027, 2, 10)
    )
    await subscribe(org, "per_application", None, application_id=app.id)

    [invoice] = await run(*month(2027, 4))  # Q1 (from the production date) and Q2, in advance
    q1, q2 = await lines_of(invoice)
    assert q1.description == (f"Integration subscription per application: {app.name} 2027-02-10 – 2027-03-31")
    assert q1.amount == expected_ore(8000, BillingPeriod.quarterly, dt.date(2027, 2, 10), dt.date(2027, 3, 31))
    assert q2.amount == Decimal("2000.00")
    assert await run(*month(2027, 5)) == []


async def test_tier_change_mid_period_credits_and_charges_the_difference(db: str) -> None:
    await price_list()
    org = await factories.organisation(population=20_000)
    sub = await subscribe(org, "population", dt.date(2027, 1, 1))
    assert sub.label == "10\u00a0000–49\u00a0999"
    [january] = await run(*month(2027, 1))
    [first] = await lines_of(january)
    assert first.amount == Decimal("36000.00")
    await ledger.issue_invoice(principal=b.FINANCE, invoice_id=january.id, issue_date=dt.date(2027, 1, 31))

    new = await service.change_subscription(
        principal=b.ADMIN,
        subscription_id=sub.id,
        data=schemas.SubscriptionChange(kind="xl", effective_date=dt.date(2027, 7, 1)),
    )
    assert (await service.get_subscription(principal=b.ADMIN, subscription_id=sub.id)).end_date == dt.date(2027, 6, 30)
    assert (await Licence.get(id=sub.licence_id)).valid_until_date == dt.date(2027, 6, 30)

    [july] = await run(*month(2027, 7))
    credit, charge = await lines_of(july)
    rest = (dt.date(2027, 7, 1), dt.date(2027, 12, 31))
    assert credit.amount == -expected_ore(36000, BillingPeriod.yearly, *rest)
    assert (credit.quantity, credit.unit_price) == (-1, -credit.amount)
    assert credit.description.startswith(
        "Kreditering: Integrationsabonnemang 10\u00a0000–49\u00a0999 invånare 2027-07-01 – 2027-12-31"
    )
    assert charge.amount == expected_ore(120000, BillingPeriod.yearly, *rest)
    assert july.net_amount == charge.amount + credit.amount
    assert new.start_date == dt.date(2027, 7, 1)
    assert await run(*month(2027, 8)) == []  # nothing twice


async def test_cancelling_stops_at_period_end_and_a_discarded_draft_is_billed_again(db: str) -> None:
    await price_list()
    org = await factories.organisation()
    sub = await subscribe(org, "xl", dt.date(2027, 1, 1))
    [draft] = await run(*month(2027, 1))
    await ledger.discard_invoice(principal=b.FINANCE, invoice_id=draft.id)
    assert await SubscriptionCharge.filter(subscription_id=sub.id).count() == 0
    [again] = await run(*month(2027, 1))
    assert [ln.amount for ln in await lines_of(again)] == [Decimal("120000.00")]

    cancelled = await service.cancel_subscription(
        principal=b.ADMIN, subscription_id=sub.id, data=schemas.SubscriptionCancel(on=dt.date(2027, 5, 3))
    )
    assert cancelled.end_date == dt.date(2027, 12, 31)
    assert await run(*month(2027, 6)) == []  # the year stays billed in full, no credit
    assert await run(*month(2028, 1)) == []  # and the next year is not billed


async def test_licence_rules_and_missing_price(db: str) -> None:
    org = await factories.organisation()
    app = await factories.application(org, purpose="")
    with pytest.raises(Exception) as no_price:
        await subscribe(org, "xl", dt.date(2027, 1, 1))
    assert getattr(no_price.value, "code", None) == "no_licence_price"
    await price_list()
    with pytest.raises(Exception) as no_purpose:
        await subscribe(org, "per_application", dt.date(2027, 1, 1), application_id=app.id)
    assert getattr(no_purpose.value, "code", None) == "licence_purpose_required"
    company = await factories.organisation(kind=OrganisationKind.company)
    with pytest.raises(Exception) as no_population:
        await subscribe(company, "population", dt.date(2027, 1, 1))
    assert getattr(no_population.value, "code", None) == "licence_population_missing"
    xl = await subscribe(org, "xl", dt.date(2027, 1, 1))
    forwarding = await subscribe(org, "forwarding", dt.date(2027, 1, 1), extends_licence_id=xl.licence_id)
    [invoice] = await run(*month(2027, 1))
    assert [ln.amount for ln in await lines_of(invoice)] == [Decimal("120000.00"), Decimal("60000.00")]
    assert forwarding.label == "XL"


# Resale ---------------------------------------------------------------------------------------------


async def test_registered_partner_cannot_resell_authorised_can(client: httpx.AsyncClient) -> None:
    await price_list()
    customer = await factories.organisation()
    registered = await factories.organisation(kind=OrganisationKind.partner, partner_level=PartnerLevel.registered)
    authorised = await factories.organisation(
        kind=OrganisationKind.partner, partner_level=PartnerLevel.authorized, name="Integrationshuset AB"
    )
    await PartnerAgreement.create(
        organisation_id=authorised.id, valid_from_date=dt.date(2026, 1, 1), may_resell=True, created_by="test"
    )
    app = await factories.application(customer, purpose="Synkar ärenden till partnerns portal")
    admin = bearer(await factories.token("admin"))
    for partner in (registered, authorised):
        added = await client.post(
            f"/api/v1/organisations/{partner.id}/customers", json={"customer_id": customer.id}, headers=admin
        )
        assert added.status_code == 201, added.text
    body = {"kind": "per_application", "application_id": app.id, "start_date": "2027-01-01"}

    refused = await client.post(
        f"/api/v1/organisations/{customer.id}/subscriptions", json={**body, "reseller_id": registered.id}, headers=admin
    )
    assert refused.status_code == 403 and refused.json()["code"] == "partner_may_not_resell", refused.text
    as_registered = bearer(await factories.token("integrator", organisation=registered))
    refused_too = await client.post(
        f"/api/v1/organisations/{customer.id}/subscriptions", json=body, headers=as_registered
    )
    assert refused_too.status_code == 403 and refused_too.json()["code"] == "partner_may_not_resell"
    # The authorised partner licenses its solution itself, for its recorded customer only.
    as_partner = bearer(await factories.token("integrator", organisation=authorised))
    stranger = await factories.organisation()
    not_mine = await client.post(
        f"/api/v1/organisations/{stranger.id}/subscriptions",
        json={"kind": "xl", "start_date": "2027-01-01"},
        headers=as_partner,
    )
    assert not_mine.status_code == 404 and not_mine.json()["code"] == "organisation_not_found"
    sold = await client.post(f"/api/v1/organisations/{customer.id}/subscriptions", json=body, headers=as_partner)
    assert sold.status_code == 201, sold.text
    assert (sold.json()["payer_id"], sold.json()["licensee_id"]) == (authorised.id, customer.id)
    assert [s["id"] for s in (await client.get("/api/v1/subscriptions", headers=as_partner)).json()["items"]] == [
        sold.json()["id"]
    ]

    [invoice] = await run(*month(2027, 1))
    assert invoice.organisation_id == authorised.id
    [line] = await lines_of(invoice)
    assert line.description == (
        f"Integrationsabonnemang per applikation: {app.name} (licenstagare {customer.name}) 2027-01-01 – 2027-12-31"
    )
    assert line.amount == Decimal("9600.00")
    # The customer is the licensee: its application in production is licensed by the resold licence.
    got = await client.patch(
        f"/api/v1/organisations/{customer.id}/applications/{app.id}",
        json={"production_date": "2027-02-01"},
        headers=admin,
    )
    assert got.status_code == 200, got.text
    assert got.json()["in_production"] and got.json()["licensed"] and got.json()["licence_warning"] is None
    # Once the right to resell has ended, the partner cannot change what it resold.
    await PartnerAgreement.filter(organisation_id=authorised.id).update(valid_until_date=dt.date(2027, 3, 31))
    finance = bearer(await factories.token("finance"))
    late = await client.post(
        f"/api/v1/subscriptions/{sold.json()['id']}/change",
        headers=finance,
        json={"kind": "xl", "effective_date": "2027-06-01"},
    )
    assert late.status_code == 403 and late.json()["code"] == "partner_may_not_resell", late.text


# Peppol ---------------------------------------------------------------------------------------------


@needs_peppol
async def test_every_document_with_subscription_lines_passes_the_peppol_rules(db: str) -> None:
    await b.card()
    await price_list()
    staff = await factories.staff()
    documents: list[InvoiceSnapshot] = []
    for language, country in (("sv", "SE"), ("en", "DE")):
        extra = (
            {} if country == "SE" else {"country_code": "DE", "vat_number": "DE136695976", "organisation_number": None}
        )
        org = await factories.organisation(population=60_000, language=language, **extra)
        await b.entry(await b.ticket(org), staff, dt.date(2027, 1, 12), 45)
        sub = await subscribe(org, "population", dt.date(2027, 1, 5))
        [january] = [i for i in await run(*month(2027, 1)) if i.organisation_id == org.id]
        await ledger.issue_invoice(principal=b.FINANCE, invoice_id=january.id, issue_date=dt.date(2027, 1, 31))
        change = schemas.SubscriptionChange(kind="xl", effective_date=dt.date(2027, 9, 1))
        await service.change_subscription(principal=b.ADMIN, subscription_id=sub.id, data=change)
        [september] = [i for i in await run(*month(2027, 9)) if i.organisation_id == org.id]  # credit + charge
        await ledger.issue_invoice(principal=b.FINANCE, invoice_id=september.id, issue_date=dt.date(2027, 9, 30))
        notes = [
            await credits.credit_invoice(
                principal=b.FINANCE,
                invoice_id=invoice_id,
                data=billing_schemas.CreditCreate(reason="Fel nivå"),
                issue_date=dt.date(2027, 10, 1),
            )
            for invoice_id in (january.id, september.id)
        ]
        for invoice_id in (january.id, september.id, *(n.id for n in notes)):
            invoice = await Invoice.get(id=invoice_id)
            documents.append(InvoiceSnapshot.model_validate(invoice.snapshot))
    assert len(documents) == 8
    assert any(line.ticket_id is None and line.quantity < 0 for d in documents for line in d.lines)
    for snapshot in documents:
        assert validate(render_ubl(snapshot)) == [], snapshot.number


async def test_agreement_overrides_the_default_list_and_an_unpriced_period_waits(db: str) -> None:
    await price_list(valid_until=dt.date(2027, 12, 31))
    org = await factories.organisation()
    other = await factories.organisation()
    await price_list(organisation=org, valid_from=dt.date(2028, 1, 1), prices=[{"kind": "xl", "annual_fee": "100000"}])
    await subscribe(org, "xl", dt.date(2027, 1, 1))
    waiting = await subscribe(other, "xl", dt.date(2027, 1, 1))
    assert len(await run(*month(2027, 1))) == 2
    january = await runs.run_invoices(
        started_by="test", period_start=dt.date(2028, 1, 1), allow_open_period=True, period_end=dt.date(2028, 1, 31)
    )
    [invoice] = await Invoice.filter(run_id=january.id)
    assert invoice.organisation_id == org.id
    assert [ln.amount for ln in await lines_of(invoice)] == [Decimal("100000.00")]  # the agreement's fee
    assert january.skipped == [{"organisation_id": other.id, "unpriced_subscription_ids": [waiting.id]}]


async def test_integrators_see_only_subscriptions_they_hold_or_pay(client: httpx.AsyncClient) -> None:
    await price_list()
    mine, theirs = await factories.organisation(), await factories.organisation()
    own = await subscribe(mine, "xl", dt.date(2027, 1, 1))
    other = await subscribe(theirs, "xl", dt.date(2027, 1, 1))
    integrator = bearer(await factories.token("integrator", organisation=mine))
    listed = (await client.get("/api/v1/subscriptions", headers=integrator)).json()["items"]
    assert [s["id"] for s in listed] == [own.id]
    hidden = await client.get(f"/api/v1/subscriptions/{other.id}", headers=integrator)
    assert hidden.status_code == 404 and hidden.json()["code"] == "subscription_not_found"
    refused = await client.post(f"/api/v1/subscriptions/{own.id}/cancel", json={}, headers=integrator)
    assert refused.status_code == 403


async def test_price_lists_over_the_api_never_overlap(client: httpx.AsyncClient) -> None:
    finance = bearer(await factories.token("finance"))
    body = {"name": "Licenser 2027", "valid_from": "2027-01-01", "prices": [{"kind": "xl", "annual_fee": "120000"}]}
    first = await client.post("/api/v1/licence-price-lists", json=body, headers=finance)
    assert first.status_code == 201, first.text
    later = {**body, "name": "Licenser 2028", "valid_from": "2028-01-01"}
    overlap = await client.post("/api/v1/licence-price-lists", json=later, headers=finance)
    assert overlap.status_code == 409 and overlap.json()["code"] == "licence_price_list_overlap"
    ended = await client.patch(
        f"/api/v1/licence-price-lists/{first.json()['id']}", json={"valid_until": "2027-12-31"}, headers=finance
    )
    assert ended.status_code == 200 and ended.json()["valid_until"] == "2027-12-31", ended.text
    assert (await client.post("/api/v1/licence-price-lists", json=later, headers=finance)).status_code == 201
    reopen = await client.patch(
        f"/api/v1/licence-price-lists/{first.json()['id']}", json={"valid_until": None}, headers=finance
    )
    assert reopen.status_code == 409
    floats = await client.post(
        "/api/v1/licence-price-lists",
        headers=finance,
        json={**body, "valid_from": "2030-01-01", "prices": [{"kind": "xl", "annual_fee": 1.5}]},
    )
    assert floats.status_code == 422
