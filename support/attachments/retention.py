"""Retention: the files of tickets closed long ago are removed, and a record of each stays.

Rules:
- A ticket counts as closed at its latest `status_changed` → `closed` event, and only while it is still closed.
- Each removed attachment leaves an `AttachmentRemoval` row (name, sha256, size, type, when, by whom, why); the
  bytes go when the last attachment using them goes, deleted while their blob row is locked, so no upload of
  the same bytes can count on them meanwhile.
- A dry run reports the same list and changes nothing.

The orphan sweep removes, from the directory store, files no blob row holds (what a crash between writing the
file and committing its row left) and staging files, once older than a grace period that outlasts any upload.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import cast

from tortoise.functions import Max
from tortoise.transactions import in_transaction

from support.attachments.models import Attachment, AttachmentBlob, AttachmentRemoval
from support.attachments.schemas import AttachmentRead
from support.attachments.service import attachment_read, discard_unreferenced
from support.attachments.settings import get_attachment_settings
from support.attachments.storage import DirectoryStore, make_store
from support.models import TicketEvent, TicketStatus

KEPT_OF_REMOVED = {"ticket_id", "comment_id", "filename", "sha256", "size", "content_type"}
"""What the record of a removed attachment keeps of it, besides its id (its `AttachmentRead` fields)."""


@dataclass
class PurgeResult:
    closed_before: dt.datetime
    dry_run: bool
    removed: list[AttachmentRead] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(a.size for a in self.removed)


def months_ago(months: int, now: dt.datetime | None = None) -> dt.datetime:
    """The same day of the month `months` back (that month's last day when it is shorter)."""
    now = now or dt.datetime.now(dt.UTC)
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    return now.replace(year=year, month=month + 1, day=min(now.day, calendar.monthrange(year, month + 1)[1]))


async def _closed_before(cutoff: dt.datetime) -> list[int]:
    closings = (
        TicketEvent.filter(
            kind="status_changed", to_value=TicketStatus.closed.value, ticket__status=TicketStatus.closed
        )
        .group_by("ticket_id")
        .annotate(closed_at=Max("created_at"))
        .filter(closed_at__lt=cutoff)
        .values_list("ticket_id", flat=True)
    )
    return [cast(int, t) for t in await closings]


async def purge_attachments(*, closed_before: dt.datetime, removed_by: str, dry_run: bool = False) -> PurgeResult:
    result = PurgeResult(closed_before=closed_before, dry_run=dry_run)
    tickets = await _closed_before(closed_before)
    if not tickets:
        return result
    rows = await Attachment.filter(ticket_id__in=tickets).prefetch_related("blob").order_by("id")
    store = make_store(get_attachment_settings())
    for row in rows:
        if dry_run:
            result.removed.append(attachment_read(row, row.blob))
            continue
        async with in_transaction():
            attachment = await Attachment.filter(id=row.id).select_for_update().first()
            if attachment is None:
                continue  # removed meanwhile
            blob = await AttachmentBlob.filter(sha256=attachment.blob_id).select_for_update().get()  # type: ignore[attr-defined]
            removed = attachment_read(attachment, blob)
            result.removed.append(removed)
            await AttachmentRemoval.create(
                attachment_id=removed.id,
                **removed.model_dump(include=KEPT_OF_REMOVED),
                removed_by=removed_by,
                reason=f"retention: ticket closed before {closed_before.date().isoformat()}",
            )
            await attachment.delete()
            blob.refs -= 1
            if blob.refs > 0:
                await blob.save(update_fields=["refs"])
            else:
                await store.delete(blob.sha256)
                await blob.delete()
    return result


async def sweep_orphans(*, older_than_seconds: float = 24 * 3600) -> list[str]:
    """Remove what no row holds from the directory store (nothing to do for the database store, whose
    chunks are written in the transaction of their row). Returns the sha256s removed."""
    settings = get_attachment_settings()
    store = make_store(settings)
    if not isinstance(store, DirectoryStore):
        return []
    deadline = time.time() - older_than_seconds
    stored = [sha for sha, mtime in await asyncio.to_thread(store.stored_digests) if mtime < deadline]
    known = set(await AttachmentBlob.filter(sha256__in=stored).values_list("sha256", flat=True)) if stored else set()
    removed = [sha for sha in stored if sha not in known and await discard_unreferenced(store, sha)]
    for folder in (settings.staging_dir, store.root / "tmp"):
        if folder.exists():
            for leftover in folder.iterdir():
                if leftover.stat().st_mtime < deadline:
                    leftover.unlink(missing_ok=True)
    return removed
