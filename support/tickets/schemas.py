"""Request and response models of the ticket API: tickets, comments, the event history and the staff
decisions (classification, defect outcome, extension decision). The shared field types and base models
(`Strict`, `Read`, `Text200` …) are in support/schemas.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from core.http import MAX_ID
from core.pagination import PageQuery
from support.models import ClassificationState, TicketStatus
from support.policy import Billing, Category, DefectOutcome, ExtensionDecision
from support.schemas import LongText, Read, Strict, Text200

ExternalReference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TicketCreate(Strict):
    subject: Text200
    body: LongText = ""
    requester_id: int = Field(ge=1, le=MAX_ID, description="The contact who asked")
    bill_to_id: int | None = Field(None, ge=1, le=MAX_ID, description="Organisation billed; default the requester's")
    application_id: int | None = Field(None, ge=1, le=MAX_ID)
    external_reference: ExternalReference | None = Field(
        None,
        description="Your own reference for the ticket (a case or order number); the list finds it by "
        "`external_reference`",
    )


class TicketUpdate(Strict):
    status: TicketStatus | None = None
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)
    unassign: bool = False
    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None


class TicketRead(Read):
    id: int
    number: str
    subject: str
    body: str
    requester_id: int
    organisation_id: int
    bill_to_id: int
    application_id: int | None
    category: Category | None
    billing: Billing | None = None
    classification_state: ClassificationState
    classification_confidence: float | None
    status: TicketStatus
    assignee_id: int | None
    licence_warning: str | None
    defect_outcome: DefectOutcome | None
    extension_decision: ExtensionDecision | None
    external_reference: str | None
    classification_reasons: list[str] = Field(
        default_factory=list,
        description="Why the ticket has its category (rules, phrases, policy; a later staff "
        "decision first): on GET /tickets/{id} and at intake",
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class TicketSummary(Read):
    id: int
    number: str
    subject: str
    organisation_id: int
    bill_to_id: int
    category: Category | None
    classification_state: ClassificationState
    status: TicketStatus
    assignee_id: int | None
    licence_warning: str | None
    external_reference: str | None
    created_at: dt.datetime


class TicketPage(BaseModel):
    items: list[TicketSummary]
    next_cursor: str | None = None


class TicketQuery(PageQuery):
    status: TicketStatus | None = None
    category: Category | None = None
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    external_reference: ExternalReference | None = Field(None, description="Exactly this external reference")


class CommentCreate(Strict):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50_000)]
    public: bool | None = Field(
        None, description="Left out: public for an integrator (whose comments are always public), internal for staff"
    )


class CommentRead(Read):
    id: int
    ticket_id: int
    author_name: str
    body: str
    public: bool
    created_at: dt.datetime


class CommentList(BaseModel):
    items: list[CommentRead]


class EventRead(Read):
    id: int
    ticket_id: int
    kind: str
    actor: str
    from_value: str | None
    to_value: str | None
    reason: str | None
    data: dict | None
    created_at: dt.datetime


class EventList(BaseModel):
    items: list[EventRead]


class ClassificationSet(Strict):
    category: Category
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DefectOutcomeSet(Strict):
    outcome: DefectOutcome
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ExtensionDecisionSet(Strict):
    decision: ExtensionDecision
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
