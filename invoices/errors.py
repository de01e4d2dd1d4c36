"""Errors of the invoices package (stored documents), each with its HTTP status and a stable code."""

from core.errors import Conflict, InternalError, InvalidInput, NotFound


class DocumentNotIssued(NotFound):
    code = "invoice_document_not_issued"
    title = "The invoice has no documents yet"


class DocumentMissing(NotFound):
    code = "invoice_document_missing"
    title = "No stored document for this invoice"


class DocumentCorrupt(InternalError):
    code = "invoice_document_corrupt"
    title = "A stored document does not match its checksum"


class DocumentNotRenderable(Conflict):
    code = "invoice_document_not_renderable"
    title = "The invoice cannot be rendered as a valid document"


class NoDocumentsInPeriod(NotFound):
    code = "no_documents_in_period"
    title = "No invoices or credit notes in this period"


class PeriodInFuture(InvalidInput):
    code = "period_in_future"
    title = "The period has not begun"
