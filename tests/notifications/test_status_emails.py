"""Tell integrators less: only transitions that concern them are emailed, changes within a window go out as one
email, and a contact can opt out of non-essential mail. Counted at a real SMTP server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence

import httpx
import pytest

from core.auth import Role
from notifications import settings as mail_settings
from notifications.models import OutboxMessage, OutboxStatus
from notifications.worker import OutboxWorker
from support.models import Language
from tests import factories as f
from tests.notifications.conftest import Deliver, deliver_all
from tests.notifications.smtp import SmtpServer
from tests.notifications.test_ticket_emails import open_ticket

WALK = ("triaged", "in_progress", "waiting_on_customer", "in_progress", "resolved", "closed")


async def walk(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    ticket_id: int,
    steps: Sequence[str] = WALK,
    between: Callable[[], Awaitable[object]] | None = None,
) -> None:
    for status in steps:
        r = await client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": status}, headers=admin)
        assert r.status_code == 200, r.text
        if between is not None:
            await between()


async def test_the_walk_to_closed_sends_a_receipt_and_one_resolved_email(
    client: httpx.AsyncClient, db: str, deliver: Deliver
) -> None:
    """new → triaged → in_progress → waiting_on_customer → in_progress → resolved → closed within the window: the
    question was answered within it and closing after resolving says nothing new."""
    org = await f.organisation()
    requester = await f.contact(org, language=Language.en, email="dev@partner.example.com")
    admin = f.bearer(await f.token(Role.admin))
    ticket = await open_ticket(client, admin, requester.id)
    await walk(client, admin, ticket["id"])
    subjects = [r.message["Subject"] for r in await deliver()]
    assert len(subjects) == 2, subjects  # six transitions sent six status emails before
    assert "We have received your ticket" in subjects[0] and "Closed" in subjects[1]


async def test_each_step_delivered_at_once_sends_only_what_concerns_the_integrator(
    client: httpx.AsyncClient, db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    """No coalescing between steps (each email leaves before the next change): receipt, 'waiting for your
    reply', 'resolved'; triaged, in progress and closed send nothing."""
    org = await f.organisation()
    requester = await f.contact(org, language=Language.en)
    admin = f.bearer(await f.token(Role.admin))
    ticket = await open_ticket(client, admin, requester.id)
    worker = make_worker()

    async def deliver() -> None:
        await deliver_all(worker)

    await deliver()
    await walk(client, admin, ticket["id"], between=deliver)
    await worker.mailer.close()
    subjects = [r.message["Subject"] for r in smtp.received]
    assert len(subjects) == 3, subjects
    assert "Waiting for your reply" in subjects[1] and "Resolved" in subjects[2]


async def test_changes_within_the_window_wait_and_merge(
    client: httpx.AsyncClient, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIPDESK_NOTIFY_WINDOW_SECONDS", "120")
    mail_settings.get_mail_settings.cache_clear()
    try:
        org = await f.organisation()
        requester = await f.contact(org)
        admin = f.bearer(await f.token(Role.admin))
        ticket = await open_ticket(client, admin, requester.id)
        await walk(client, admin, ticket["id"], ("triaged", "in_progress", "waiting_on_customer"))
        [waiting] = await OutboxMessage.filter(template="status_changed")
        assert waiting.next_attempt_at > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=100)  # not due yet
        await walk(client, admin, ticket["id"], ("in_progress",))  # answered within the window: nothing to say
        assert not await OutboxMessage.filter(template="status_changed").exists()
        await walk(client, admin, ticket["id"], ("resolved",))
        [resolved] = await OutboxMessage.filter(template="status_changed", status=OutboxStatus.pending)
        assert resolved.context is not None
        assert resolved.context["new_status"] == "resolved"
        await walk(client, admin, ticket["id"], ("closed",))  # merged into the same email
        [merged] = await OutboxMessage.filter(template="status_changed")
        assert merged.context is not None
        assert merged.id == resolved.id and merged.context["new_status"] == "closed"
        assert merged.context["old_status"] == "in_progress"
    finally:
        mail_settings.get_mail_settings.cache_clear()


@pytest.mark.parametrize("opted_out", [False, True])
async def test_a_contact_may_opt_out_of_non_essential_mail(client: httpx.AsyncClient, db: str, opted_out: bool) -> None:
    org = await f.organisation()
    requester = await f.contact(org)
    admin = f.bearer(await f.token(Role.admin))
    integrator = f.bearer(await f.token(Role.integrator, organisation=org))
    r = await client.put(
        f"/api/v1/organisations/{org.id}/contacts/{requester.id}/mail-preference",
        json={"non_essential": not opted_out},
        headers=integrator,
    )
    assert r.status_code == 200 and r.json()["non_essential"] is (not opted_out)
    other = await f.organisation()
    r = await client.put(
        f"/api/v1/organisations/{other.id}/contacts/{requester.id}/mail-preference",
        json={"non_essential": False},
        headers=integrator,
    )
    assert r.status_code == 404
    ticket = await open_ticket(client, admin, requester.id)
    await walk(client, admin, ticket["id"], ("triaged", "in_progress", "waiting_on_customer"))
    await OutboxMessage.filter(template="status_changed").update(status=OutboxStatus.sent)  # delivered
    await walk(client, admin, ticket["id"], ("in_progress", "resolved"))
    templates = [(m.template, (m.context or {}).get("new_status")) for m in await OutboxMessage.all().order_by("id")]
    expected = [("ticket_received", None), ("status_changed", "waiting_on_customer")]  # essential: always
    if not opted_out:
        expected.append(("status_changed", "resolved"))
    assert templates == expected
