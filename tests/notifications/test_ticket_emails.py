"""Ticket events through the HTTP API queue the right email to the requester, once per event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from billing.money import format_amount
from core.auth import Role
from notifications.models import OutboxMessage, OutboxStatus
from notifications.service import PreparedEmail, complete_context
from support import notify
from support.models import Language, TicketEvent
from support.policy import Category
from support.tickets import store as ticket_store
from support.tickets.records import NewTicket
from tests import factories as f
from tests.notifications.conftest import Deliver
from tests.support import ticket_helpers

ASSISTANCE = (
    "Hur autentiserar vi mot API:et?",
    "Vi bygger en integration mot ärende-API:et och förstår inte "
    "hur vi ska hämta en OAuth-token. Vilka scopes behövs och hur anropar vi token-endpointen?",
)


@pytest.fixture
def rate_quoter() -> Iterator[list[tuple[int, Category]]]:
    calls: list[tuple[int, Category]] = []

    async def quote(organisation_id: int, category: Category, language: str) -> tuple[str, str] | None:
        calls.append((organisation_id, category))
        return format_amount(Decimal("1250"), language), "Ramavtal 2026"

    previous = notify._rate_quoter
    notify.set_rate_quoter(quote)
    yield calls
    notify.set_rate_quoter(previous)


async def mails(template: str | None = None) -> list[OutboxMessage]:
    rows = OutboxMessage.all().order_by("id")
    if template:
        rows = rows.filter(template=template)
    return [await complete_context(row) for row in await rows]  # as the worker renders them


async def post_action(
    client: httpx.AsyncClient, headers: dict[str, str], ticket_id: int, action: str, **body: str
) -> None:
    """POST one workflow action (classification, defect-outcome …) on a ticket; it must succeed."""
    response = await client.post(f"/api/v1/tickets/{ticket_id}/{action}", json=body, headers=headers)
    assert response.status_code == 200, response.text


async def open_ticket(
    client: httpx.AsyncClient, headers: dict[str, str], requester_id: int, *text: str
) -> dict[str, Any]:
    """Open a ticket through the API: an assistance question unless `text` gives its subject and body."""
    return await ticket_helpers.open_ticket(client, headers, requester_id, *(text or ASSISTANCE))


async def test_new_ticket_queues_a_receipt_to_the_requester(
    client: httpx.AsyncClient, db: str, deliver: Deliver, rate_quoter: list[tuple[int, Category]]
) -> None:
    org = await f.organisation(name="Åsele kommun")
    requester = await f.contact(org, name="Åsa Öberg", email="asa.oberg@asele.example.se")
    admin = f.bearer(await f.token(Role.admin))
    ticket = await open_ticket(client, admin, requester.id)

    [mail] = await mails()
    assert mail.template == "ticket_received" and mail.to_email == "asa.oberg@asele.example.se"
    assert mail.language == "sv" and mail.to_name == "Åsa Öberg"
    assert mail.reply_to == f"support+{ticket['number']}@tripdesk.example.se"
    assert mail.dedupe_key == f"ticket:{ticket['number']}:received"
    assert ticket["number"] in mail.subject and "Åsele kommun" in mail.text_body
    if ticket["classification_state"] == "suggested":
        assert ticket["category"] == "assistance"
        assert "1\u00a0250,00 kr per timme" in mail.text_body and "Ramavtal 2026" in mail.text_body
        assert rate_quoter == [(org.id, Category.assistance)]
    else:  # below the confidence threshold: nothing about billing yet
        assert "konsulttaxa" not in mail.text_body and "bedömer hur det ska hanteras" in mail.text_body

    [got] = await deliver()
    assert got.rcpt_tos == ["asa.oberg@asele.example.se"] and got.message["Reply-To"] == mail.reply_to


async def test_receipt_for_a_ticket_awaiting_triage_says_nothing_about_billing(
    client: httpx.AsyncClient, db: str, rate_quoter: list[tuple[int, Category]]
) -> None:

    org = await f.organisation()
    requester = await f.contact(org, language=Language.en)
    now = dt.datetime.now(dt.UTC)
    receipt = notify.receipt(subject="Something odd", status="new", category=None)
    ticket = NewTicket(
        columns={
            "subject": "Something odd",
            "body": "",
            "bill_to_id": None,
            "application_id": None,
            "category": None,
            "classification_state": "needs_triage",
            "classification_confidence": 0.2,
            "status": "new",
            "licence_warning": None,
            "created_at": now,
            "updated_at": now,
        }
    )
    opened = await ticket_store.open_ticket(
        contact_id=requester.id, organisation_scope=None, ticket=ticket, events=[], receipt=receipt
    )
    assert opened.ticket_id is not None
    [mail] = await mails()
    assert mail.language == "en" and "We have received your ticket" in mail.subject
    assert "consulting" not in mail.text_body and "Category" not in mail.text_body
    assert "assess how it is handled" in mail.text_body and rate_quoter == []


async def test_ticket_lifecycle_emails_once_per_event(
    client: httpx.AsyncClient, db: str, deliver: Deliver, rate_quoter: list[tuple[int, Category]]
) -> None:
    org = await f.organisation()
    requester = await f.contact(org, language=Language.en, email="dev@partner.example.com")
    admin = f.bearer(await f.token(Role.admin))
    ticket = await open_ticket(client, admin, requester.id)
    tid = ticket["id"]

    async def patch(status: str) -> None:
        r = await client.patch(f"/api/v1/tickets/{tid}", json={"status": status, "reason": "step"}, headers=admin)
        assert r.status_code == 200, r.text

    for status in ("triaged", "in_progress", "waiting_on_customer", "in_progress", "waiting_on_customer"):
        await patch(status)
    # Internal steps send nothing, and the changes made within the window go out as one email.
    [status_mail] = status_mails = await mails("status_changed")
    assert status_mail.context is not None
    assert status_mail.context["old_status"] == "in_progress"
    assert status_mail.context["new_status"] == "waiting_on_customer"
    assert "Waiting for your reply" in status_mails[-1].subject
    assert "We need more information from you" in status_mails[-1].text_body

    r = await client.post(
        f"/api/v1/tickets/{tid}/comments", json={"body": "Use scope cases.read", "public": True}, headers=admin
    )
    assert r.status_code == 201, r.text
    r2 = await client.post(
        f"/api/v1/tickets/{tid}/comments", json={"body": "internal note", "public": False}, headers=admin
    )
    assert r2.status_code == 201
    [comment_mail] = await mails("public_comment")
    assert comment_mail.dedupe_key == f"comment:{r.json()['id']}" and "Use scope cases.read" in comment_mail.text_body
    assert "internal note" not in "".join(m.text_body for m in await mails())

    await post_action(client, admin, tid, "classification", category="defect", reason="Looks like a regression")
    [category_mail] = await mails("category_changed")
    assert "Interface defect (free of charge)" in category_mail.subject
    assert "free of charge" in category_mail.text_body and "Looks like a regression" in category_mail.text_body

    await post_action(
        client, admin, tid, "defect-outcome", outcome="not_a_defect", reason="Wrong date format in the client"
    )
    [outcome_mail] = await mails("defect_outcome")
    assert "not a defect" in outcome_mail.subject
    assert "SEK 1,250.00 per hour" in outcome_mail.text_body and "Wrong date format" in outcome_mail.text_body

    received = await deliver()
    ids = [r.message_id for r in received]
    assert len(ids) == len(await mails()) == 1 + 1 + 1 + 1 + 1 and len(set(ids)) == len(ids)
    assert {tuple(r.rcpt_tos) for r in received} == {("dev@partner.example.com",)}


async def test_extension_decision_and_unofficial_rejection(
    client: httpx.AsyncClient, db: str, rate_quoter: list[tuple[int, Category]]
) -> None:
    org = await f.organisation()
    requester = await f.contact(org)
    admin = f.bearer(await f.token(Role.admin))
    ext = await open_ticket(
        client,
        admin,
        requester.id,
        "Nytt fält i API:et",
        "Vi önskar ett nytt fält handläggare i svaret från GET /api/arenden.",
    )
    await post_action(client, admin, ext["id"], "classification", category="extension", reason="Önskemål")
    await post_action(
        client, admin, ext["id"], "extension-decision", decision="roadmap", reason="Passar in i version 9"
    )
    [decision] = await mails("extension_decision")
    assert "byggs in i en kommande version" in decision.subject and "Passar in i version 9" in decision.text_body

    bad = await open_ticket(
        client,
        admin,
        requester.id,
        "Läsa databasen direkt",
        "Vi vill läsa tabellerna direkt i er SQL Server-databas. Vilket schema gäller?",
    )
    await post_action(client, admin, bad["id"], "classification", category="unofficial", reason="Direkt databasåtkomst")
    refused = [m for m in await mails("category_changed") if bad["number"] in m.subject]
    [refused_mail] = refused
    assert "ingen assistans" in refused_mail.subject
    assert (
        "Vi kan tyvärr inte hjälpa till" in refused_mail.text_body
        and "Status:        Avvisad" in refused_mail.text_body
    )
    assert "integrationspolicyn" in refused_mail.text_body


async def test_confirming_a_category_already_told_sends_nothing(
    client: httpx.AsyncClient, db: str, rate_quoter: list[tuple[int, Category]]
) -> None:
    org = await f.organisation()
    requester = await f.contact(org)
    admin = f.bearer(await f.token(Role.admin))
    told = await open_ticket(client, admin, requester.id)
    untold = await open_ticket(client, admin, requester.id)
    for ticket, state in ((told, "suggested"), (untold, "needs_triage")):
        event = await TicketEvent.get(ticket_id=ticket["id"], kind="classified")
        event.data = {**(event.data or {}), "state": state}
        await event.save()
        await post_action(client, admin, ticket["id"], "classification", category=ticket["category"], reason="Stämmer")
    sent = await mails("category_changed")
    assert [m.dedupe_key.split(":")[1] for m in sent] == [str(untold["id"])]
    assert "Vi har nu bedömt ditt ärende" in sent[0].text_body


async def test_receipt_queued_by_an_earlier_version_renders_as_it_was_queued(
    db: str, rate_quoter: list[tuple[int, Category]]
) -> None:
    """Before receipts stored their facts, the row held the template context itself; it still renders."""
    billing = {
        "category": "assistance",
        "billing": "consulting_rate",
        "rate": "990,00",
        "rate_agreement": "Avtal 2025",
        "policy_text": "Assistans debiteras.",
    }
    context = {
        "ticket": {
            "number": "SUP-2026-00007",
            "subject": "Gammalt",
            "status": "new",
            "category": "assistance",
            "organisation_name": "Ö kommun",
        },
        "contact_name": "Örjan",
        "billing": billing,
    }
    row = await OutboxMessage.create(
        dedupe_key="ticket:SUP-2026-00007:received",
        message_id="<old@x>",
        template="ticket_received",
        language="sv",
        to_email="o@example.se",
        to_name="Örjan",
        context=context,
        next_attempt_at=dt.datetime.now(dt.UTC),
    )
    completed = await complete_context(await OutboxMessage.get(id=row.id))
    assert completed.context == context and rate_quoter == []
    assert "990,00 kr per timme" in completed.text_body and "SUP-2026-00007" in completed.subject


async def test_intake_stores_the_same_receipt_row_on_both_backends(client: httpx.AsyncClient, db: str) -> None:
    """Intake builds its receipt in SQL (the requester, the number and the facts joined in the statement that
    stores the ticket); on either backend the stored row is exactly this one, value for value."""
    org = await f.organisation(name="Åsele kommun")
    requester = await f.contact(org, name="Åsa Öberg", email="asa.oberg@asele.example.se", language=Language.en)
    ticket = await open_ticket(client, f.bearer(await f.token(Role.admin)), requester.id)
    number, created_at = ticket["number"], dt.datetime.fromisoformat(ticket["created_at"])
    category = Category(ticket["category"]) if ticket["classification_state"] == "suggested" else None
    facts = notify.receipt(subject=ASSISTANCE[0], status="new", category=category).facts
    [row] = await OutboxMessage.all().values(*PreparedEmail.COLUMNS)
    assert row.pop("message_id").endswith("@tripdesk.example.se>")
    assert row == {
        "dedupe_key": f"ticket:{number}:received",
        "template": "ticket_received",
        "language": "en",
        "to_email": "asa.oberg@asele.example.se",
        "to_name": "Åsa Öberg",
        "reply_to": f"support+{number}@tripdesk.example.se",
        "context": {
            "facts": {
                **facts,
                "number": number,
                "organisation_name": "Åsele kommun",
                "contact_name": "Åsa Öberg",
                "organisation_id": org.id,
                "bill_to_id": org.id,
            }
        },
        "status": OutboxStatus.pending,
        "attempts": 0,
        "next_attempt_at": created_at,
        "created_at": created_at,
    }
