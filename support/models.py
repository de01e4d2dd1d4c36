"""The front desk's tables: organisations and their people and applications, staff, tokens, tickets.

Ticket status is a state machine (see support/tickets/workflow.py); every change of status, category or assignee is
written to `TicketEvent` in the same transaction as the change.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from core.auth import Role
from core.records import CreatedRecord, Row
from support.policy import Category, DefectOutcome, ExtensionDecision


class OrganisationKind(StrEnum):
    municipality = "municipality"
    federation = "federation"  # kommunalförbund
    company = "company"
    partner = "partner"


class PartnerLevel(StrEnum):
    registered = "registered"  # TRIP: access to the interface documentation
    authorized = "authorized"  # may resell licences


class Language(StrEnum):
    sv = "sv"
    en = "en"


class LicenceKind(StrEnum):
    per_application = "per_application"  # one application, its purpose described at licensing
    population = "population"  # a municipality's or federation's population tier (a few applications)
    xl = "xl"  # unlimited applications
    forwarding = "forwarding"  # special licence on top of a base licence: the licensed applications
    # may forward data to other applications


class TicketStatus(StrEnum):
    new = "new"
    triaged = "triaged"
    in_progress = "in_progress"
    waiting_on_customer = "waiting_on_customer"
    resolved = "resolved"
    closed = "closed"
    rejected = "rejected"


class TicketKind(StrEnum):
    support = "support"  # a question or fault under the policy: classified, billed
    partner_application = "partner_application"  # a TRIP application: never classified nor billed


class ClassificationState(StrEnum):
    unclassified = "unclassified"
    suggested = "suggested"  # automatic, confident enough to tell the integrator
    needs_triage = "needs_triage"  # automatic, below threshold: staff must confirm first
    confirmed = "confirmed"  # set or confirmed by staff


class Organisation(CreatedRecord):
    """A customer or partner organisation: the buyer on its invoices (numbers, address, `invoice_email`) and the owner
    of its contacts, applications, licences and tickets, which keep it from being deleted. Issued invoices keep the
    buyer as it was when they were issued (their snapshot)."""

    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(OrganisationKind, max_length=20)
    partner_level = fields.CharEnumField(PartnerLevel, max_length=20, null=True)
    population = fields.IntField(null=True)
    organisation_number = fields.CharField(max_length=32, null=True)
    vat_number = fields.CharField(max_length=32, null=True)
    street = fields.CharField(max_length=200, default="")
    postal_code = fields.CharField(max_length=20, default="")
    city = fields.CharField(max_length=100, default="")
    country_code = fields.CharField(max_length=2, default="SE")
    invoice_email = fields.CharField(max_length=254, null=True)
    buyer_reference = fields.CharField(max_length=100, null=True)
    language = fields.CharEnumField(Language, max_length=2, default=Language.sv)

    class Meta:
        # One organisation per registration number and country: a second record of the same company would
        # split its tickets, agreements and invoices.
        unique_together = (("country_code", "organisation_number"),)


def belongs_to_organisation(related_name: str) -> fields.ForeignKeyRelation[Organisation]:
    """The organisation a row belongs to (`organisation`): an organisation that still has such rows cannot
    be deleted."""
    return fields.ForeignKeyField("support.Organisation", related_name=related_name, on_delete=fields.RESTRICT)


class PartnerCustomer(CreatedRecord):
    """A customer organisation a partner organisation is recorded to act for (admins keep it). A partner's
    contact may open a ticket billed to such a customer and name its applications, and nothing else."""

    partner = fields.ForeignKeyField(Organisation, related_name="customer_links", on_delete=fields.CASCADE)
    partner_id: int
    customer = fields.ForeignKeyField(Organisation, related_name="partner_links", on_delete=fields.CASCADE)

    class Meta:
        unique_together = (("partner", "customer"),)


class Contact(CreatedRecord):
    """A person of an organisation, one per organisation and email address: opens tickets and gets their emails, in
    `language`. Only an active contact may open a ticket."""

    organisation = belongs_to_organisation("contacts")
    organisation_id: int
    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254)
    language = fields.CharEnumField(Language, max_length=2, default=Language.sv)
    phone = fields.CharField(max_length=40, null=True)
    active = fields.BooleanField(default=True)

    class Meta:
        unique_together = (("organisation", "email"),)


class Application(CreatedRecord):
    """An organisation's application using the official interfaces. From its `production_date` it needs a fitting
    licence (support/licensing.py). Going back to development clears the date."""

    organisation = belongs_to_organisation("applications")
    organisation_id: int
    name = fields.CharField(max_length=200)
    purpose = fields.TextField(default="")
    in_production = fields.BooleanField(default=False)
    production_date = fields.DateField(null=True)  # the day it went into production (a licence is due)
    interfaces: fields.JSONField[list[str] | None] = fields.JSONField(null=True)  # official interfaces used
    forwards_data = fields.BooleanField(default=False)
    unlicensed_notified_at = fields.DatetimeField(null=True)  # the one "no fitting licence" email went out


class Licence(CreatedRecord):
    """A licence of an organisation (the licensee) to use the official interfaces, valid from–until (inclusive, open-
    ended when until is null). Which production applications it covers is support/licensing.py's rule. A resold
    licence names the authorised partner as `reseller`. Its fees are billed through its subscription, if it has one."""

    organisation = belongs_to_organisation("licences")
    organisation_id: int
    kind = fields.CharEnumField(LicenceKind, max_length=20)
    application = fields.ForeignKeyField(Application, related_name="licences", null=True, on_delete=fields.RESTRICT)
    covers_forwarding = fields.BooleanField(default=False)
    # How many production applications a population-tier licence covers (from the price list at
    # licensing); None: as many as the kind says (per_application: its own, xl: all).
    covers_applications = fields.IntField(null=True)
    extends: fields.ForeignKeyNullableRelation[Licence] = fields.ForeignKeyField(
        "support.Licence", related_name="extensions", null=True, on_delete=fields.RESTRICT
    )
    extends_id: int | None
    # Resale: the authorised partner that licensed its solution to this (licensee) organisation.
    reseller = fields.ForeignKeyField(
        Organisation, related_name="resold_licences", null=True, on_delete=fields.RESTRICT
    )
    purpose = fields.TextField(null=True)  # per_application: the application's purpose, as licensed
    valid_from_date = fields.DateField()
    valid_until_date = fields.DateField(null=True)


class Staff(CreatedRecord):
    """A member of the support staff: logs time and is assigned tickets. An active lead (`is_lead`) may approve time.
    Inactive staff cannot be assigned tickets or have time logged."""

    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254, unique=True)
    is_lead = fields.BooleanField(default=False)
    active = fields.BooleanField(default=True)


class ApiToken(CreatedRecord):
    """A bearer token. Only its SHA-256 is stored, the token itself is shown once, at creation."""

    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    organisation = fields.ForeignKeyField(Organisation, related_name="tokens", null=True, on_delete=fields.RESTRICT)
    organisation_id: int | None
    staff = fields.ForeignKeyField(Staff, related_name="tokens", null=True, on_delete=fields.RESTRICT)
    staff_id: int | None
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)


class Counter(Row):
    """Named sequence (ticket numbers per year). Incremented with one UPDATE … RETURNING under a row lock."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.BigIntField(default=0)


class Ticket(CreatedRecord):
    """A support request by a contact (`requester`) of `organisation`, or a TRIP partner application (`kind`).
    `bill_to` is the organisation its billable time is invoiced to. Status follows support/tickets/workflow.py, and
    each change of status, category or assignee is a TicketEvent written in the same transaction."""

    number = fields.CharField(max_length=32, unique=True)
    kind = fields.CharEnumField(TicketKind, max_length=20, default=TicketKind.support, db_default="support")
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    requester = fields.ForeignKeyField(Contact, related_name="tickets", on_delete=fields.RESTRICT)
    requester_id: int
    organisation = belongs_to_organisation("tickets")
    organisation_id: int
    bill_to = fields.ForeignKeyField(Organisation, related_name="billed_tickets", on_delete=fields.RESTRICT)
    bill_to_id: int
    application = fields.ForeignKeyField(Application, related_name="tickets", null=True, on_delete=fields.RESTRICT)
    application_id: int | None
    category = fields.CharEnumField(Category, max_length=20, null=True)
    classification_state = fields.CharEnumField(
        ClassificationState, max_length=20, default=ClassificationState.unclassified
    )
    classification_confidence = fields.FloatField(null=True)
    status = fields.CharEnumField(TicketStatus, max_length=24, default=TicketStatus.new)
    assignee = fields.ForeignKeyField(Staff, related_name="assigned_tickets", null=True, on_delete=fields.RESTRICT)
    licence_warning = fields.CharField(max_length=300, null=True)
    defect_outcome = fields.CharEnumField(DefectOutcome, max_length=20, null=True)
    extension_decision = fields.CharEnumField(ExtensionDecision, max_length=20, null=True)
    # The integrator's own reference for the ticket (its case or order number), to find the ticket by it.
    external_reference = fields.CharField(max_length=100, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        indexes = (
            ("status", "id"),
            ("organisation_id", "id"),
            ("bill_to_id", "id"),
            ("category", "id"),
            ("assignee_id", "id"),
            ("created_at", "id"),
            ("external_reference", "id"),
        )


class Comment(CreatedRecord):
    """A comment on a ticket by staff, an integrator, or a contact replying by email. Integrators see only public
    comments (their own are always public). A staff member's public comment is emailed to the requester."""

    ticket = fields.ForeignKeyField(Ticket, related_name="comments", on_delete=fields.CASCADE)
    author_name = fields.CharField(max_length=200)
    author_token_id = fields.IntField(null=True)
    body = fields.TextField()
    public = fields.BooleanField(default=False)


class TicketEvent(CreatedRecord):
    """Append-only history of a ticket: who changed what, when, and why."""

    ticket = fields.ForeignKeyField(Ticket, related_name="events", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=40)
    actor = fields.CharField(max_length=200)
    actor_token_id = fields.IntField(null=True)
    from_value = fields.CharField(max_length=100, null=True)
    to_value = fields.CharField(max_length=100, null=True)
    reason = fields.TextField(null=True)
    data: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)

    class Meta:
        indexes = (("ticket_id", "id"),)  # a ticket's history, in order, without scanning every ticket's


class IdempotencyRecord(CreatedRecord):
    """The first response to a POST with an Idempotency-Key, replayed on retries by the same token."""

    token_id = fields.IntField()
    key = fields.CharField(max_length=200)
    endpoint = fields.CharField(max_length=100)
    status = fields.IntField()
    response: fields.JSONField[dict[str, Any]] = fields.JSONField()

    class Meta:
        table = "support_idempotency"
        unique_together = (("token_id", "endpoint", "key"),)


class AuditEvent(Row):
    """Append-only record of every money-moving action (approving time, rate cards, prepaid hours, cost
    ceilings, invoice runs, issuing, crediting, discarding, payments): who, when, what, on which object.
    Written in the same transaction as the action, so an action without its audit row cannot exist."""

    id = fields.BigIntField(primary_key=True)
    action = fields.CharField(max_length=60)
    actor = fields.CharField(max_length=200)
    actor_token_id = fields.IntField(null=True)
    subject_type = fields.CharField(max_length=40)
    subject_id = fields.BigIntField(null=True)
    data: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        indexes = (("subject_type", "subject_id"), ("action", "id"))
