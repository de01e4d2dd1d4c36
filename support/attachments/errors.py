"""Errors of attachments, each with its HTTP status and stable code."""

from core.errors import DomainError, InvalidInput, NotFound, PayloadTooLarge, ServiceUnavailable, UnsupportedMediaType


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"


class CommentNotFound(NotFound):
    code = "comment_not_found"


class MalformedUpload(DomainError):
    status, code, title = 400, "malformed_multipart", "Malformed multipart/form-data body"


class AttachmentTooLarge(PayloadTooLarge):
    code, title = "attachment_too_large", "File too large"


class TicketAttachmentsFull(PayloadTooLarge):
    code, title = "ticket_attachments_full", "The ticket's attachments would exceed their total size limit"


class NotMultipart(UnsupportedMediaType):
    title = "Send multipart/form-data"


class AttachmentTypeRefused(UnsupportedMediaType):
    code, title = "attachment_type_refused", "File type not accepted"


class ExecutableRefused(UnsupportedMediaType):
    code, title = "attachment_executable", "Executables are not accepted"


class EmptyAttachment(InvalidInput):
    code, title = "attachment_empty", "The file is empty"


class AttachmentInfected(InvalidInput):
    code, title = "attachment_infected", "The virus scanner refused the file"


class ScannerUnavailable(ServiceUnavailable):
    code, title = "scanner_unavailable", "The virus scanner could not check the file"
