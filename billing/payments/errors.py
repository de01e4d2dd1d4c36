"""Errors of payment import and finance's payment actions (status and stable code each)."""

from core.errors import Conflict, InvalidInput, NotFound


class PaymentFileInvalid(InvalidInput):
    code = "payment_file_invalid"
    title = "The payment file is malformed; nothing of it was applied"


class PaymentFileUnsupported(InvalidInput):
    code = "payment_file_unsupported"
    title = "Not a payment file format tripdesk reads (BgMax)"


class PaymentFileNotFound(NotFound):
    code = "payment_file_not_found"


class PaymentNotFound(NotFound):
    code = "payment_not_found"


class PaymentNotOpen(Conflict):
    code = "payment_not_open"
    title = "Only a payment with an unapplied amount can be assigned or refunded"


class InvoiceNotReceivable(Conflict):
    code = "invoice_not_receivable"
    title = "Only an issued invoice with an open balance takes a payment"
