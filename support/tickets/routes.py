"""HTTP endpoints for tickets, their comments, events and classification."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.auth import STAFF_ROLES, Principal, Role
from core.endpoints import Endpoints, handler
from core.http import JSON, RowsJSON, read_body, read_query
from support.idempotency import run_once
from support.tickets import decisions, schemas, service

WORKERS = (Role.admin, Role.support, Role.integrator)

tickets = Endpoints(
    tags=("tickets",), reads=tuple(Role), writes=(Role.admin, Role.support), id_as="ticket_id", prefix="/tickets"
)


@handler
async def create_ticket(request: Request, principal: Principal) -> Response:
    """A retry with the same `Idempotency-Key` returns the first result instead of a second ticket."""
    data = await read_body(request, schemas.TicketCreate)
    key = request.headers.get("idempotency-key")
    if key is None:
        return JSON(await service.create_ticket(principal=principal, data=data), status_code=201)

    async def create() -> dict:
        return (await service.create_ticket(principal=principal, data=data)).model_dump(mode="json")

    status, body = await run_once(
        principal=principal, endpoint="POST /tickets", key=key, body=await request.body(), create=create
    )
    return JSON(body, status_code=status)


@handler
async def list_tickets(request: Request, principal: Principal) -> Response:
    """Newest first; filter by status, category, organisation (opened or billed), assignee, creation date
    range and free text (number, subject, body). Pass `next_cursor` back as `cursor` for the next page."""
    query = read_query(request, schemas.TicketQuery)
    rows, cursor = await service.list_tickets(principal=principal, query=query)
    return RowsJSON({"items": rows, "next_cursor": cursor})  # the shape of schemas.TicketPage


routes = [
    tickets.get("", "List tickets", list_tickets, schemas.TicketPage, query=schemas.TicketQuery),
    tickets.create(
        "",
        "Open a ticket (classified automatically)",
        create_ticket,
        schemas.TicketRead,
        body=schemas.TicketCreate,
        roles=WORKERS,
        idempotent=True,
    ),
    tickets.get("/{id:int}", "Get a ticket", service.read_ticket, schemas.TicketRead, name="get_ticket"),
    tickets.patch(
        "/{id:int}",
        "Change a ticket's status or assignee",
        service.update_ticket,
        schemas.TicketRead,
        doc="Status follows the state machine; an illegal transition is a 409.",
    ),
    tickets.get(
        "/{id:int}/comments",
        "List a ticket's comments",
        service.list_comments,
        schemas.CommentList,
        doc="Integrators see public comments only.",
    ),
    tickets.create(
        "/{id:int}/comments",
        "Comment on a ticket",
        service.add_comment,
        schemas.CommentRead,
        roles=WORKERS,
        doc="A public comment from staff is emailed to the requester; internal comments are never shown to them.",
    ),
    tickets.get("/{id:int}/events", "A ticket's history", service.list_events, schemas.EventList, roles=STAFF_ROLES),
    tickets.post(
        "/{id:int}/classification",
        "Set or confirm a ticket's category",
        service.set_classification,
        schemas.TicketRead,
        doc="""Staff decision with a reason; recorded as an event and as a labelled example for retraining.
    `unofficial` rejects the ticket with the policy text.""",
    ),
    tickets.post(
        "/{id:int}/defect-outcome",
        "Record a defect investigation's outcome",
        decisions.set_defect_outcome,
        schemas.TicketRead,
        body=schemas.DefectOutcomeSet,
        spread=True,
        doc="`not_a_defect` reclassifies to assistance: time logged from then on is billable.",
    ),
    tickets.post(
        "/{id:int}/extension-decision",
        "Record the product owner's decision on an extension wish",
        decisions.set_extension_decision,
        schemas.TicketRead,
        body=schemas.ExtensionDecisionSet,
        spread=True,
    ),
]
