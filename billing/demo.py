"""Billing's part of the demo data (SPEC §3), run after support's `seed_demo`: the default rate card, an
agreement for the authorised partner, a prepaid package, and approved billable time in the previous and the
current month (relative to today) on the demo tickets — including the customer outside Sweden, so an invoice
run shows reverse charge. The month before those is already invoiced and issued, and a BgMax file paying its
invoices waits in the data dir (billing/demo_payments.py), so the walk-through can settle an invoice at once.
Deterministic; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from billing.demo_payments import issue_and_pay_month
from billing.models import PrepaidPackage, RateCard, RateCardRate
from core.auth import Principal, Role
from support.models import ClassificationState, Organisation, Staff, Ticket
from support.policy import Category, DefectOutcome, ExtensionDecision
from support.tickets import decisions
from support.tickets import schemas as ticket_schemas
from support.tickets import service as tickets
from support.timetracking.service import log_time_for_staff
from support.timetracking.settings import business_today

DEFAULT_CARD = "Standardprislista"
DEFAULT_RATES = {
    Category.assistance: "1250",
    Category.performance: "1450",
    Category.activation: "1250",
    Category.extension: "1250",
}  # defect: free (no rate); extension: customer-funded only
PARTNER = "Integrationshuset i Sundsvall AB"
PARTNER_RATES = {
    Category.assistance: "1100",
    Category.performance: "1300",
    Category.activation: "1100",
    Category.extension: "1100",
}
PREPAID_ORG = "Fjällbo Energi AB"

# (ticket subject prefix, category to confirm, entries before/after a decision). An entry is
# (month: -2 invoiced by the seed / -1 previous / 0 current, day, staff index, minutes, description); day is
# capped to the month.
Entry = tuple[int, int, int, int, str]
PLAN: list[tuple[str, Category, list[Entry], str | None, list[Entry]]] = [
    (
        "Hur autentiserar vi",
        Category.assistance,
        [
            (-2, 16, 1, 60, "Förstudie: kundens behov av certifikatbaserad inloggning"),
            (-1, 3, 1, 90, "Genomgång av certifikatflödet och tokenhämtning med kundens utvecklare"),
            (-1, 12, 2, 45, "Exempelanrop med curl och felsökning av 401-svar"),
            (0, 1, 1, 30, "Uppföljning: verifierat att kopplingen autentiserar i produktion"),
        ],
        None,
        [],
    ),
    (
        "Batchimporten tar över",
        Category.performance,
        [
            (-2, 21, 2, 120, "Första mätning av den nattliga importens svarstider"),
            (-1, 5, 2, 240, "Analys av anropsmönster och svarstider för nattlig import"),
            (-1, 6, 2, 180, "Förslag på sidstorlek, parallellitet och återförsök"),
            (0, 1, 1, 120, "Mätning efter kundens ändringar, nu under 12 minuter"),
        ],
        None,
        [],
    ),
    (
        "Aktivera dokumentgränssnittet",
        Category.activation,
        [
            (-2, 23, 1, 45, "Kontroll av förbundets installation inför aktiveringen"),
            (-1, 10, 1, 60, "Aktivering av dokumentgränssnittet och kontroll av behörigheter"),
        ],
        None,
        [],
    ),
    (
        "How do we map our customer ids",
        Category.assistance,
        [(-1, 14, 2, 75, "Walkthrough of the documented party lookup endpoint")],
        None,
        [],
    ),
    (
        "Fel datum i ärendelistan",
        Category.defect,
        [(-1, 4, 1, 120, "Felsökning av datumhantering efter patch (förvaltning, kostnadsfritt)")],
        None,
        [],
    ),
    (
        "Önskemål: fält för handläggarens",
        Category.extension,
        [(-1, 2, 0, 30, "Utvärdering av önskemålet (kostnadsfritt)")],
        "customer_funded",
        [(-1, 20, 2, 150, "Kundfinansierad utveckling: nytt fält i ärende-API:et")],
    ),
    (
        "Paging returns duplicates",
        Category.defect,
        [(-1, 8, 1, 60, "Investigation of the paging behaviour (free: suspected defect)")],
        "not_a_defect",
        [
            (-1, 9, 1, 90, "Assistance: the client's sort key was not stable; fix explained"),
            (0, 1, 2, 45, "Review of the customer's corrected sync job"),
        ],
    ),
]


def _date(today: dt.date, month: int, day: int) -> dt.date:
    first = today.replace(day=1)
    for _ in range(-month):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    result = first.replace(day=min(day, last.day))
    return min(result, today)


async def _card(name: str, organisation_id: int | None, valid_from: dt.date, rates: dict[Category, str]) -> None:
    card = await RateCard.create(
        name=name, organisation_id=organisation_id, valid_from_date=valid_from, created_by="demo seed"
    )
    await RateCardRate.bulk_create(
        [RateCardRate(card_id=card.id, category=c, hourly_rate=Decimal(r)) for c, r in rates.items()]
    )


async def seed_billing_demo(*, data_dir: Path | None = None) -> dict[str, Any]:
    """`data_dir` (default TRIPDESK_DATA_DIR) receives the BgMax sample file."""
    if await RateCard.exists(name=DEFAULT_CARD, organisation_id=None):
        return {"billing": "demo data already present"}
    today = business_today()
    since = dt.date(today.year - 1, 1, 1)
    await _card(DEFAULT_CARD, None, since, DEFAULT_RATES)
    partner = await Organisation.get_or_none(name=PARTNER)
    if partner is not None:
        await _card(f"Partneravtal {PARTNER}", partner.id, since, PARTNER_RATES)
    prepaid_org = await Organisation.get_or_none(name=PREPAID_ORG)
    if prepaid_org is not None:
        start = _date(today, -1, 1)
        await PrepaidPackage.create(
            organisation_id=prepaid_org.id,
            name="Klippkort 10 timmar",
            hours=Decimal("10"),
            valid_from_date=start,
            valid_until_date=start.replace(year=start.year + 1),
            created_by="demo seed",
        )
    staff = await Staff.all().order_by("id")
    lead = next((s for s in staff if s.is_lead), None)
    if not staff or lead is None:
        return {"billing": "rate cards only (no demo staff)"}
    seeder = Principal(token_id=0, name="demo seed", role=Role.support, staff_id=lead.id)
    logged = 0
    for prefix, category, before, decision, after in PLAN:
        ticket = await Ticket.filter(subject__startswith=prefix).order_by("id").first()
        if ticket is None:
            continue
        if ticket.category != category or ticket.classification_state != ClassificationState.confirmed:
            await tickets.set_classification(
                principal=seeder,
                ticket_id=ticket.id,
                data=ticket_schemas.ClassificationSet(category=category, reason="Bekräftad av handläggare (demodata)"),
            )
        logged += await _log(ticket.id, before, staff, lead.id, today)
        if decision == "customer_funded":
            await decisions.set_extension_decision(
                principal=seeder,
                ticket_id=ticket.id,
                decision=ExtensionDecision.customer_funded,
                reason="Kunden har accepterat offerten",
            )
        elif decision == "not_a_defect":
            await decisions.set_defect_outcome(
                principal=seeder,
                ticket_id=ticket.id,
                outcome=DefectOutcome.not_a_defect,
                reason="The duplicates came from the client's unstable sort key",
            )
        logged += await _log(ticket.id, after, staff, lead.id, today)
    earlier = _date(today, -2, 1)
    paid = await issue_and_pay_month(
        start=earlier, end=_date(today, -1, 1) - dt.timedelta(days=1), today=today, data_dir=data_dir
    )
    return {
        "rate_cards": await RateCard.all().count(),
        "prepaid_packages": await PrepaidPackage.all().count(),
        "time_entries": logged,
        **paid,
    }


async def _log(ticket_id: int, entries: list[Entry], staff: list[Staff], lead_id: int, today: dt.date) -> int:
    for month, day, who, minutes, description in entries:
        await log_time_for_staff(
            staff_id=staff[who % len(staff)].id,
            ticket_id=ticket_id,
            work_date=_date(today, month, day),
            minutes=minutes,
            description=description,
            approve_by=lead_id,
        )
    return len(entries)
