"""The outbox delivery worker.

Protocol (safe with any number of workers on PostgreSQL; one process per SQLite file):
1. Claim a batch in a short transaction: due pending rows, and `sending` rows whose lease expired (their
   worker crashed). PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint
   batches without waiting; SQLite: a conditional UPDATE (SQLite has a single writer anyway). Claimed rows get
   status=sending, lease_until=now+lease and claimed_by=this worker.
2. Send outside any transaction, over the mailer's one reused connection.
3. Mark each row sent only while it is still claimed by this worker; a temporary failure (4xx, connection)
   goes back to pending with exponential backoff and jitter; a permanent one (5xx) or the last allowed
   attempt parks the row with the reason.
4. On a graceful stop the message in flight is finished and the rest of the batch is released (pending, lease
   cleared), so another worker can take it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import random
import socket
import uuid
from collections import defaultdict

from jinja2 import TemplateError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from notifications.errors import DeliveryFailed, UnknownTemplate
from notifications.mailer import Mailer, mailer_from_settings
from notifications.models import OutboxAttachment, OutboxMessage, OutboxStatus
from notifications.service import build_email, complete_context, utcnow
from notifications.settings import MailSettings, get_mail_settings

log = logging.getLogger("tripdesk.notifications.worker")


def _is_postgres() -> bool:
    """The outbox table's connection (whatever its label) speaks PostgreSQL."""
    return OutboxMessage._meta.db.capabilities.dialect == "postgres"


def backoff_delay(attempts: int, settings: MailSettings) -> float:
    """Seconds before attempt `attempts + 1`: base·2^(attempts−1), capped, with ±25 % jitter so a batch that
    failed together does not retry in lockstep."""
    raw = settings.backoff_base_seconds * (2 ** max(attempts - 1, 0))
    capped = min(raw, settings.backoff_max_seconds)
    return capped * random.uniform(0.75, 1.25)


class OutboxWorker:
    def __init__(
        self, *, mailer: Mailer | None = None, settings: MailSettings | None = None, worker_id: str | None = None
    ) -> None:
        self.settings = settings or get_mail_settings()
        self.mailer = mailer or mailer_from_settings(self.settings)
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._claimed: set[int] = set()
        self._delivered: list[int] = []
        self._flushing: asyncio.Task[None] | None = None
        self.sent = 0
        self.retried = 0
        self.parked = 0

    # 1. claim ------------------------------------------------------------------------------------------

    def _due(self, now: dt.datetime) -> Q:
        return Q(status=OutboxStatus.pending, next_attempt_at__lte=now) | Q(
            status=OutboxStatus.sending, lease_until__lt=now
        )

    async def claim(self) -> list[OutboxMessage]:
        now = utcnow()
        lease_until = now + dt.timedelta(seconds=self.settings.lease_seconds)
        limit = self.settings.batch_size
        async with in_transaction():
            if _is_postgres():
                # `.only()`, not `.values_list()`: Tortoise drops FOR UPDATE from values queries, and without
                # the lock two workers claim (and send) the same batch.
                locked = await (
                    OutboxMessage.filter(self._due(now))
                    .order_by("next_attempt_at", "id")
                    .limit(limit)
                    .select_for_update(skip_locked=True, no_key=True)
                    .only("id")
                )
                ids: list[int] = [row.id for row in locked]
                if not ids:
                    return []
                await OutboxMessage.filter(self._due(now), id__in=ids).update(
                    status=OutboxStatus.sending, lease_until=lease_until, claimed_by=self.worker_id
                )
            else:
                candidates = await (
                    OutboxMessage.filter(self._due(now))
                    .order_by("next_attempt_at", "id")
                    .limit(limit)
                    .values_list("id", flat=True)
                )
                if not candidates:
                    return []
                # Conditional: a row someone else claimed meanwhile no longer matches `_due`.
                await OutboxMessage.filter(self._due(now), id__in=candidates).update(
                    status=OutboxStatus.sending, lease_until=lease_until, claimed_by=self.worker_id
                )
                ids = [int(i) for i in candidates]  # type: ignore[call-overload]  # flat=True gives ints
            rows = await OutboxMessage.filter(
                id__in=ids, claimed_by=self.worker_id, status=OutboxStatus.sending
            ).order_by("next_attempt_at", "id")
        self._claimed.update(row.id for row in rows)
        return rows

    # 2./3. send and record -----------------------------------------------------------------------------

    async def _mark_sent(self, ids: list[int]) -> None:
        """One UPDATE for a group of delivered rows, only where this worker still holds the claim."""
        try:
            done = await OutboxMessage.filter(
                id__in=ids, status=OutboxStatus.sending, claimed_by=self.worker_id
            ).update(
                status=OutboxStatus.sent,
                sent_at=utcnow(),
                attempts=F("attempts") + 1,
                lease_until=None,
                last_error=None,
            )
        except BaseException:
            self._delivered[:0] = ids  # not lost: the next flush (or release) marks them
            raise
        self.sent += len(ids)
        if done != len(ids):
            # A lease expired mid-batch and another worker took rows over: they may arrive twice (same
            # Message-ID, so the receiver can drop them). Raise OUTBOX_LEASE_SECONDS.
            log.warning("%s of %s outbox messages were sent after their lease expired", len(ids) - done, len(ids))

    async def _wait_flush(self) -> None:
        task = self._flushing
        if task is None:
            return
        try:
            await asyncio.shield(task)  # a cancelled caller must not cancel the UPDATE half-way
        finally:
            if task.done() and self._flushing is task:
                self._flushing = None

    async def _flush_in_background(self) -> None:
        """Mark the group just delivered while the next messages go out: the commit (an fsync on both
        databases) overlaps the SMTP round trips instead of adding to them."""
        await self._wait_flush()
        ids, self._delivered = self._delivered, []
        self._flushing = asyncio.create_task(self._mark_sent(ids), name="outbox-mark-sent")

    async def flush_sent(self) -> None:
        """Everything delivered so far is marked sent when this returns.

        Delivered rows are marked in groups (OUTBOX_MARK_SENT_EVERY) rather than with a commit per message; if
        the process dies before a group is marked, those rows are delivered again after their lease expires,
        with the same Message-ID."""
        await self._wait_flush()
        if self._delivered:
            ids, self._delivered = self._delivered, []
            await self._mark_sent(ids)

    async def _record_failure(self, row: OutboxMessage, failure: DeliveryFailed) -> None:
        attempts = row.attempts + 1
        reason = failure.reason[:2000]
        mine = OutboxMessage.filter(id=row.id, status=OutboxStatus.sending, claimed_by=self.worker_id)
        if failure.temporary and attempts < self.settings.max_attempts:
            delay = backoff_delay(attempts, self.settings)
            await mine.update(
                status=OutboxStatus.pending,
                attempts=attempts,
                lease_until=None,
                claimed_by=None,
                next_attempt_at=utcnow() + dt.timedelta(seconds=delay),
                last_error=reason,
            )
            self.retried += 1
            log.info("outbox message %s: temporary failure (%s); retry in %.0f s", row.id, reason, delay)
        else:
            why = reason if not failure.temporary else f"gave up after {attempts} attempts: {reason}"
            await mine.update(
                status=OutboxStatus.parked, attempts=attempts, lease_until=None, claimed_by=None, last_error=why
            )
            self.parked += 1
            log.warning("outbox message %s parked: %s", row.id, why)

    async def _attachments(self, rows: list[OutboxMessage]) -> dict[int, list[OutboxAttachment]]:
        found: dict[int, list[OutboxAttachment]] = defaultdict(list)
        for attachment in await OutboxAttachment.filter(message_id__in=[r.id for r in rows]).order_by("id"):
            found[attachment.message_id].append(attachment)  # type: ignore[attr-defined]
        return found

    async def process(self, rows: list[OutboxMessage], stop: asyncio.Event | None = None) -> int:
        """Send a claimed batch in order; stop early (releasing the rest) when `stop` is set."""
        attachments = await self._attachments(rows) if rows else {}
        handled = 0
        for index, row in enumerate(rows):
            if stop is not None and stop.is_set():
                await self.release([r.id for r in rows[index:]])
                break
            try:
                await complete_context(row)
                message = build_email(row, attachments.get(row.id, ()), settings=self.settings)
                await self.mailer.send(message)
            except DeliveryFailed as failure:
                await self._record_failure(row, failure)
            except (ValueError, TypeError, LookupError, TemplateError, UnknownTemplate) as exc:  # never buildable
                await self._record_failure(row, DeliveryFailed(f"cannot build the message: {exc}", temporary=False))
            else:
                self._delivered.append(row.id)
                if len(self._delivered) >= self.settings.mark_sent_every:
                    await self._flush_in_background()
            self._claimed.discard(row.id)
            handled += 1
        await self.flush_sent()
        return handled

    async def release(self, ids: list[int] | None = None) -> int:
        """Give claimed-but-unsent rows back (pending, lease cleared) so another worker can take them now."""
        await self.flush_sent()  # delivered rows must be marked first, or they would be sent again
        targets = list(self._claimed if ids is None else ids)
        if not targets:
            return 0
        released = await OutboxMessage.filter(
            id__in=targets, status=OutboxStatus.sending, claimed_by=self.worker_id
        ).update(status=OutboxStatus.pending, lease_until=None, claimed_by=None)
        self._claimed.difference_update(targets)
        if released:
            log.info("released %s claimed outbox messages", released)
        return released

    # loops ---------------------------------------------------------------------------------------------

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Claim and process one batch; returns how many messages were handled (0: nothing due)."""
        rows = await self.claim()
        if not rows:
            return 0
        try:
            return await self.process(rows, stop)
        except BaseException:
            # Cancelled or crashed mid-batch: hand the unsent rest back instead of waiting for the lease.
            with contextlib.suppress(Exception):
                await asyncio.shield(self.release())
            raise

    async def drain(self) -> int:
        """Deliver until nothing is due (the `send-outbox` command without --loop)."""
        total = 0
        while (handled := await self.run_once()) > 0:
            total += handled
        return total

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Deliver until `stop_event` is set; sleeps `poll_seconds` when idle. Database or mailer trouble is
        logged and retried, never fatal."""
        try:
            while not stop_event.is_set():
                try:
                    handled = await self.run_once(stop_event)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("outbox worker iteration failed; retrying")
                    handled = 0
                if handled == 0:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(stop_event.wait(), timeout=self.settings.poll_seconds)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(self.release())
            with contextlib.suppress(Exception):
                await self.mailer.close()


async def run_in_background(worker: OutboxWorker | None = None) -> None:
    """The worker inside `tripdesk serve`. Cancelling this task is a graceful stop: the message in flight may
    finish (within `shutdown_grace_seconds`), the rest of the claimed batch is released."""
    worker = worker or OutboxWorker()
    stop = asyncio.Event()
    inner = asyncio.create_task(worker.run_forever(stop), name="outbox-delivery")
    try:
        await asyncio.shield(inner)
    except asyncio.CancelledError:
        stop.set()
        try:
            await asyncio.wait_for(inner, timeout=worker.settings.shutdown_grace_seconds)
        except (TimeoutError, asyncio.CancelledError):
            pass
        raise
