"""What ticket intake hands its storage: the requester, the new ticket and its events, the receipt email, and
the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Requester:
    """The contact opening a ticket, with what intake needs of its organisation."""

    id: int
    name: str
    email: str
    language: str
    active: bool
    organisation_id: int
    organisation_name: str
    organisation_kind: str

    def may_open(self, organisation_scope: int | None) -> bool:
        """Active, and inside `organisation_scope` (an integrator's own organisation; None for staff)."""
        return self.active and (organisation_scope is None or self.organisation_id == organisation_scope)


@dataclass(frozen=True, slots=True)
class NewEvent:
    kind: str
    actor: str
    actor_token_id: int | None = None
    from_value: str | None = None
    to_value: str | None = None
    reason: str | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class NewTicket:
    """What intake decided before storing, by column: the request's fields and the classification, status,
    licence warning and times; not the number and the requester's organisation, which the store adds.
    `bill_to_id` None means the requester's organisation."""

    columns: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Receipt:
    """The receipt email of a ticket being opened, before the ticket exists. The store completes it
    (support/tickets/intake_sql.py `receipt_insert`): the requester is the recipient, the reply address and
    the dedupe key carry the number, and the facts gain `number`, `organisation_name`, `contact_name`,
    `organisation_id` (the requester's) and `bill_to_id` (support/notify.py renders them)."""

    template: str
    facts: dict[str, Any]
    key_affixes: tuple[str, str]  # dedupe key = prefix + number + suffix


@dataclass(frozen=True, slots=True)
class Opened:
    """The outcome of `open_ticket`: `ticket_id` is None when nothing was stored, because the requester does
    not exist (`requester` None), may not open a ticket (`Requester.may_open`), may not bill the organisation
    named (`may_bill`) or may not name the application (`may_name_application`)."""

    requester: Requester | None
    ticket_id: int | None = None
    number: str | None = None
    bill_to_id: int | None = None
    may_bill: bool = True
    may_name_application: bool = True
