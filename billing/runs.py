"""Invoice runs (SPEC §2): per billed organisation, one draft invoice for a period.

What reaches a draft: time entries that are billable, approved (when approval is required), not yet on an
invoice, dated in the period, priced by a rate card, and not held by the ticket's cost ceiling. Prepaid
hours are drawn first. Lines are per (ticket, category, rate); each line is rounded half-up to öre, then the
lines are summed; VAT follows the buyer's tax scheme (billing/vat.py): 25 % in Sweden, reverse charge (AE)
in the EU, not subject to VAT (O) outside the EU. A buyer whose VAT details do not fit its scheme is skipped.
An unfinished period needs `allow_open_period`; the run's row stays true if the process dies (run_state.py).

Subscription fees due by the end of the period join the payer's draft as time-free lines after the time lines
(billing/subscriptions/charges.py), then late-payment charges when they are on (billing/payments/
late_charges.py), in the same transaction and under the same lock.

Concurrency design (several runs, processes or instances at once; PostgreSQL, real parallel connections):
- Each organisation is drafted in its own short transaction, so a process killed mid-run leaves whole
  invoices or none: never a half invoice.
- That transaction first locks the organisation's row (SELECT … FOR UPDATE). Every drafter of the same
  organisation queues on it, so the second one sees the first one's committed draft and claimed entries.
- Entries are claimed with `UPDATE … SET invoice_id = :draft WHERE id IN (…) AND invoice_id IS NULL`, and
  the row count must equal the number of entries read: if anyone else took one, the transaction rolls back
  (no time entry is ever on two invoices, even for a writer that does not take the organisation lock).
- `Invoice.open_key` (unique) backs "one open draft per organisation and period" in the database itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from billing import run_state
from billing.ceilings import ceiling_states, notify_if_reached
from billing.invoice_lines import ENTRY_FIELDS, TIME_LINE_FIELDS, invoice_totals, store_time_free_lines
from billing.models import Invoice, InvoiceLine, InvoiceLineEntry, InvoiceRun, PrepaidDrawdown
from billing.money import line_amount, minutes_billed_hours
from billing.payments.late_charges import due_late_charges
from billing.payments.models import LateCharge
from billing.prepaid import PrepaidPool
from billing.rates import RateBook
from billing.run_scope import candidate_organisations, entry_filter, open_key
from billing.settings import BillingSettings, get_billing_settings
from billing.sql import insert_rows, prefer_custom_plans
from billing.subscriptions.charges import due_charges, payers_due
from billing.subscriptions.models import SubscriptionCharge
from billing.vat import late_charge_vat, tax_identity_problem, vat_for
from support.models import Organisation
from support.timetracking.models import TimeEntry

log = logging.getLogger("tripdesk.billing")

CLAIM_CHUNK = 5000
LINE_COLUMNS = ("invoice_id", "line_no", *TIME_LINE_FIELDS)
ENTRY_COLUMNS = ("line_id", "invoice_id", *ENTRY_FIELDS)
DRAW_COLUMNS = ("package_id", "invoice_id", "line_no", "time_entry_id", "hours", "created_at")


class RaceLost(Exception):
    """Another writer claimed one of the entries between our read and our claim; this draft rolled back."""


@dataclass
class _Line:
    ticket_id: int
    ticket_number: str
    subject: str
    category: str
    rate: Decimal
    card_names: list[str]
    entries: list[dict[str, Any]] = field(default_factory=list)
    quantity: Decimal = Decimal("0")
    prepaid: Decimal = Decimal("0")


@dataclass
class DraftOutcome:
    organisation_id: int
    invoice_id: int | None = None
    skipped: str | None = None
    detail: str | None = None
    unpriced_entry_ids: list[int] = field(default_factory=list)
    held_entry_ids: list[int] = field(default_factory=list)
    unpriced_subscription_ids: list[int] = field(default_factory=list)


async def draft_for_organisation(
    *,
    organisation_id: int,
    start: dt.date,
    end: dt.date,
    book: RateBook,
    settings: BillingSettings,
    run_id: int | None,
    created_by: str,
) -> DraftOutcome:
    """Build and store one organisation's draft in one transaction (see the module docstring)."""
    outcome = DraftOutcome(organisation_id)
    increment = settings.billing_increment_minutes
    async with in_transaction() as conn:
        await prefer_custom_plans(conn)
        organisation = await Organisation.filter(id=organisation_id).select_for_update().first()
        if organisation is None:
            outcome.skipped = "organisation_missing"
            return outcome
        problem = tax_identity_problem(organisation)
        if problem is not None:
            outcome.skipped, outcome.detail = "buyer_tax_identity_invalid", problem
            return outcome
        key = open_key(organisation_id, start, end)
        existing = await Invoice.filter(open_key=key).values_list("id", flat=True)
        if existing:
            outcome.skipped, outcome.invoice_id = "open_draft_exists", int(existing[0])  # type: ignore[call-overload]
            return outcome
        rows = (
            await TimeEntry.filter(
                ticket__bill_to_id=organisation_id, **entry_filter(start=start, end=end, settings=settings)
            )
            .order_by("work_date", "id")
            .values(
                "id",
                "ticket_id",
                "work_date",
                "minutes",
                "description",
                "category",
                staff_name="staff__name",
                ticket_number="ticket__number",
                subject="ticket__subject",
            )
        )
        due = await due_charges(organisation=organisation, end=end)
        outcome.unpriced_subscription_ids = due.unpriced_subscription_ids
        if not rows and not due.charges:
            # A subscription payer whose periods are all billed is not news; time that vanished is.
            outcome.skipped = None if due.subscribed else "nothing_billable"
            return outcome
        ticket_ids = sorted({r["ticket_id"] for r in rows})
        states = await ceiling_states(
            ticket_ids=ticket_ids, organisation_id=organisation_id, book=book, increment=increment
        )
        held: set[int] = set()
        for ceiling, state in states.values():
            held |= state.held
            await notify_if_reached(ceiling, state)
        pool = await PrepaidPool.load(organisation_id=organisation_id, start=start, end=end)
        lines: dict[tuple[int, str, Decimal], _Line] = {}
        draws: list[tuple[tuple[int, str, Decimal], int, int, Decimal]] = []
        for row in rows:
            if row["id"] in held:
                outcome.held_entry_ids.append(row["id"])
                continue
            category = str(row["category"])
            priced = book.lookup(organisation_id, category, row["work_date"])
            if priced is None:
                outcome.unpriced_entry_ids.append(row["id"])
                continue
            rate, card_name, card_id = priced
            hours = minutes_billed_hours(row["minutes"], increment)
            drawn = pool.draw(row["work_date"], hours)
            prepaid = sum((h for _, h in drawn), Decimal("0"))
            group = (row["ticket_id"], category, rate)
            line = lines.get(group)
            if line is None:
                line = lines[group] = _Line(row["ticket_id"], row["ticket_number"], row["subject"], category, rate, [])
            if card_name not in line.card_names:
                line.card_names.append(card_name)
            line.entries.append({**row, "hours": hours, "prepaid": prepaid, "card_id": card_id})
            line.quantity += hours - prepaid
            line.prepaid += prepaid
            draws.extend((group, row["id"], package_id, h) for package_id, h in drawn)
        if not lines and not due.charges:
            outcome.skipped = "nothing_invoiceable"
            return outcome

        vat_category, vat_rate = vat_for(organisation.country_code)
        ordered = sorted(lines.items(), key=lambda kv: (kv[1].ticket_number, kv[1].category, kv[1].rate))
        line_no_of = {group: n for n, (group, _) in enumerate(ordered, start=1)}
        amounts = [(vat_category, vat_rate, line_amount(line.quantity, line.rate)) for _, line in ordered]
        late = await due_late_charges(organisation=organisation, end=end)
        late_vat = late_charge_vat(vat_category)
        extra = [(vat_category, vat_rate, c.amount) for c in due.charges] + [(*late_vat, c.amount) for c in late]
        _, net, tax = invoice_totals(amounts + extra)
        invoice = await Invoice.create(
            organisation_id=organisation_id,
            run_id=run_id,
            period_start_date=start,
            period_end_date=end,
            open_key=key,
            reverse_charge=vat_category == "AE",
            net_amount=net,
            vat_amount=tax,
            gross_amount=net + tax,
            created_by=created_by,
            your_reference=organisation.buyer_reference,
        )
        await insert_rows(
            conn,
            InvoiceLine,
            LINE_COLUMNS,
            [
                (
                    invoice.id,
                    line_no_of[group],
                    line.ticket_id,
                    line.ticket_number,
                    f"{line.ticket_number} {line.subject}"[:300],
                    line.category,
                    ", ".join(line.card_names)[:300],
                    line.quantity,
                    line.quantity + line.prepaid,
                    line.prepaid,
                    line.rate,
                    amount,
                    vat_category,
                    vat_rate,
                )
                for (group, line), (_, _, amount) in zip(ordered, amounts, strict=True)
            ],
        )
        first_late = len(ordered) + len(due.charges) + 1
        await store_time_free_lines(
            due.charges,
            invoice_id=invoice.id,
            first_line_no=len(ordered) + 1,
            vat=(vat_category, vat_rate),
            record=SubscriptionCharge,
        )
        await store_time_free_lines(
            late, invoice_id=invoice.id, first_line_no=first_late, vat=late_vat, record=LateCharge
        )
        line_ids = dict(await InvoiceLine.filter(invoice_id=invoice.id).values_list("line_no", "id"))
        entry_rows: list[tuple[Any, ...]] = []
        entry_ids: list[int] = []
        for group, line in ordered:
            for e in line.entries:
                entry_ids.append(e["id"])
                entry_rows.append(
                    (
                        line_ids[line_no_of[group]],
                        invoice.id,
                        e["id"],
                        e["work_date"],
                        e["staff_name"],
                        e["minutes"],
                        e["hours"],
                        e["prepaid"],
                        e["description"],
                        e["category"],
                        e["card_id"],
                    )
                )
        await insert_rows(conn, InvoiceLineEntry, ENTRY_COLUMNS, entry_rows)
        now = dt.datetime.now(dt.UTC)
        await insert_rows(
            conn,
            PrepaidDrawdown,
            DRAW_COLUMNS,
            [
                (package_id, invoice.id, line_no_of[group], entry_id, hours, now)
                for group, entry_id, package_id, hours in draws
            ],
        )
        claimed = 0
        for i in range(0, len(entry_ids), CLAIM_CHUNK):
            chunk = entry_ids[i : i + CLAIM_CHUNK]
            claimed += await TimeEntry.filter(id__in=chunk, invoice_id__isnull=True).update(invoice_id=invoice.id)
        if claimed != len(entry_ids):
            raise RaceLost(
                f"organisation {organisation_id}: {len(entry_ids) - claimed} entries were claimed by another writer"
            )
        await run_state.count_draft(run_id, conn)
        outcome.invoice_id = invoice.id
    return outcome


ProgressFn = Callable[[DraftOutcome], None]


def _note(outcome: DraftOutcome) -> dict[str, Any] | None:
    """What the run records about an organisation it did not simply draft."""
    if not (
        outcome.skipped or outcome.unpriced_entry_ids or outcome.held_entry_ids or outcome.unpriced_subscription_ids
    ):
        return None
    note: dict[str, Any] = {"organisation_id": outcome.organisation_id}
    if outcome.skipped:
        note["reason"] = outcome.skipped
    if outcome.detail:
        note["detail"] = outcome.detail
    if outcome.invoice_id and outcome.skipped:
        note["invoice_id"] = outcome.invoice_id
    if outcome.unpriced_entry_ids:
        note["unpriced_entry_ids"] = outcome.unpriced_entry_ids[:100]
    if outcome.held_entry_ids:
        note["held_by_ceiling_entry_ids"] = outcome.held_entry_ids[:100]
    if outcome.unpriced_subscription_ids:
        note["unpriced_subscription_ids"] = outcome.unpriced_subscription_ids[:100]
    return note


async def run_invoices(
    *,
    started_by: str,
    period_start: dt.date,
    period_end: dt.date,
    allow_open_period: bool = False,
    now: dt.datetime | None = None,
    on_start: Callable[[int], None] | None = None,
    progress: ProgressFn | None = None,
) -> InvoiceRun:
    """Draft the period's invoices, one organisation at a time. Safe to run concurrently with itself."""
    run_state.refuse_open_period(period_end, allow_open_period=allow_open_period, now=now)
    settings = get_billing_settings()
    run = await run_state.start_run(started_by=started_by, period_start=period_start, period_end=period_end)
    organisations = sorted(
        set(await candidate_organisations(start=period_start, end=period_end, settings=settings))
        | set(await payers_due(end=period_end))
    )
    await run_state.set_considered(run, len(organisations))
    if on_start is not None:
        on_start(len(organisations))
    book = await RateBook.load(start=period_start, end=period_end)
    for organisation_id in organisations:
        outcome = None
        for attempt in (1, 2):
            try:
                outcome = await draft_for_organisation(
                    organisation_id=organisation_id,
                    start=period_start,
                    end=period_end,
                    book=book,
                    settings=settings,
                    run_id=run.id,
                    created_by=started_by,
                )
                break
            except (RaceLost, IntegrityError) as exc:
                # Another drafter got there first; the retry sees its committed result.
                log.info("invoice run %s: retrying organisation %s (%s)", run.id, organisation_id, exc)
                if attempt == 2:
                    outcome = DraftOutcome(organisation_id, skipped="lost_race")
        assert outcome is not None
        await run_state.record_progress(run, _note(outcome))
        if progress is not None:
            progress(outcome)
    await run_state.finish_run(run)
    return run


run_read = run_state.run_read
get_run = run_state.get_run
