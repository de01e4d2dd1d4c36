"""Errors of the billing package, each with its HTTP status and a stable code (problem `type`)."""

from core.errors import Conflict, InvalidInput, NotFound


class RateCardNotFound(NotFound):
    code = "rate_card_not_found"


class RateCardOverlap(Conflict):
    code = "rate_card_overlap"
    title = "Overlapping rate card validity"


class RateCardInUse(Conflict):
    code = "rate_card_in_use"
    title = "The rate card has priced invoiced time"


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"


class InvoiceRunNotFound(NotFound):
    code = "invoice_run_not_found"


class InvoiceNotDraft(Conflict):
    code = "invoice_not_draft"
    title = "Only a draft can be changed, issued or discarded"


class InvoiceImmutable(Conflict):
    code = "invoice_immutable"
    title = "An issued invoice is never edited or deleted; correct it with a credit note"


class CreditNotAllowed(Conflict):
    code = "credit_not_allowed"
    title = "This document cannot be credited"


class AlreadyCredited(Conflict):
    code = "already_credited"
    title = "A line can be credited once"


class AlreadyPaid(Conflict):
    code = "already_paid"
    title = "The invoice is already marked paid"


class CeilingNotFound(NotFound):
    code = "cost_ceiling_not_found"


class TicketNotBillable(Conflict):
    code = "ticket_not_billable"
    title = "A cost ceiling needs a billable ticket"


class InvalidPeriod(InvalidInput):
    code = "invalid_period"


class BuyerNotInvoiceable(Conflict):
    code = "buyer_tax_identity_invalid"
    title = "The buyer's VAT details do not allow this invoice"


class NothingToPay(Conflict):
    code = "nothing_to_pay"
    title = "The invoice has nothing to pay"


class PaymentDateInvalid(InvalidInput):
    code = "invalid_payment_date"


class OpenPeriod(InvalidInput):
    code = "period_not_finished"
    title = "The period has not ended yet"
