"""Attachment use cases: store an upload, list a ticket's files, open one for download.

Business rules:
- Visibility follows the ticket (`tickets.get_ticket`: an integrator's own organisation's tickets, opened or
  billed) and the comment (an integrator sees no internal comment, nor its files). Anything else is the same
  404 as a missing attachment.
- Limits: per file and per ticket (the sum of its attachments' sizes), checked while the bytes arrive, and the
  ticket's total again under the ticket's row lock, so two parallel uploads cannot both squeeze in.
- An upload is written to a local staging file (hashing as it goes), inspected (type, archive members, the
  virus scanner), and only then stored: the blob row is inserted or locked, the store writes the bytes, the
  attachment row follows, all in one transaction. The same bytes are stored once (`refs` counts their users).
- A text attachment is read by the classifier with the ticket's body while no one from staff has decided
  the category (reclassify.py).

`store_attachment` is also the entry point for other packages (mail intake): it takes any async stream.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from core.auth import Principal
from core.errors import InternalError
from support import access
from support.attachments import detect, reclassify
from support.attachments.errors import (
    AttachmentNotFound,
    AttachmentTooLarge,
    CommentNotFound,
    EmptyAttachment,
    TicketAttachmentsFull,
)
from support.attachments.models import Attachment, AttachmentBlob
from support.attachments.names import clean_filename
from support.attachments.scanner import scan
from support.attachments.schemas import AttachmentRead
from support.attachments.settings import AttachmentSettings, get_attachment_settings
from support.attachments.storage import CHUNK_BYTES, BlobStore, DirectoryStore, make_store
from support.errors import TicketNotFound
from support.models import Comment, Ticket
from support.tickets.service import get_ticket

STAGE_CHUNK = 64 * 1024


LISTED = {
    "id": "id",
    "ticket_id": "ticket_id",
    "comment_id": "comment_id",
    "filename": "filename",
    "size": "blob__size",
    "content_type": "blob__content_type",
    "sha256": "blob__sha256",
    "uploaded_by": "uploaded_by",
    "uploaded_at": "created_at",
    "preview": "blob__preview",
    "has_thumbnail": "blob__has_thumbnail",
}
"""AttachmentRead's fields and where they are read from (a list never reads the thumbnails' bytes)."""


def attachment_read(attachment: Attachment, blob: AttachmentBlob) -> AttachmentRead:
    """The same fields, from the same places, as a list reads (`LISTED`)."""
    values = {}
    for name, source in LISTED.items():
        relation, _, column = source.rpartition("__")
        values[name] = getattr(blob if relation == "blob" else attachment, column)
    return AttachmentRead.model_validate(values)


async def _ticket(principal: Principal | None, ticket_id: int, *, for_update: bool = False) -> Ticket:
    if principal is not None:
        return await get_ticket(principal=principal, ticket_id=ticket_id, for_update=for_update)
    query = Ticket.filter(id=ticket_id)
    ticket = await (query.select_for_update() if for_update else query).first()
    if ticket is None:
        raise TicketNotFound(f"ticket {ticket_id} not found")
    return ticket


async def _check_comment(principal: Principal | None, ticket: Ticket, comment_id: int | None) -> None:
    if comment_id is None:
        return
    visible = Q() if principal is None else access.visible_comments(principal)
    if not await Comment.filter(visible, id=comment_id, ticket_id=ticket.id).exists():
        raise CommentNotFound(f"comment {comment_id} not found on this ticket")


async def _ticket_bytes(ticket_id: int) -> int:
    totals = (
        await Attachment.filter(ticket_id=ticket_id)
        .group_by("ticket_id")
        .annotate(total=Sum("blob__size"))
        .values_list("total", flat=True)
    )
    return int(cast(int, totals[0])) if totals else 0


async def _stage(stream: AsyncIterable[bytes], *, settings: AttachmentSettings, room: int) -> tuple[Path, str, int]:
    """Write the stream to a staging file, hashing as it goes; stop at the first byte over a limit."""
    await asyncio.to_thread(settings.staging_dir.mkdir, parents=True, exist_ok=True)
    fd, name = await asyncio.to_thread(tempfile.mkstemp, dir=settings.staging_dir, prefix="upload-")
    path = Path(name)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in stream:
                size += len(chunk)
                if size > settings.max_file_bytes:
                    raise AttachmentTooLarge(
                        f"the limit is {settings.max_file_bytes} bytes per file", limit=settings.max_file_bytes
                    )
                if size > room:
                    raise TicketAttachmentsFull(
                        f"the ticket's attachments may total {settings.max_ticket_bytes} bytes",
                        limit=settings.max_ticket_bytes,
                    )
                digest.update(chunk)
                await asyncio.to_thread(out.write, chunk)
    except BaseException:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    if size == 0:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise EmptyAttachment("the file is empty")
    return path, digest.hexdigest(), size


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with await asyncio.to_thread(path.open, "rb") as source:
        while chunk := await asyncio.to_thread(source.read, CHUNK_BYTES):
            yield chunk


async def store_attachment(
    *,
    ticket_id: int,
    filename: str,
    stream: AsyncIterable[bytes],
    uploaded_by: str,
    comment_id: int | None = None,
    principal: Principal | None = None,
    uploaded_by_token_id: int | None = None,
) -> AttachmentRead:
    """Store a file on a ticket (or on one of its comments). With a `principal`, what it may see and do is
    checked; without one the caller is trusted (mail intake: the ticket must exist). Refusals: 404 (ticket
    or comment), 413 (limits), 415 (type, executable), 422 (empty, infected), 503 (scanner failed)."""
    settings = get_attachment_settings()
    filename = clean_filename(filename)
    ticket = await _ticket(principal, ticket_id)
    await _check_comment(principal, ticket, comment_id)
    room = settings.max_ticket_bytes - await _ticket_bytes(ticket.id)
    staged, sha256, size = await _stage(stream, settings=settings, room=room)
    try:
        found = await asyncio.to_thread(
            detect.inspect,
            staged,
            filename,
            allowed=settings.allowed,
            preview_lines=settings.preview_lines,
            thumbnail_pixels=settings.thumbnail_pixels,
        )
        await scan(staged, command=settings.scanner, time_limit=settings.scanner_timeout_seconds)
        store = make_store(settings)
        upload = _Upload(staged, sha256, size, found, filename, uploaded_by, uploaded_by_token_id)
        for attempt in range(3):
            try:
                return await _commit(principal, ticket.id, comment_id, upload, store)
            except IntegrityError:
                # another upload of the same bytes inserted the blob row first: lock it and count this one in
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
    finally:
        await asyncio.to_thread(staged.unlink, missing_ok=True)


@dataclass(frozen=True, slots=True)
class _Upload:
    """A file staged, hashed, inspected and scanned, and who sent it: what a commit stores."""

    staged: Path
    sha256: str
    size: int
    found: detect.Detected
    filename: str
    uploaded_by: str
    token_id: int | None


async def _commit(
    principal: Principal | None, ticket_id: int, comment_id: int | None, upload: _Upload, store: BlobStore
) -> AttachmentRead:
    sha256, size, found = upload.sha256, upload.size, upload.found
    put = False
    try:
        async with in_transaction():
            ticket = await _ticket(principal, ticket_id, for_update=True)  # parallel uploads take turns here
            await _check_comment(principal, ticket, comment_id)
            settings = get_attachment_settings()
            if await _ticket_bytes(ticket.id) + size > settings.max_ticket_bytes:
                raise TicketAttachmentsFull(
                    f"the ticket's attachments may total {settings.max_ticket_bytes} bytes",
                    limit=settings.max_ticket_bytes,
                )
            if await AttachmentBlob.filter(sha256=sha256).update(refs=F("refs") + 1):
                blob = await AttachmentBlob.get(sha256=sha256)
            else:
                blob = await AttachmentBlob.create(
                    sha256=sha256,
                    size=size,
                    content_type=found.content_type,
                    refs=1,
                    preview=found.preview,
                    thumbnail=found.thumbnail,
                    has_thumbnail=found.thumbnail is not None,
                )
                put = True
                stored = await store.put(_file_chunks(upload.staged))
                if stored.sha256 != sha256:
                    raise InternalError("the staged upload changed while it was stored")
            attachment = await Attachment.create(
                ticket_id=ticket.id,
                comment_id=comment_id,
                blob_id=sha256,
                filename=upload.filename,
                uploaded_by=upload.uploaded_by,
                uploaded_by_token_id=upload.token_id,
            )
            if found.preview is not None:
                await reclassify.after_text_attachment(ticket)
    except BaseException:
        if put and isinstance(store, DirectoryStore):
            await discard_unreferenced(store, sha256)
        raise
    return attachment_read(attachment, blob)


async def discard_unreferenced(store: BlobStore, sha256: str) -> bool:
    """Remove stored bytes that no committed blob row holds (a rolled-back upload, or what a crash left).
    A claim row is inserted first: an upload of the same bytes still in flight has inserted its blob row, so
    the claim waits for it and fails once it commits (the bytes are kept), or succeeds once it rolled back."""
    try:
        async with in_transaction():
            await AttachmentBlob.create(sha256=sha256, size=0, content_type="", refs=0)
            await store.delete(sha256)
            await AttachmentBlob.filter(sha256=sha256).delete()
        return True
    except IntegrityError:
        return False


async def list_attachments(*, principal: Principal, ticket_id: int) -> list[AttachmentRead]:
    ticket = await _ticket(principal, ticket_id)
    rows = (
        await Attachment.filter(access.visible_attachments(principal), ticket_id=ticket.id)
        .order_by("id")
        .values(**LISTED)
    )
    return [AttachmentRead.model_validate(row) for row in rows]


async def _attachment(principal: Principal, ticket_id: int, attachment_id: int) -> Attachment:
    ticket = await _ticket(principal, ticket_id)
    row = (
        await Attachment.filter(access.visible_attachments(principal), id=attachment_id, ticket_id=ticket.id)
        .prefetch_related("blob")
        .first()
    )
    if row is None:
        raise AttachmentNotFound("no such attachment on this ticket")
    return row


async def open_attachment(
    *, principal: Principal, ticket_id: int, attachment_id: int
) -> tuple[AttachmentRead, AsyncIterator[bytes]]:
    """The attachment and its bytes as a stream (read as the response is sent)."""
    row = await _attachment(principal, ticket_id, attachment_id)
    store = make_store(get_attachment_settings())
    return attachment_read(row, row.blob), _checked(store.open(row.blob.sha256), row.blob.size)


async def _checked(chunks: AsyncIterator[bytes], size: int) -> AsyncIterator[bytes]:
    """Ends the response with an error rather than a short file when the bytes are gone mid-download."""
    sent = 0
    async for chunk in chunks:
        sent += len(chunk)
        yield chunk
    if sent != size:
        raise OSError(f"attachment bytes incomplete: {sent} of {size}")


async def attachment_thumbnail(*, principal: Principal, ticket_id: int, attachment_id: int) -> bytes:
    row = await _attachment(principal, ticket_id, attachment_id)
    if row.blob.thumbnail is None:
        raise AttachmentNotFound("this attachment has no thumbnail")
    return bytes(row.blob.thumbnail)
