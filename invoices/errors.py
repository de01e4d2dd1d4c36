"""Errors of the invoices package (stored documents), each with its HTTP status and a stable code."""

from core.errors import InternalError, NotFound


class DocumentNotIssued(NotFound):
    code = "invoice_document_not_issued"
    title = "The invoice has no documents yet"


class DocumentMissing(NotFound):
    code = "invoice_document_missing"
    title = "No stored document for this invoice"


class DocumentCorrupt(InternalError):
    code = "invoice_document_corrupt"
    title = "A stored document does not match its checksum"

