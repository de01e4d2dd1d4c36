"""Two organisations with one of everything an id in the API can point at, built the same way for each, for
tests/test_cross_organisation.py. Objects that belong to no organisation (rate cards, runs, payment files,
the outbox, inbound mail) are made once per side too, so every id route has a real id to try."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from decimal import Decimal

from billing import ledger, runs
from billing.models import CeilingKind, CostCeiling, Invoice, InvoiceStatus
from billing.payments.models import Payment, PaymentFile, PaymentState
from core.auth import Role
from notifications.models import InboundMessage, OutboxMessage
from support.attachments import service as attachments
from support.models import ApiToken, Comment, OrganisationKind, PartnerCustomer, Staff, Ticket
from support.programme import schemas as programme_schemas
from support.programme import service as programme
from support.programme.models import DocumentationAccess, InterfaceNotice, NoticeRecipient
from tests import factories
from tests.billing import builders
from tests.billing.subscription_builders import price_list, subscribe

Side = dict[str, int]
JAN, FEB = (dt.date(2026, 1, 1), dt.date(2026, 1, 31)), (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _attach(ticket: Ticket, name: str, data: bytes, comment: Comment | None = None) -> int:
    read = await attachments.store_attachment(
        ticket_id=ticket.id,
        filename=name,
        stream=_chunks(data),
        uploaded_by="test",
        comment_id=comment.id if comment else None,
    )
    return read.id


async def _side(n: int, staff: Staff) -> tuple[Side, Ticket, str]:
    """An organisation (a partner acting for a customer municipality) with its people, a ticket with comments,
    files, time and a cost ceiling, prepaid hours, a subscription, programme records and its own tokens."""
    org = await factories.organisation(
        name=f"Partner {n} AB", kind=OrganisationKind.partner, invoice_email=f"faktura{n}@partner.example.se"
    )
    customer = await factories.organisation(name=f"Kundkommun {n}")
    await PartnerCustomer.create(partner_id=org.id, customer_id=customer.id)
    contact = await factories.contact(org)
    application = await factories.application(org)
    await factories.application(org, name=f"Olicensierad {n}", in_production=True, production_date=dt.date(2026, 1, 1))
    ticket = await builders.ticket(org, number=f"SUP-2025-{n:05d}")  # clear of the intake counter
    public = await Comment.create(ticket_id=ticket.id, author_name="Support", body="Publikt svar", public=True)
    internal = await Comment.create(ticket_id=ticket.id, author_name="Support", body="Intern anteckning", public=False)
    entry = await builders.entry(ticket, staff, dt.date(2026, 1, 12), 90)
    await builders.entry(ticket, staff, dt.date(2026, 2, 12), 30)  # drafted in February, never issued
    await CostCeiling.create(
        ticket_id=ticket.id,
        kind=CeilingKind.hours,
        limit_value=Decimal(10),
        set_by="test",
        set_at=dt.datetime.now(dt.UTC),
    )
    await builders.package(org, "5")
    subscription = await subscribe(org, "per_application", dt.date(2026, 1, 1), application_id=application.id)
    applied = await programme.apply_for_partnership(
        principal=builders.ADMIN,
        data=programme_schemas.PartnerApplicationCreate(
            organisation_id=org.id, contact_id=contact.id, accepts_integration_policy=True
        ),
    )
    access = await DocumentationAccess.create(
        organisation_id=org.id, granted_at=dt.datetime.now(dt.UTC), granted_by="test", application_id=applied.id
    )
    notice = await InterfaceNotice.create(
        interface=f"Export {n}",
        change="Nytt fält",
        effective_date=FEB[1],
        published_at=dt.datetime.now(dt.UTC),
        published_by="test",
        lead_time_days=30,
    )
    await NoticeRecipient.create(notice_id=notice.id, organisation_id=org.id, reason="partner")
    token = await factories.token(Role.integrator, organisation=org)
    card = await builders.card(organisation=org)
    prices = await price_list(organisation=org)
    side = {
        "n": n,
        "org": org.id,
        "customer": customer.id,
        "contact": contact.id,
        "application": application.id,
        "ticket": ticket.id,
        "public_comment": public.id,
        "internal_comment": internal.id,
        "image": await _attach(ticket, "skärm.png", png()),
        "internal_file": await _attach(ticket, "intern.log", b"intern logg\n", internal),
        "entry": entry.id,
        "subscription": subscription.id,
        "partner_application": applied.id,
        "documentation_access": access.id,
        "notice": notice.id,
        "rate_card": card.id,
        "price_list": prices.id,
        "token": (await ApiToken.get(prefix=token[:10])).id,
    }
    return side, ticket, token


def markers(side: Side) -> list[str]:
    """Text that shows a side's rows in a response: its organisations' names, its ticket number, its notice."""
    n = side["n"]
    return [f"Partner {n} AB", f"Kundkommun {n}", f"SUP-2025-{n:05d}", f"Export {n}", f"Olicensierad {n}"]


async def _payments(n: int, invoice_id: int) -> tuple[int, int]:
    file = await PaymentFile.create(
        format="bgmax", sha256=f"{n:064d}", identity=f"file-{n}", import_key=f"k{n}", imported_by="test"
    )
    payment = await Payment.create(
        file_id=file.id,
        identity=f"payment-{n}",
        payment_date=dt.date(2026, 2, 20),
        amount=Decimal("100.00"),
        unallocated=Decimal("100.00"),
        invoice_id=invoice_id,
        state=PaymentState.needs_hands,
    )
    return file.id, payment.id


async def build() -> tuple[Side, Side, dict[str, str]]:
    """(A, B, B's integrator's headers): January invoiced and issued, February drafted, for both."""
    staff = await factories.staff()
    await builders.card()
    await price_list()
    sides = [await _side(n, staff) for n in (1, 2)]
    january = await runs.run_invoices(started_by="test", period_start=JAN[0], period_end=JAN[1])
    for side, ticket, _ in sides:
        draft = await Invoice.get(organisation_id=ticket.bill_to_id, status=InvoiceStatus.draft)
        await ledger.issue_draft(principal=builders.FINANCE, invoice_id=draft.id, issue_date=dt.date(2026, 2, 2))
        side["invoice"] = draft.id
        side["run"] = january.id
    await runs.run_invoices(started_by="test", period_start=FEB[0], period_end=FEB[1])
    outbox = [message.id for message in await OutboxMessage.all().order_by("id").only("id")]
    for n, (side, ticket, _) in enumerate(sides):
        draft = await Invoice.get(organisation_id=ticket.bill_to_id, status=InvoiceStatus.draft)
        side["draft_invoice"] = draft.id
        side["payment_file"], side["payment"] = await _payments(n, side["invoice"])
        side["outbox"] = outbox[n]
        side["inbound"] = (await InboundMessage.create(message_key=f"inbound-{n}", subject="Hej")).id
    (a, _, _), (b, _, b_token) = sides
    return a, b, factories.bearer(b_token)
