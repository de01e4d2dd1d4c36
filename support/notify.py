"""What the integrator is told by email about a ticket, queued in the caller's transaction (the outbox).

Business rules:
- Mail goes to the ticket's requester, in the requester's language, with the ticket's own reply address.
- The integrator learns what the category means for them (free / billed at X SEK per hour / goes to the
  product owner / refused) when it is set or changed — but never while an automatic classification still
  awaits staff triage: then the category is not shown and billing is null.
- One event, one email: every dedupe key is derived from the event (the TicketEvent row written in the same
  transaction, the comment id, or an event that can happen only once).
- Tell integrators less: a status change is emailed only when it concerns them — their answer is needed
  (`waiting_on_customer`), the ticket is resolved (or closed without having been told it was resolved), or
  rejected. Internal steps (triaged, in progress) send nothing. Status changes, and category changes, of one
  ticket within TRIPDESK_NOTIFY_WINDOW_SECONDS go out as one email (`enqueue_coalesced`); changes that cancel
  out within the window (waiting on you → in progress) send nothing.
- A contact may opt out of non-essential mail (support/mail_models.py): then "resolved" is not emailed.
  Receipts, questions to them, rejections, category and billing decisions and comments are essential.

The rate quoted comes from a hook the composition root sets (`set_rate_quoter`); support does not know rate
cards, nor how money is written (billing's `format_amount`): the quoter answers with the rate as the reader
writes it. Without a quoter the text refers to the rate in the customer's agreement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from notifications.service import (
    Email,
    Merge,
    enqueue_coalesced,
    enqueue_email,
    register_context_builder,
    ticket_reply_address,
)
from notifications.settings import get_mail_settings
from support.mail_models import wants_non_essential
from support.models import ClassificationState, Comment, Contact, Organisation, Ticket, TicketEvent
from support.policy import POLICY, Category, DefectOutcome
from support.tickets.records import Receipt

RateQuote = Callable[[int, Category, str], Awaitable[tuple[str, str] | None]]
"""(organisation id billed, category, reader's language) → (hourly rate ex VAT as that reader writes it,
name of the rate agreement) or None."""

_rate_quoter: RateQuote | None = None


def set_rate_quoter(fn: RateQuote | None) -> None:
    """Called by the composition root once billing is wired; None removes it (tests)."""
    global _rate_quoter
    _rate_quoter = fn


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


async def _requester(ticket: Ticket) -> Contact:
    return await Contact.get(id=ticket.requester_id)


async def _billing(ticket: Ticket, category: Category | None, language: str) -> dict[str, Any] | None:
    """Mail goes to the requester: the billed organisation's rate is quoted only when it is the requester's
    own (a partner's contact never reads its customer's agreement)."""
    if category is None:
        return None
    quote = ticket.bill_to_id == ticket.organisation_id
    return await billing_block(ticket.bill_to_id, category, language, quote=quote)


def _told_category(ticket: Ticket) -> Category | None:
    """The category the integrator may see: none while an automatic suggestion awaits triage."""
    if ticket.category is None or ticket.classification_state in (
        ClassificationState.needs_triage,
        ClassificationState.unclassified,
    ):
        return None
    return Category(ticket.category)


async def _context(ticket: Ticket, contact: Contact, organisation: Organisation | None = None) -> dict[str, Any]:
    if organisation is None or organisation.id != ticket.organisation_id:
        organisation = await Organisation.get(id=ticket.organisation_id)
    category = _told_category(ticket)
    return {
        "ticket": {
            "number": ticket.number,
            "subject": ticket.subject,
            "status": _enum_value(ticket.status),
            "category": _enum_value(category),
            "organisation_name": organisation.name,
        },
        "contact_name": contact.name,
    }


def _email(ticket: Ticket, contact: Contact, template: str, context: dict[str, Any], dedupe_key: str) -> Email:
    """An email about `ticket` to `contact`, in the contact's language; replies go back into the ticket."""
    return Email(
        template=template,
        to_email=contact.email,
        to_name=contact.name,
        language=_enum_value(contact.language),
        context=context,
        dedupe_key=dedupe_key,
        reply_to=ticket_reply_address(ticket.number),
    )


async def _send(ticket: Ticket, contact: Contact, template: str, context: dict[str, Any], dedupe_key: str) -> bool:
    return await enqueue_email(**_email(ticket, contact, template, context, dedupe_key))


async def _send_change(
    ticket: Ticket,
    contact: Contact,
    what: str,
    merge: Merge,
    template: str,
    context: dict[str, Any],
    event: TicketEvent | None,
    change: str,
) -> None:
    """A change of the ticket's `what` (status, category), merged with the ticket's other changes of `what`
    in the window; the email of one event is queued once."""
    key = f"ticket:{ticket.id}:event:{event.id}" if event is not None else f"ticket:{ticket.id}:{what}:{change}"
    await enqueue_coalesced(
        coalesce_key=f"ticket:{ticket.id}:{what}",
        window_seconds=get_mail_settings().coalesce_seconds,
        merge=merge,
        **_email(ticket, contact, template, context, key),
    )


async def _latest_event(ticket: Ticket, *kinds: str) -> TicketEvent | None:
    return await TicketEvent.filter(ticket_id=ticket.id, kind__in=list(kinds)).order_by("-id").first()


RECEIPT_TEMPLATE = "ticket_received"
RECEIPT_KEY = ("ticket:", ":received")
"""A receipt's dedupe key is `ticket:<number>:received`: one receipt per ticket, ever."""


def receipt(*, subject: str, status: str, category: Category | None) -> Receipt:
    """The receipt of a ticket being opened, as far as intake knows it before the ticket is stored; the store
    adds the requester and the number (support/tickets/intake_sql.py). `category` is the confident suggestion the
    integrator may see, or None while staff must assess the ticket first."""
    facts = {"subject": subject, "status": status, "category": _enum_value(category)}
    return Receipt(template=RECEIPT_TEMPLATE, facts=facts, key_affixes=RECEIPT_KEY)


async def receipt_context(context: dict[str, Any], language: str) -> dict[str, Any]:
    """The template context of a stored receipt (its `facts`), built when it is delivered: the billing block
    quotes the rate in force then for the billed organisation (`billing_block`), when that is the requester's
    own. A stored context without `facts` is already a template context and is returned as it is."""
    facts = context.get("facts")
    if not isinstance(facts, dict):
        return context
    category = facts.get("category")
    return {
        "ticket": {
            "number": facts["number"],
            "subject": facts["subject"],
            "status": facts["status"],
            "category": category,
            "organisation_name": facts["organisation_name"],
        },
        "contact_name": facts["contact_name"],
        "billing": await billing_block(
            facts["bill_to_id"], Category(category), language, quote=facts.get("organisation_id") == facts["bill_to_id"]
        )
        if category
        else None,
    }


def install() -> None:
    """Wire the receipt's delivery-time context into the outbox; the composition root calls this."""
    register_context_builder(RECEIPT_TEMPLATE, receipt_context)


async def billing_block(
    bill_to_id: int, category: Category, language: str, *, quote: bool = True
) -> dict[str, Any] | None:
    """What a category means for the integrator: free / billed at the quoted rate / product owner / refused.
    `quote=False` (the reader is not the billed organisation's contact) leaves the rate out: one
    organisation's agreement is never quoted to another's contact."""
    rule = POLICY[Category(category)]
    rate: str | None = None
    agreement: str | None = None
    if rule.billable and quote and _rate_quoter is not None:
        quoted = await _rate_quoter(bill_to_id, Category(category), language)
        if quoted is not None:
            rate, agreement = quoted
    return {
        "category": rule.category.value,
        "billing": rule.billing.value,
        "rate": rate,
        "rate_agreement": agreement,
        "policy_text": rule.rule_sv if language == "sv" else rule.rule_en,
    }


ANNOUNCED = {
    "waiting_on_customer": "waiting_on_customer",
    "resolved": "resolved",
    "closed": "resolved",
    "rejected": "rejected",
}
"""Statuses the integrator hears about, and under which announcement (closed after resolved says nothing new)."""
NON_ESSENTIAL = frozenset({"resolved"})


def _status_merge(non_essential: bool) -> Any:
    def merge(pending: dict[str, Any] | None, change: dict[str, Any]) -> dict[str, Any] | None:
        first = (pending or change)["old_status"]
        told = ANNOUNCED.get(change["new_status"])
        if told in NON_ESSENTIAL and not non_essential:
            told = None
        if told is None or told == ANNOUNCED.get(first):
            return None
        return {**change, "old_status": first}

    return merge


async def status_changed(*, ticket: Ticket, old_status: str, reason: str | None) -> None:
    contact = await _requester(ticket)
    context = await _context(ticket, contact)
    new_status = _enum_value(ticket.status)
    context.update(old_status=str(_enum_value(old_status)), new_status=new_status, reason=reason)
    event = await _latest_event(ticket, "status_changed")
    await _send_change(
        ticket,
        contact,
        "status",
        _status_merge(await wants_non_essential(contact.id)),
        "status_changed",
        context,
        event,
        f"{old_status}->{new_status}",
    )


def _category_merge(pending: dict[str, Any] | None, change: dict[str, Any]) -> dict[str, Any] | None:
    """Several category decisions in the window: one email from the first category to the last; none when
    the ticket ends where the integrator was told it was (`unofficial` always rejects: always told)."""
    if pending is None:
        return change
    first = pending.get("old_category")
    latest = change["ticket"]["category"]
    if first is not None and first == latest and latest != Category.unofficial.value:
        return None
    return {**change, "old_category": first}


async def public_comment(*, ticket: Ticket, comment: Comment) -> None:
    contact = await _requester(ticket)
    context = await _context(ticket, contact)
    context["comment"] = {"author": comment.author_name, "body": comment.body}
    await _send(ticket, contact, "public_comment", context, f"comment:{comment.id}")


async def category_set(*, ticket: Ticket, old_category: Any, reason: str) -> None:
    """Staff set or confirmed the category. A confirmation of what the integrator was already told (a
    confident suggestion, or an earlier staff decision) sends nothing, except for `unofficial`, whose
    confirmation rejects the ticket; anything else explains the billing consequence."""
    if ticket.category is None:
        return
    new = Category(ticket.category)
    old = Category(old_category) if old_category is not None else None
    event = await _latest_event(ticket, "category_changed", "category_confirmed")
    if old == new and new is not Category.unofficial:  # confirming `unofficial` rejects: always say so
        previous = (
            await TicketEvent.filter(
                ticket_id=ticket.id,
                kind__in=["classified", "category_changed", "category_confirmed"],
                id__lt=event.id if event is not None else 2**31 - 1,
            )
            .order_by("-id")
            .first()
        )
        already_told = previous is not None and (
            previous.kind != "classified" or (previous.data or {}).get("state") == ClassificationState.suggested.value
        )
        if already_told:
            return
    contact = await _requester(ticket)
    language = _enum_value(contact.language)
    context = await _context(ticket, contact)
    context["ticket"]["category"] = new.value
    context.update(
        old_category=_enum_value(old) if old != new else None,
        reason=reason,
        billing=await _billing(ticket, new, language),
    )
    await _send_change(
        ticket,
        contact,
        "category",
        _category_merge,
        "category_changed",
        context,
        event,
        f"{_enum_value(old)}->{new.value}",
    )


async def defect_outcome(*, ticket: Ticket, outcome: Any, reason: str) -> None:
    """`not_a_defect`: the ticket is assistance from now on; the billing block quotes its rate."""
    contact = await _requester(ticket)
    language = _enum_value(contact.language)
    context = await _context(ticket, contact)
    outcome = DefectOutcome(outcome)
    billed_as = Category.assistance if outcome is DefectOutcome.not_a_defect else Category.defect
    context.update(outcome=outcome.value, reason=reason, billing=await _billing(ticket, billed_as, language))
    await _send(ticket, contact, "defect_outcome", context, f"ticket:{ticket.id}:defect_outcome")


async def extension_decision(*, ticket: Ticket, decision: Any, reason: str) -> None:
    contact = await _requester(ticket)
    context = await _context(ticket, contact)
    context.update(decision=_enum_value(decision), reason=reason)
    await _send(ticket, contact, "extension_decision", context, f"ticket:{ticket.id}:extension_decision")
