"""Tables of the partner programme.

- `PartnerApplication`: one application to become a registered integration partner (TRIP), with the ticket
  it opened and the decision (pending → approved | declined, once).
- `DocumentationAccess`: who got access to the interface documentation, when, by whom, and its revocation.
  Holding an unrevoked access row is what "registered" means for notices.
- `PartnerAgreement`: the agreement that makes an organisation an authorised partner, valid from–until,
  with or without the right to resell.
- `InterfaceNotice`: a published change of an official interface, with its effective date and, when it is
  published with less than the minimum lead time, the reason that was given for overriding it.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from core.records import CreatedRecord, Record
from support.models import Contact, Ticket, belongs_to_organisation


class ApplicationDecision(StrEnum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


class PartnerApplication(CreatedRecord):
    """An organisation's application to become a registered (TRIP) partner, with the policy version accepted and the
    ticket it opened. An organisation has at most one pending. Staff decide it once, approved or declined, and an
    approval grants documentation access."""

    organisation = belongs_to_organisation("partner_applications")
    organisation_id: int
    contact = fields.ForeignKeyField(Contact, related_name="partner_applications", on_delete=fields.RESTRICT)
    contact_id: int
    ticket = fields.ForeignKeyField(Ticket, related_name="partner_applications", on_delete=fields.RESTRICT)
    ticket_id: int
    motivation = fields.TextField(default="")
    policy_accepted_at = fields.DatetimeField()
    policy_version = fields.CharField(max_length=40)
    decision = fields.CharEnumField(ApplicationDecision, max_length=10, default=ApplicationDecision.pending)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.CharField(max_length=200, null=True)
    reason = fields.TextField(null=True)

    class Meta:
        indexes = (("decision", "id"), ("organisation_id", "id"))


class DocumentationAccess(Record):
    """Access to the interface documentation granted to an organisation, when its partner application is approved.
    Revoking sets `revoked_at` and keeps the row. An unrevoked row makes the organisation a partner for notices."""

    organisation = belongs_to_organisation("documentation_access")
    organisation_id: int
    granted_at = fields.DatetimeField()
    granted_by = fields.CharField(max_length=200)
    application = fields.ForeignKeyField(
        PartnerApplication, related_name="access", null=True, on_delete=fields.RESTRICT
    )
    application_id: int | None
    revoked_at = fields.DatetimeField(null=True)
    revoked_by = fields.CharField(max_length=200, null=True)
    revoke_reason = fields.TextField(null=True)

    class Meta:
        indexes = (("organisation_id", "revoked_at"),)


class PartnerAgreement(CreatedRecord):
    """An agreement that makes a partner organisation an authorised partner, valid from–until (inclusive, open-ended
    when until is null). Only an agreement valid on the day with `may_resell` gives the right to resell licences."""

    organisation = belongs_to_organisation("partner_agreements")
    organisation_id: int
    valid_from_date = fields.DateField()
    valid_until_date = fields.DateField(null=True)
    may_resell = fields.BooleanField(default=False)
    note = fields.TextField(default="")
    created_by = fields.CharField(max_length=200)

    class Meta:
        indexes = (("organisation_id", "valid_from_date"),)


class InterfaceNotice(Record):
    """A published change of an official interface, written once when staff publish it, in the transaction that
    queues its emails (`recipients` counts them). Less lead time than the minimum needs an `override_reason`."""

    interface = fields.CharField(max_length=100)
    change = fields.TextField()
    effective_date = fields.DateField()
    published_at = fields.DatetimeField()
    published_by = fields.CharField(max_length=200)
    lead_time_days = fields.IntField()
    override_reason = fields.TextField(null=True)
    recipients = fields.IntField(default=0)

    class Meta:
        indexes = (("interface", "effective_date"), ("effective_date", "id"))


class NoticeRecipient(Record):
    """An organisation a notice was sent to, and why: its integrators list the notices that concern them."""

    notice = fields.ForeignKeyField(InterfaceNotice, related_name="recipient_organisations", on_delete=fields.CASCADE)
    notice_id: int
    organisation = belongs_to_organisation("interface_notices")
    organisation_id: int
    reason = fields.CharField(max_length=20)  # "partner" or "customer"

    class Meta:
        unique_together = (("notice", "organisation"),)
