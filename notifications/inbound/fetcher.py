"""The mail fetcher: reads the support mailbox and hands each message to the registered handler, once.

Protocol (safe with any number of fetchers on PostgreSQL; one process per SQLite file):
1. List the folder's UIDs and fetch their header blocks in batches (not marking anything seen).
2. Claim a batch by the messages' keys (Message-ID, or a hash of the header block) in one short transaction:
   insert `InboundMessage` rows with ON CONFLICT DO NOTHING; a row that exists is taken over only when its
   last attempt failed (`retry`) or its claim's lease expired (the fetcher died), by a conditional UPDATE, so
   two fetchers never both hold it. A message whose row is final is only moved.
3. Fetch each claimed message and, in one transaction per message, let the handler turn it into a comment or
   ticket (or hold it), store the original, and mark the row final, only while this fetcher still holds the
   claim (else the transaction rolls back). A crash before the commit leaves the claim to expire: nothing is
   half done and the message is still in the mailbox.
4. After the batch, move its finished messages to the processed folder (one command per folder). A crash
   between commit and move is harmless: a later round finds the rows final and only moves the messages
   (another fetcher waits a lease first, so two fetchers do not both copy one).
A failure (parse, handler, database) counts an attempt and leaves the message in the mailbox for the next
round; after IMAP_MAX_ATTEMPTS it is moved to the failed folder and kept there, visible to staff.
Machine-sent mail (auto-replies, lists, bounces) never reaches the handler; a bounce marks its failed
recipients' addresses as failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from notifications.inbound import service
from notifications.inbound.imap import Envelope, ImapError, ImapMailbox
from notifications.inbound.parse import InboundMail, first_message_id, message_key, parse_message
from notifications.models import InboundKind, InboundMessage, InboundStatus
from notifications.service import utcnow
from notifications.settings import InboundSettings, get_inbound_settings, get_mail_settings

log = logging.getLogger("tripdesk.notifications.fetcher")

KEPT_OF_MAIL = ("kind", "from_address", "from_name", "subject")
"""What the inbound row keeps of a handled message, besides its original and the outcome."""

FINAL = frozenset(
    {
        InboundStatus.processed,
        InboundStatus.ignored,
        InboundStatus.held,
        InboundStatus.accepted,
        InboundStatus.discarded,
        InboundStatus.failed,
    }
)


@dataclass(frozen=True)
class Handled:
    """What the handler made of a personal message: `processed` (a comment or a ticket) or `held`."""

    status: InboundStatus
    outcome: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[InboundMail], Awaitable[Handled]]
_handler: Handler | None = None


def register_handler(handler: Handler | None) -> None:
    """The composition root sets what a personal message becomes (support's mail conversations)."""
    global _handler
    _handler = handler


class LeaseLost(Exception):
    """Another fetcher took the message over (our lease expired): this attempt's changes roll back."""


def own_addresses() -> frozenset[str]:
    """Addresses tripdesk sends from and receives on (plus-addresses reduced to their base)."""
    found = set()
    for value in (get_mail_settings().mail_from, get_inbound_settings().support_address or ""):
        _, address = parseaddr(value)
        if address:
            local, _, domain = address.lower().partition("@")
            found.add(f"{local.partition('+')[0]}@{domain}")
    return frozenset(found)


@dataclass
class FetchStats:
    processed: int = 0
    held: int = 0
    ignored: int = 0
    retried: int = 0
    failed: int = 0
    moved_only: int = 0
    skipped: int = 0

    def total(self) -> int:
        return self.processed + self.held + self.ignored + self.failed + self.retried


class MailFetcher:
    def __init__(
        self,
        *,
        settings: InboundSettings | None = None,
        mailbox: ImapMailbox | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings or get_inbound_settings()
        if mailbox is None:
            if not self.settings.imap_url:
                raise ValueError("IMAP_URL is not set: there is no mailbox to read")
            mailbox = ImapMailbox(
                self.settings.imap_url,
                oauth_token=self.settings.imap_oauth_token,
                timeout=self.settings.timeout_seconds,
            )
        self.mailbox = mailbox
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stats = FetchStats()
        self._own = own_addresses()
        self._connected = False
        self.on_handled: Callable[[int, str], None] | None = None  # (uid, result) after each message

    async def _ensure_connected(self) -> None:
        if not self._connected:
            await self.mailbox.connect()
            for folder in (self.settings.processed_folder, self.settings.failed_folder):
                await self.mailbox.ensure_folder(folder)
            self._connected = True

    async def close(self) -> None:
        self._connected = False
        await self.mailbox.close()

    # claims ------------------------------------------------------------------------------------------

    async def claim(self, wanted: list[tuple[str, str | None, int]]) -> dict[str, tuple[str, InboundMessage]]:
        """Claim a batch of (key, Message-ID, size) in one short transaction: key → ('mine' | 'done' | 'busy',
        row). New keys are inserted as claimed by this fetcher; existing ones are taken over only when their
        last attempt failed or their lease expired."""
        now = utcnow()
        lease_until = now + dt.timedelta(seconds=self.settings.lease_seconds)
        keys = [key for key, _, _ in wanted]
        async with in_transaction():
            await InboundMessage.bulk_create(
                [
                    InboundMessage(
                        message_key=key,
                        message_id=message_id,
                        status=InboundStatus.claimed,
                        size=size,
                        claimed_by=self.worker_id,
                        lease_until=lease_until,
                        attempts=0,
                    )
                    for key, message_id, size in wanted
                ],
                ignore_conflicts=True,
            )
            rows = {row.message_key: row for row in await InboundMessage.filter(message_key__in=keys)}
            takeable = Q(status=InboundStatus.retry) | Q(status=InboundStatus.claimed, lease_until__lt=now)
            stale = [
                row.id
                for row in rows.values()
                if row.status is InboundStatus.retry
                or (row.status is InboundStatus.claimed and row.claimed_by != self.worker_id)
            ]
            if stale:
                await InboundMessage.filter(takeable, id__in=stale).update(
                    status=InboundStatus.claimed, claimed_by=self.worker_id, lease_until=lease_until
                )
                for row in await InboundMessage.filter(id__in=stale):
                    rows[row.message_key] = row
        claimed: dict[str, tuple[str, InboundMessage]] = {}
        for key, row in rows.items():
            if row.status is InboundStatus.claimed and row.claimed_by == self.worker_id:
                claimed[key] = ("mine", row)
            elif row.status in FINAL:
                claimed[key] = ("done", row)
            else:
                claimed[key] = ("busy", row)
        return claimed

    # one message -------------------------------------------------------------------------------------

    async def _handle(self, mail: InboundMail) -> Handled:
        if mail.kind is InboundKind.bounce:
            marked = await service.mark_failing(mail.bounced, reason=f"bounce {mail.message_id or ''}".strip())
            return Handled(InboundStatus.ignored, {"reason": "bounce", "failing": marked})
        if mail.kind is not InboundKind.personal:
            return Handled(InboundStatus.ignored, {"reason": mail.kind.value})
        if _handler is None:
            raise RuntimeError("no mail handler is registered")
        await service.clear_failing(mail.from_address)
        return await _handler(mail)

    async def _end_attempt(self, row: InboundMessage, **changes: Any) -> int:
        """End an attempt at `row`: the attempt is counted, the lease given up and `changes` (the outcome)
        written, only while this fetcher still holds the claim. Returns 0 when it no longer does."""
        held = InboundMessage.filter(id=row.id, status=InboundStatus.claimed, claimed_by=self.worker_id)
        return await held.update(attempts=row.attempts + 1, lease_until=None, **changes)

    async def _finish(self, row: InboundMessage, mail: InboundMail) -> Handled:
        async with in_transaction():
            handled = await self._handle(mail)
            outcome = dict(handled.outcome)
            if mail.refused:
                outcome["refused_attachments"] = [
                    {"filename": r.filename, "content_type": r.content_type, "size": r.size, "reason": r.reason}
                    for r in mail.refused
                ]
            kept = {name: getattr(mail, name) for name in KEPT_OF_MAIL}
            done = await self._end_attempt(
                row,
                status=handled.status,
                original=mail.raw,
                outcome=outcome,
                processed_at=utcnow(),
                last_error=None,
                **kept,
            )
            if not done:
                raise LeaseLost(row.message_key)
        return handled

    async def _failed_attempt(self, row: InboundMessage, error: str) -> str | None:
        """Count a failed attempt; returns the failed folder when attempts are exhausted (None: stay)."""
        attempts = row.attempts + 1
        final = attempts >= self.settings.max_attempts
        await self._end_attempt(
            row,
            status=InboundStatus.failed if final else InboundStatus.retry,
            claimed_by=self.worker_id if final else None,
            processed_at=utcnow() if final else None,
            last_error=error[:4000],
        )
        if final:
            self.stats.failed += 1
            log.warning(
                "inbound message %s failed %s times; moved to %s: %s",
                row.message_key,
                attempts,
                self.settings.failed_folder,
                error,
            )
            return self.settings.failed_folder
        self.stats.retried += 1
        log.info(
            "inbound message %s: attempt %s failed (%s); kept for the next round", row.message_key, attempts, error
        )
        return None

    def _key(self, envelope: Envelope) -> tuple[str, str | None]:
        header = BytesHeaderParser().parsebytes(envelope.header)
        message_id = first_message_id(str(header.get("Message-ID", "")))
        return message_key(message_id, envelope.header.rstrip(b"\r\n")), message_id

    async def process(self, envelopes: list[Envelope]) -> None:
        """Claim a batch, handle each claimed message in its own transaction, then move the batch's finished
        messages with one command per folder."""
        keyed = [(envelope, *self._key(envelope)) for envelope in envelopes]
        claims = await self.claim(list({key: (key, mid, env.size) for env, key, mid in keyed}.values()))
        moves: dict[str, list[int]] = {}
        seen: set[str] = set()
        for envelope, key, _ in keyed:
            state, row = claims[key]
            if state == "mine" and key in seen:
                state = "done"  # a second copy of a message in the same batch: only moved
            seen.add(key)
            result, folder = await self._one(envelope, key, state, row)
            if folder is not None:
                moves.setdefault(folder, []).append(envelope.uid)
            if self.on_handled is not None:
                self.on_handled(envelope.uid, result)
        for folder, uids in moves.items():
            await self.mailbox.move(uids, folder)

    async def _one(self, envelope: Envelope, key: str, state: str, row: InboundMessage) -> tuple[str, str | None]:
        """(what happened, the folder to move the message to or None)."""
        if state == "busy":
            self.stats.skipped += 1
            return state, None
        if state == "done":
            # The fetcher that finished it moves it right after its commit; another one steps in only when
            # that did not happen within a lease (it died in between), or both would copy it to the folder.
            finished = row.processed_at or row.created_at
            if row.claimed_by not in (None, self.worker_id) and finished > utcnow() - dt.timedelta(
                seconds=self.settings.lease_seconds
            ):
                self.stats.skipped += 1
                return "busy", None
            self.stats.moved_only += 1
            failed = row.status is InboundStatus.failed
            return state, self.settings.failed_folder if failed else self.settings.processed_folder
        if envelope.size > self.settings.max_message_bytes:
            row.attempts = self.settings.max_attempts - 1  # no retry can make it smaller
            return "failed", await self._failed_attempt(
                row,
                f"the message has {envelope.size} bytes, more than MAIL_MAX_MESSAGE_BYTES "
                f"({self.settings.max_message_bytes})",
            )
        try:
            raw = await self.mailbox.fetch(envelope.uid)
            if raw is None:  # gone meanwhile: give the claim back untouched
                await InboundMessage.filter(id=row.id, claimed_by=self.worker_id).update(
                    status=InboundStatus.retry, claimed_by=None, lease_until=None
                )
                return "gone", None
            mail = parse_message(raw, settings=self.settings, own_addresses=self._own)
            if mail.message_key != key:  # the key comes from the header block alone; keep the claimed one
                mail = replace(mail, message_key=key)
            handled = await self._finish(row, mail)
        except LeaseLost:
            log.warning("inbound message %s was taken over by another fetcher; raise IMAP_LEASE_SECONDS", key)
            return "lost", None
        except ImapError:
            raise
        except Exception as exc:  # any failure is an attempt: the message stays and is retried
            log.exception("inbound message %s could not be processed", key)
            return "retry", await self._failed_attempt(row, f"{type(exc).__name__}: {exc}")
        if handled.status is InboundStatus.processed:
            self.stats.processed += 1
        elif handled.status is InboundStatus.held:
            self.stats.held += 1
        else:
            self.stats.ignored += 1
        return handled.status.value, self.settings.processed_folder

    # rounds ------------------------------------------------------------------------------------------

    async def run_once(self) -> int:
        """One pass over the folder; returns how many messages were looked at."""
        await self._ensure_connected()
        try:
            uids = await self.mailbox.uids()
            seen = 0
            for start in range(0, len(uids), self.settings.batch_size):
                envelopes = await self.mailbox.envelopes(uids[start : start + self.settings.batch_size])
                await self.process(envelopes)
                seen += len(envelopes)
            return seen
        except ImapError:
            await self.close()
            raise

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Fetch until `stop` is set: after each pass wait for IDLE news or IMAP_POLL_SECONDS. Server or
        database trouble is logged and retried, never fatal."""
        try:
            while not stop.is_set():
                try:
                    before = self.stats.total() - self.stats.retried
                    await self.run_once()
                    if self.stats.total() - self.stats.retried > before:
                        continue  # mail that arrived during the round was announced before IDLE began
                    waiter = asyncio.create_task(self.mailbox.wait_for_mail(self.settings.poll_seconds))
                    stopper = asyncio.create_task(stop.wait())
                    await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                    for task in (waiter, stopper):
                        task.cancel()
                    if not waiter.cancelled() and waiter.done() and waiter.exception() is not None:
                        await self.close()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("mail fetch round failed; retrying")
                    await self.close()
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=self.settings.poll_seconds)
        finally:
            with contextlib.suppress(Exception):
                await self.close()


async def run_in_background(fetcher: MailFetcher | None = None) -> None:
    """The fetcher inside `tripdesk serve`; cancelling the task stops it (an unfinished message keeps its
    claim until the lease expires, and nothing of it was committed)."""
    fetcher = fetcher or MailFetcher()
    stop = asyncio.Event()
    try:
        await fetcher.run_forever(stop)
    finally:
        stop.set()
