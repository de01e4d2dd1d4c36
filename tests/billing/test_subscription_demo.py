"""seed-demo covers the licence model and the partner programme: applications in development and production,
every licence kind, a partner application awaiting a decision, a published notice; the invoice run bills the
subscriptions; a second run of the seed changes nothing."""

from __future__ import annotations

from pathlib import Path

from billing import runs
from billing.demo import seed_billing_demo
from billing.models import Invoice, InvoiceLine
from billing.subscriptions.models import Subscription
from support.demo import seed_demo
from support.licensing import unlicensed_applications
from support.models import Application, Licence, LicenceKind
from support.programme.models import ApplicationDecision, InterfaceNotice, PartnerApplication
from support.timetracking.settings import business_today
from tripdesk.cli import seed_programme_demo


async def test_demo_has_the_licence_model_and_the_partner_programme(db: str, tmp_path: Path) -> None:
    await seed_demo()
    await seed_billing_demo(data_dir=tmp_path)
    first = await seed_programme_demo()
    assert (await seed_programme_demo()).keys() == {"partners", "subscriptions"}  # already present
    # the three licences support's demo records, a population tier, a forwarding licence and a resold one
    assert first["subscriptions"] == await Subscription.all().count() == 6
    assert {a.in_production for a in await Application.all()} == {True, False}
    assert {LicenceKind(lic.kind) for lic in await Licence.all()} == set(LicenceKind)
    assert await PartnerApplication.filter(decision=ApplicationDecision.pending).count() == 1
    assert await InterfaceNotice.all().count() == 1
    assert [a.name for a, _ in await unlicensed_applications()] == ["Skolskjuts"]
    resold = await Licence.get(reseller_id__not_isnull=True)
    assert resold.kind == LicenceKind.per_application

    today = business_today()
    run = await runs.run_invoices(
        started_by="demo", period_start=today.replace(day=1), period_end=today, allow_open_period=True
    )
    invoices = await Invoice.filter(run_id=run.id).values_list("id", flat=True)
    subscription_lines = await InvoiceLine.filter(invoice_id__in=list(invoices), ticket_id__isnull=True)
    # every subscription billed in advance: one line per calendar year from its start to this year
    expected = sum(today.year - s.start_date.year + 1 for s in await Subscription.all())
    assert len(subscription_lines) == expected >= 6
    assert run.skipped == []
