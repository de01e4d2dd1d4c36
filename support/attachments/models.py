"""Attachment tables.

Invariants:
- `AttachmentBlob` is one stored content, keyed by its sha256; `refs` counts the `Attachment` rows that use it
  and is changed only while the blob row is locked (the row lock is what makes storing and deleting the bytes
  of one sha256 take turns). What is derived from the content alone (type, preview, thumbnail) lives here, so
  it is computed once however often the file is uploaded.
- `AttachmentChunk` rows are the bytes of a blob in the database store, in order, 1 MiB each.
- `AttachmentRemoval` records each file the retention purge removed (append-only).
"""

from __future__ import annotations

from tortoise import fields

from core.records import CreatedRecord, Record, Row
from support.models import Comment, Ticket


class AttachmentBlob(Row):
    """One stored content, shared by every attachment with the same bytes"""

    sha256 = fields.CharField(max_length=64, primary_key=True)
    size = fields.BigIntField()
    content_type = fields.CharField(max_length=100)
    refs = fields.IntField(default=0)
    preview = fields.TextField(null=True)
    has_thumbnail = fields.BooleanField(default=False)  # lists say so without reading the image
    thumbnail = fields.BinaryField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)


class AttachmentChunk(Row):
    """A slice of a blob's bytes (the database store)"""

    id = fields.BigIntField(primary_key=True)
    sha256 = fields.CharField(max_length=64)
    seq = fields.IntField()
    data = fields.BinaryField()

    class Meta:
        unique_together = (("sha256", "seq"),)


class Attachment(CreatedRecord):
    """A file on a ticket, or on one of its comments"""

    ticket = fields.ForeignKeyField(Ticket, related_name="attachments", on_delete=fields.RESTRICT)
    ticket_id: int
    comment = fields.ForeignKeyField(Comment, related_name="attachments", null=True, on_delete=fields.RESTRICT)
    comment_id: int | None
    blob = fields.ForeignKeyField(AttachmentBlob, related_name="attachments", on_delete=fields.RESTRICT)
    filename = fields.CharField(max_length=255)
    uploaded_by = fields.CharField(max_length=200)
    uploaded_by_token_id = fields.IntField(null=True)

    class Meta:
        indexes = (("ticket_id", "id"),)


class AttachmentRemoval(Record):
    """A file removed by the retention purge: what it was, and who removed it when"""

    attachment_id = fields.IntField()
    ticket_id = fields.IntField()
    comment_id = fields.IntField(null=True)
    filename = fields.CharField(max_length=255)
    sha256 = fields.CharField(max_length=64)
    size = fields.BigIntField()
    content_type = fields.CharField(max_length=100)
    reason = fields.CharField(max_length=200)
    removed_by = fields.CharField(max_length=200)
    removed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        indexes = (("ticket_id", "id"),)
