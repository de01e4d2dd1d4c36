"""Errors of the front desk, each with its HTTP status and stable code."""

from core.errors import Conflict, InvalidInput, NotFound


class OrganisationNotFound(NotFound):
    code = "organisation_not_found"


class ContactNotFound(NotFound):
    code = "contact_not_found"


class ApplicationNotFound(NotFound):
    code = "application_not_found"


class StaffNotFound(NotFound):
    code = "staff_not_found"


class TicketNotFound(NotFound):
    code = "ticket_not_found"


class TokenNotFound(NotFound):
    code = "token_not_found"


class IllegalTransition(Conflict):
    code = "illegal_transition"
    title = "Illegal status transition"


class DuplicateContact(Conflict):
    code = "duplicate_contact"


class DuplicateStaff(Conflict):
    code = "duplicate_staff"


class InvalidReference(InvalidInput):
    code = "invalid_reference"


class PartnerCustomerNotFound(NotFound):
    code = "partner_customer_not_found"


class NotAPartner(Conflict):
    code = "not_a_partner"


class DuplicatePartnerCustomer(Conflict):
    code = "duplicate_partner_customer"


class DuplicateOrganisation(Conflict):
    code = "duplicate_organisation"
