"""Subscription lines of the invoice run (SPEC §4): fees in advance per billing period, pro rata by days
(billing/subscriptions/periods.py), on the payer's invoice next to its consulting time, or on their own.

Rule: a run for a period ending on day E bills every billing period of a subscription that begins by E
(in advance; earlier periods not yet billed are caught up). For each such period the amount due is the
pro-rata fee of the days the subscription covers in it now; what was billed for it before is subtracted, and
a non-zero difference becomes one line: a charge for a new period, a credit (negative) when the
subscription ended early (a change of tier from a day inside a billed period), or a charge for days added.
A period's fee is fixed by its first charge. The line is time-free: "Integrationsabonnemang XL
2027-01-01 – 2027-12-31".

Exactly once: the charges are stored in the transaction that drafts the payer's invoice, under the payer's
row lock (billing/runs.py), and (subscription, period start, seq) is unique, so two racing runs cannot both
bill a period; the loser's transaction rolls back and its retry finds the period billed. A discarded draft
deletes its charges (the period is billed again by the next run). A credit note on a subscription line does
not release it: a period is re-billed only by a change of the subscription.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from billing.money import ZERO
from billing.subscriptions.models import BillingPeriod, Subscription, SubscriptionCharge
from billing.subscriptions.periods import days, periods_from, prorated
from billing.subscriptions.pricing import price_for
from support.models import Licence, LicenceKind, Organisation

TEXTS = {
    "sv": {
        "xl": "Integrationsabonnemang XL",
        "per_application": "Integrationsabonnemang per applikation: {label}",
        "population": "Integrationsabonnemang {label} invånare",
        "forwarding": "Licens för vidareförmedling, tillägg till integrationsabonnemang {label}",
        "credit": "Kreditering: ",
        "licensee": " (licenstagare {name})",
    },
    "en": {
        "xl": "Integration subscription XL",
        "per_application": "Integration subscription per application: {label}",
        "population": "Integration subscription {label} inhabitants",
        "forwarding": "Forwarding licence, add-on to integration subscription {label}",
        "credit": "Credit: ",
        "licensee": " (licensee {name})",
    },
}


@dataclass
class DueCharge:
    subscription_id: int
    reference: str
    period_start: dt.date
    period_end: dt.date
    covered_from: dt.date
    covered_until: dt.date
    seq: int
    annual_fee: Decimal
    amount: Decimal
    description: str
    charge: None = None  # not a late-payment charge (billing/invoice_lines.py)


@dataclass
class Due:
    charges: list[DueCharge]
    unpriced_subscription_ids: list[int]
    subscribed: bool = False  # the organisation pays for a subscription that has begun


async def payers_due(*, end: dt.date) -> list[int]:
    """Organisations paying a subscription that began by `end` (one of its periods may be due)."""
    ids = await Subscription.filter(start_date__lte=end).distinct().values_list("payer_id", flat=True)
    return sorted({int(i) for i in ids})  # type: ignore[call-overload]


def _text(kind: str, label: str, language: str, licensee: str | None) -> str:
    texts = TEXTS.get(language, TEXTS["sv"])
    text = texts[kind].format(label=label)
    return text + (texts["licensee"].format(name=licensee) if licensee else "")


def _previous_until(charges: list[SubscriptionCharge]) -> dt.date:
    """The last day billed for a period so far (a credit gave back the days from its first day on)."""
    last = charges[-1]
    return last.covered_until_date if last.amount >= 0 else last.covered_from_date - dt.timedelta(days=1)


async def due_charges(*, organisation: Organisation, end: dt.date) -> Due:
    """What `organisation` owes for its subscriptions up to the run ending on `end` (module docstring)."""
    due = Due([], [])
    subscriptions = await Subscription.filter(payer_id=organisation.id, start_date__lte=end).order_by("id")
    if not subscriptions:
        return due
    due.subscribed = True
    licences = {lic.id: lic for lic in await Licence.filter(id__in=[s.licence_id for s in subscriptions])}
    bases = {
        lic.id: lic
        for lic in await Licence.filter(
            id__in=[lic.extends_id for lic in licences.values() if lic.extends_id is not None]
        )
    }
    licensees = {
        o.id: o for o in await Organisation.filter(id__in=list({lic.organisation_id for lic in licences.values()}))
    }
    billed: dict[tuple[int, dt.date], list[SubscriptionCharge]] = defaultdict(list)
    for charge in await SubscriptionCharge.filter(subscription_id__in=[s.id for s in subscriptions]).order_by(
        "period_start_date", "seq"
    ):
        billed[(charge.subscription_id, charge.period_start_date)].append(charge)
    language = str(organisation.language or "sv")
    for sub in subscriptions:
        licence = licences[sub.licence_id]
        licensee = licensees[licence.organisation_id]
        base = bases.get(licence.extends_id) if licence.extends_id is not None else None
        text = _text(str(licence.kind), sub.label, language, licensee.name if licensee.id != organisation.id else None)
        period = BillingPeriod(sub.billing_period)
        for p_start, p_end in periods_from(sub.start_date, period):
            prior = billed.get((sub.id, p_start), [])
            if p_start > end or (sub.end_date is not None and p_start > sub.end_date and not prior):
                break
            cov_from = max(sub.start_date, p_start)
            cov_until = min(sub.end_date or p_end, p_end)
            if prior:
                fee = Decimal(prior[0].annual_fee)
            else:
                price = await price_for(
                    payer_id=organisation.id,
                    kind=LicenceKind(licence.kind),
                    day=cov_from,
                    population=licensee.population,
                    base_kind=LicenceKind(base.kind) if base is not None else None,
                )
                if price is None:
                    due.unpriced_subscription_ids.append(sub.id)
                    break
                fee = price.annual_fee
            target = prorated(fee, period, p_start, p_end, cov_from, cov_until) if days(cov_from, cov_until) else ZERO
            difference = target - sum((Decimal(c.amount) for c in prior), ZERO)
            if difference == 0:
                continue
            if not prior:
                first, last = cov_from, cov_until
            elif difference < 0:
                first, last = max(cov_until + dt.timedelta(days=1), cov_from), _previous_until(prior)
            else:
                first, last = _previous_until(prior) + dt.timedelta(days=1), cov_until
            prefix = TEXTS.get(language, TEXTS["sv"])["credit"] if difference < 0 else ""
            due.charges.append(
                DueCharge(
                    subscription_id=sub.id,
                    reference=f"LIC-{licence.id:05d}",
                    period_start=p_start,
                    period_end=p_end,
                    covered_from=first,
                    covered_until=last,
                    seq=len(prior),
                    annual_fee=fee,
                    amount=difference,
                    description=f"{prefix}{text} {first.isoformat()} – {last.isoformat()}"[:300],
                )
            )
    return due


async def release_charges(*, invoice_id: int) -> None:
    """A discarded draft gives its periods back to the next run."""
    await SubscriptionCharge.filter(invoice_id=invoice_id).delete()
