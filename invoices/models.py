"""Stored documents: the PDF and the Peppol UBL XML of an issued invoice or credit note.

Invariants (SPEC §2, Bokföringslagen):
- A document is rendered once, in the transaction that issues its invoice, from the frozen snapshot; it is
  never re-rendered or changed afterwards. Downloads, the accounting export and the email serve these bytes.
- One document per (invoice, format); `sha256` is the hex digest of `content` at storage and is checked
  whenever the bytes leave the database (it is also the HTTP ETag).
- Drafts and discarded invoices have no documents.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from core.records import CreatedRecord


class DocumentFormat(StrEnum):
    pdf = "pdf"
    xml = "xml"


CONTENT_TYPES: dict[DocumentFormat, str] = {
    DocumentFormat.pdf: "application/pdf",
    DocumentFormat.xml: "application/xml",
}


class InvoiceDocument(CreatedRecord):
    """The PDF or the UBL XML of an issued invoice or credit note, rendered from its snapshot and stored in the issuing
    transaction, then never changed. Its bytes are checked against `sha256` whenever they are served."""

    invoice: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "billing.Invoice", related_name="documents", on_delete=fields.RESTRICT
    )
    format = fields.CharEnumField(DocumentFormat, max_length=4)
    content = fields.BinaryField()
    sha256 = fields.CharField(max_length=64)
    size = fields.IntField()
    filename = fields.CharField(max_length=100)
    content_type = fields.CharField(max_length=100)

    class Meta:
        table = "invoices_document"
        unique_together = (("invoice", "format"),)
