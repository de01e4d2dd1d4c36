"""The outbox end to end against a real SMTP server on loopback: enqueue in a transaction, deliver, retry,
park, survive an SMTP outage, and never send a rolled-back or duplicate email."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
from collections.abc import Callable
from email import policy
from pathlib import Path
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from core.errors import InvalidInput
from notifications.errors import InvalidRecipient
from notifications.mailer import FileMailer
from notifications.models import OutboxAttachment, OutboxMessage, OutboxStatus
from notifications.service import Attachment, enqueue_email, outbox_depth, ticket_reply_address
from notifications.settings import MailSettings
from notifications.templating import TEMPLATES
from notifications.worker import OutboxWorker, run_in_background
from tests.notifications.conftest import deliver_all, deliver_with_a_new_worker
from tests.notifications.samples import SUBJECT_WORDS, context_for
from tests.notifications.smtp import SmtpServer


async def queue(
    template: str = "public_comment", *, key: str, to: str = "asa@kommun.example.se", language: str = "sv", **extra: Any
) -> bool:
    return await enqueue_email(
        template=template,
        to_email=to,
        to_name="Åsa Öberg",
        language=language,
        context=extra.pop("context", None) or context_for(template),
        dedupe_key=key,
        **extra,
    )


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
async def test_each_kind_arrives_in_the_contacts_language(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker], template: str, language: str
) -> None:
    reply_to = ticket_reply_address("SUP-2026-00042")
    assert await queue(template, key=f"k:{template}", language=language, reply_to=reply_to)
    await deliver_with_a_new_worker(make_worker)

    [got] = smtp.received
    assert got.rcpt_tos == ["asa@kommun.example.se"]
    msg = got.message
    assert msg["To"].addresses[0].addr_spec == "asa@kommun.example.se"
    assert msg["To"].addresses[0].display_name == "Åsa Öberg"
    assert msg["Reply-To"] == "support+SUP-2026-00042@tripdesk.example.se"
    assert msg["Content-Language"] == language
    assert SUBJECT_WORDS[(template, language)] in msg["Subject"]
    plain = msg.get_body(preferencelist=("plain",))
    assert plain is not None
    text = plain.get_content()
    html_part = msg.get_body(preferencelist=("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert text.startswith("Hej Åsa Öberg!" if language == "sv" else "Hello Åsa Öberg,")
    assert f'<html lang="{language}">' in html and "Åsa Öberg" in html
    row = await OutboxMessage.get(dedupe_key=f"k:{template}")
    assert row.status == OutboxStatus.sent and row.sent_at is not None and row.attempts == 1
    assert msg["Message-ID"] == row.message_id


async def test_billing_is_explained_in_the_readers_language(db: str) -> None:
    assert await queue("ticket_received", key="sv")
    assert await queue(
        "ticket_received",
        key="en",
        language="en",
        context={
            **context_for("ticket_received"),
            "billing": {**context_for("ticket_received")["billing"], "rate": "1,250.00"},
        },
    )
    sv = await OutboxMessage.get(dedupe_key="sv")
    en = await OutboxMessage.get(dedupe_key="en")
    assert "Assistans (konsulttaxa)" in sv.text_body and "1 250,00 kr per timme" in sv.text_body
    assert "Väntar" not in sv.text_body and "Under arbete" in sv.text_body
    assert "Assistance (consulting rate)" in en.text_body and "SEK 1,250.00 per hour" in en.text_body
    # needs triage: received, being assessed, and nothing about billing or the suggested category
    ctx = {**context_for("ticket_received"), "billing": None}
    assert await queue("ticket_received", key="triage", context=ctx)
    triage = await OutboxMessage.get(dedupe_key="triage")
    assert "bedömer hur det ska hanteras" in triage.text_body
    assert "konsulttaxa" not in triage.text_body and "Kategori" not in triage.text_body


async def test_html_is_escaped_and_text_is_not(db: str) -> None:
    ctx = context_for("public_comment")
    ctx["comment"]["body"] = "<script>alert(1)</script> & if (a < b)"
    assert await queue("public_comment", key="xss", context=ctx)
    row = await OutboxMessage.get(dedupe_key="xss")
    assert "<script>" not in row.html_body and "&lt;script&gt;" in row.html_body
    assert "<script>alert(1)</script> & if (a < b)" in row.text_body


async def test_attachments_round_trip(db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]) -> None:
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    xml = '<?xml version="1.0" encoding="UTF-8"?><Invoice>Småstad ÅÄÖ</Invoice>'.encode()
    assert await queue(
        "invoice_issued",
        key="invoice:7",
        attachments=[
            Attachment("F2026-0007.pdf", "application/pdf", pdf),
            Attachment("F2026-0007.xml", "application/xml", xml),
        ],
    )
    assert await OutboxAttachment.filter(message__dedupe_key="invoice:7").count() == 2
    await deliver_with_a_new_worker(make_worker)
    [got] = smtp.received
    parts = {p.get_filename(): p for p in got.message.iter_attachments()}
    assert set(parts) == {"F2026-0007.pdf", "F2026-0007.xml"}
    assert parts["F2026-0007.pdf"].get_content_type() == "application/pdf"
    assert parts["F2026-0007.pdf"].get_payload(decode=True) == pdf
    assert parts["F2026-0007.xml"].get_payload(decode=True) == xml
    assert got.message.get_body(preferencelist=("plain",)) is not None
    assert got.message.get_body(preferencelist=("html",)) is not None


async def test_421_is_retried_and_arrives_once_with_the_same_message_id(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    assert await queue(key="c:1")
    smtp.handler.fail_next(2, "421 4.3.2 Service shutting down, try later")
    worker = make_worker()
    await worker.run_once()
    row = await OutboxMessage.get(dedupe_key="c:1")
    assert row.status == OutboxStatus.pending and row.attempts == 1 and "421" in (row.last_error or "")
    assert row.next_attempt_at > row.created_at and row.claimed_by is None and row.lease_until is None
    await deliver_all(worker)
    await worker.mailer.close()
    assert len(smtp.received) == 1 and len(smtp.handler.refused) == 2
    row = await OutboxMessage.get(dedupe_key="c:1")
    assert row.status == OutboxStatus.sent and row.attempts == 3
    ids = {got.message_id for _, got in smtp.handler.refused} | {smtp.received[0].message_id}
    assert ids == {row.message_id}


async def test_450_mailbox_busy_is_temporary_too(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    assert await queue(key="c:450")
    smtp.handler.fail_next(1, "450 4.2.1 Mailbox busy")
    await deliver_with_a_new_worker(make_worker)
    assert len(smtp.received) == 1
    assert (await OutboxMessage.get(dedupe_key="c:450")).attempts == 2


async def test_550_parks_with_the_reason_and_others_still_go(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    assert await queue(key="c:bad", to="gone@kommun.example.se")
    assert await queue(key="c:good")
    smtp.handler.fail_next(1, "550 5.1.1 User unknown")
    await deliver_with_a_new_worker(make_worker)
    bad = await OutboxMessage.get(dedupe_key="c:bad")
    assert bad.status == OutboxStatus.parked and bad.attempts == 1
    assert "550" in (bad.last_error or "") and "User unknown" in (bad.last_error or "")
    assert [r.rcpt_tos for r in smtp.received] == [["asa@kommun.example.se"]]
    assert (await OutboxMessage.get(dedupe_key="c:good")).status == OutboxStatus.sent
    assert await outbox_depth() == {"pending": 0, "sending": 0, "sent": 1, "parked": 1}


async def test_temporary_failures_park_after_max_attempts(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    assert await queue(key="c:busy")
    smtp.handler.fail_next(10, "451 4.3.0 Local error")
    worker = make_worker(max_attempts=3)
    await deliver_all(worker)
    await worker.mailer.close()
    row = await OutboxMessage.get(dedupe_key="c:busy")
    assert row.status == OutboxStatus.parked and row.attempts == 3
    assert "gave up after 3 attempts" in (row.last_error or "") and "451" in (row.last_error or "")
    assert smtp.received == []


async def test_smtp_down_for_a_while_loses_nothing_and_sends_nothing_twice(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    for n in range(10):
        assert await queue(key=f"before:{n}")
    worker = make_worker(max_attempts=50)
    await deliver_all(worker, until=10, smtp=smtp)  # connection established and in use
    smtp.stop()
    for n in range(20):
        assert await queue(key=f"during:{n}")
    # attempts while down: connection refused → retry later
    deadline = asyncio.get_running_loop().time() + 10
    while not await OutboxMessage.filter(dedupe_key__startswith="during:", attempts__gte=1).exists():
        assert asyncio.get_running_loop().time() < deadline, "no delivery was tried while the server was down"
        await worker.run_once()
    down = await OutboxMessage.filter(dedupe_key__startswith="during:").values_list("status", "attempts")
    assert all(status == OutboxStatus.pending for status, _ in down)
    assert any(attempts >= 1 for _, attempts in down)
    assert any(
        "connection" in (row.last_error or "").lower()
        for row in await OutboxMessage.filter(dedupe_key__startswith="during:")
    )
    smtp.start()
    await deliver_all(worker)
    await worker.mailer.close()
    ids = smtp.handler.message_ids()
    assert len(ids) == 30 and len(set(ids)) == 30
    assert await OutboxMessage.filter(status=OutboxStatus.sent).count() == 30


async def test_rolled_back_transaction_sends_nothing(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction():
            assert await queue(key="rolled-back", attachments=[Attachment("a.pdf", "application/pdf", b"%PDF")])
            raise RuntimeError("the domain change failed")
    assert not await OutboxMessage.exists(dedupe_key="rolled-back")
    assert await OutboxAttachment.all().count() == 0
    worker = make_worker()
    assert await worker.run_once() == 0
    await worker.mailer.close()
    assert smtp.received == []


async def test_dedupe_key_yields_one_email_and_keeps_the_transaction_usable(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    assert await queue(key="comment:1") is True
    async with in_transaction():
        assert await queue(key="comment:1") is False
        # The caller's transaction is intact (on PostgreSQL an IntegrityError would have aborted it).
        assert await queue(key="comment:2") is True
    assert await OutboxMessage.filter(dedupe_key__in=["comment:1", "comment:2"]).count() == 2
    await deliver_with_a_new_worker(make_worker)
    assert len(smtp.received) == 2


async def test_header_injection_is_neutralised(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    ctx = context_for("public_comment")
    ctx["ticket"]["subject"] = "Hej\r\nBcc: victim@evil.example\r\n\r\nX"
    assert await enqueue_email(
        template="public_comment",
        to_email="asa@kommun.example.se",
        to_name="Åsa\r\nBcc: victim@evil.example",
        language="sv",
        context=ctx,
        dedupe_key="inject",
    )
    row = await OutboxMessage.get(dedupe_key="inject")
    assert "\r" not in row.subject and "\n" not in row.subject and "\n" not in row.to_name
    await deliver_with_a_new_worker(make_worker)
    [got] = smtp.received
    assert got.rcpt_tos == ["asa@kommun.example.se"]
    msg = got.message
    assert msg["Bcc"] is None and len(msg["To"].addresses) == 1
    assert "Bcc: victim@evil.example" in msg["Subject"]  # harmless text inside the one Subject header
    assert b"\nBcc:" not in got.data.split(b"\r\n\r\n", 1)[0]


@pytest.mark.parametrize("address", ["not-an-address", "asa@", "a b@kommun.se", "asa@kommun.se\r\nBcc: x@y.se", ""])
async def test_invalid_recipient_is_refused(db: str, address: str) -> None:
    with pytest.raises(InvalidRecipient) as caught:
        await queue(key="bad", to=address)
    assert isinstance(caught.value, InvalidInput) and caught.value.status == 422
    with pytest.raises(InvalidRecipient):
        await queue(key="bad-reply", reply_to=address or "x")
    assert await OutboxMessage.all().count() == 0


async def test_file_mailer_writes_readable_eml(db: str, tmp_path: Path, mail_settings: MailSettings) -> None:
    assert await queue("invoice_issued", key="file", attachments=[Attachment("f.pdf", "application/pdf", b"%PDF-x")])
    mail_dir = tmp_path / "mail"
    worker = OutboxWorker(mailer=FileMailer(mail_dir), settings=mail_settings)
    assert await worker.drain() == 1
    [path] = list(mail_dir.glob("*.eml"))
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    row = await OutboxMessage.get(dedupe_key="file")
    assert msg["Message-ID"] == row.message_id and msg["To"].addresses[0].addr_spec == "asa@kommun.example.se"
    assert "Faktura F2026-0007" in msg["Subject"]
    plain = msg.get_body(preferencelist=("plain",))
    assert plain is not None
    assert "12 500,00 SEK" in plain.get_content()
    assert [p.get_filename() for p in msg.iter_attachments()] == ["f.pdf"]
    assert row.status == OutboxStatus.sent


async def test_default_mailer_without_smtp_url_is_the_eml_folder(tmp_path: Path) -> None:
    from notifications.mailer import mailer_from_settings

    mailer = mailer_from_settings(MailSettings(TRIPDESK_DATA_DIR=tmp_path))
    assert isinstance(mailer, FileMailer) and mailer.directory == tmp_path / "mail"


async def test_expired_lease_is_reclaimed_and_a_live_one_is_not(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    assert await queue(key="crashed")
    crashed = make_worker()
    [row] = await crashed.claim()  # claims, then "crashes" without sending
    other = make_worker()
    assert await other.claim() == []  # lease still valid: not taken
    await OutboxMessage.filter(id=row.id).update(lease_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    await deliver_all(other)
    await other.mailer.close()
    assert len(smtp.received) == 1
    sent = await OutboxMessage.get(id=row.id)
    assert sent.status == OutboxStatus.sent and sent.claimed_by == other.worker_id


async def test_graceful_stop_releases_the_claimed_batch(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    for n in range(5):
        assert await queue(key=f"stop:{n}")
    worker = make_worker(batch_size=5)
    rows = await worker.claim()
    assert len(rows) == 5
    stop = asyncio.Event()
    stop.set()  # stop requested before anything was sent
    assert await worker.process(rows, stop) == 0
    left = await OutboxMessage.all().values_list("status", "lease_until", "claimed_by")
    assert left == [(OutboxStatus.pending, None, None)] * 5


async def test_cancelling_the_background_worker_releases_what_it_claimed(
    db: str, smtp: SmtpServer, make_worker: Callable[..., OutboxWorker]
) -> None:
    for n in range(40):
        assert await queue(key=f"bg:{n}")
    worker = make_worker(batch_size=40)
    task = asyncio.create_task(run_in_background(worker))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    # The server lives in another thread: poll it.
    while len(smtp.received) < 5 and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.002)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    statuses = await OutboxMessage.all().values_list("status", flat=True)
    assert OutboxStatus.sending not in statuses  # nothing left claimed
    sent = sum(1 for s in statuses if s == OutboxStatus.sent)
    assert sent == len(smtp.received) and sent >= 5
    # a fresh worker delivers the rest, and nothing twice
    await deliver_all(make_worker())
    ids = smtp.handler.message_ids()
    assert len(ids) == 40 and len(set(ids)) == 40
