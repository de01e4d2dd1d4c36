"""HTTP endpoints for tickets, their comments, events and classification."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.auth import Principal, Role
from core.http import JSON, RowsJSON, operation, path_int, read_body, read_query
from support.idempotency import run_once
from support.tickets import decisions
from support.tickets import schemas as ticket_schemas
from support.tickets import service as tickets

ANY = tuple(Role)
STAFF = (Role.admin, Role.support)
WORKERS = (Role.admin, Role.support, Role.integrator)


@operation(
    "Open a ticket (classified automatically)",
    roles=WORKERS,
    body=ticket_schemas.TicketCreate,
    response=ticket_schemas.TicketRead,
    status=201,
    tags=("tickets",),
    idempotent_create=True,
)
async def create_ticket(request: Request, principal: Principal) -> Response:
    """A retry with the same `Idempotency-Key` returns the first result instead of a second ticket."""
    data = await read_body(request, ticket_schemas.TicketCreate)
    key = request.headers.get("idempotency-key")
    if key is None:
        return JSON(await tickets.create_ticket(principal=principal, data=data), status_code=201)

    async def create() -> dict:
        return (await tickets.create_ticket(principal=principal, data=data)).model_dump(mode="json")

    status, body = await run_once(
        principal=principal, endpoint="POST /tickets", key=key, body=await request.body(), create=create
    )
    return JSON(body, status_code=status)


@operation(
    "List tickets", roles=ANY, query=ticket_schemas.TicketQuery, response=ticket_schemas.TicketPage, tags=("tickets",)
)
async def list_tickets(request: Request, principal: Principal) -> Response:
    """Newest first; filter by status, category, organisation (opened or billed), assignee, creation date
    range and free text (number, subject, body). Pass `next_cursor` back as `cursor` for the next page."""
    query = read_query(request, ticket_schemas.TicketQuery)
    rows, cursor = await tickets.list_tickets(principal=principal, query=query)
    return RowsJSON({"items": rows, "next_cursor": cursor})  # the shape of ticket_schemas.TicketPage


@operation("Get a ticket", roles=ANY, response=ticket_schemas.TicketRead, tags=("tickets",))
async def get_ticket(request: Request, principal: Principal) -> Response:
    return JSON(await tickets.read_ticket(principal=principal, ticket_id=path_int(request)))


@operation(
    "Change a ticket's status or assignee",
    roles=STAFF,
    body=ticket_schemas.TicketUpdate,
    response=ticket_schemas.TicketRead,
    tags=("tickets",),
)
async def update_ticket(request: Request, principal: Principal) -> Response:
    """Status follows the state machine; an illegal transition is a 409."""
    data = await read_body(request, ticket_schemas.TicketUpdate)
    read = await tickets.update_ticket(principal=principal, ticket_id=path_int(request), data=data)
    return JSON(read)


@operation("List a ticket's comments", roles=ANY, response=ticket_schemas.CommentList, tags=("tickets",))
async def list_comments(request: Request, principal: Principal) -> Response:
    """Integrators see public comments only."""
    rows = await tickets.list_comments(principal=principal, ticket_id=path_int(request))
    items = [ticket_schemas.CommentRead.model_validate(r) for r in rows]
    return JSON(ticket_schemas.CommentList(items=items))


@operation(
    "Comment on a ticket",
    roles=WORKERS,
    body=ticket_schemas.CommentCreate,
    response=ticket_schemas.CommentRead,
    status=201,
    tags=("tickets",),
)
async def add_comment(request: Request, principal: Principal) -> Response:
    """A public comment from staff is emailed to the requester; internal comments are never shown to them."""
    data = await read_body(request, ticket_schemas.CommentCreate)
    comment = await tickets.add_comment(principal=principal, ticket_id=path_int(request), data=data)
    return JSON(ticket_schemas.CommentRead.model_validate(comment), status_code=201)


@operation(
    "A ticket's history",
    roles=(Role.admin, Role.support, Role.finance),
    response=ticket_schemas.EventList,
    tags=("tickets",),
)
async def list_events(request: Request, principal: Principal) -> Response:
    rows = await tickets.list_events(principal=principal, ticket_id=path_int(request))
    return JSON(ticket_schemas.EventList(items=[ticket_schemas.EventRead.model_validate(r) for r in rows]))


@operation(
    "Set or confirm a ticket's category",
    roles=STAFF,
    body=ticket_schemas.ClassificationSet,
    response=ticket_schemas.TicketRead,
    tags=("tickets",),
)
async def set_classification(request: Request, principal: Principal) -> Response:
    """Staff decision with a reason; recorded as an event and as a labelled example for retraining.
    `unofficial` rejects the ticket with the policy text."""
    data = await read_body(request, ticket_schemas.ClassificationSet)
    read = await tickets.set_classification(principal=principal, ticket_id=path_int(request), data=data)
    return JSON(read)


@operation(
    "Record a defect investigation's outcome",
    roles=STAFF,
    body=ticket_schemas.DefectOutcomeSet,
    response=ticket_schemas.TicketRead,
    tags=("tickets",),
)
async def set_defect_outcome(request: Request, principal: Principal) -> Response:
    """`not_a_defect` reclassifies to assistance: time logged from then on is billable."""
    data = await read_body(request, ticket_schemas.DefectOutcomeSet)
    read = await decisions.set_defect_outcome(
        principal=principal, ticket_id=path_int(request), outcome=data.outcome, reason=data.reason
    )
    return JSON(read)


@operation(
    "Record the product owner's decision on an extension wish",
    roles=STAFF,
    body=ticket_schemas.ExtensionDecisionSet,
    response=ticket_schemas.TicketRead,
    tags=("tickets",),
)
async def set_extension_decision(request: Request, principal: Principal) -> Response:
    data = await read_body(request, ticket_schemas.ExtensionDecisionSet)
    read = await decisions.set_extension_decision(
        principal=principal, ticket_id=path_int(request), decision=data.decision, reason=data.reason
    )
    return JSON(read)


routes = [
    Route("/tickets", list_tickets, methods=["GET"]),
    Route("/tickets", create_ticket, methods=["POST"]),
    Route("/tickets/{id:int}", get_ticket, methods=["GET"]),
    Route("/tickets/{id:int}", update_ticket, methods=["PATCH"]),
    Route("/tickets/{id:int}/comments", list_comments, methods=["GET"]),
    Route("/tickets/{id:int}/comments", add_comment, methods=["POST"]),
    Route("/tickets/{id:int}/events", list_events, methods=["GET"]),
    Route("/tickets/{id:int}/classification", set_classification, methods=["POST"]),
    Route("/tickets/{id:int}/defect-outcome", set_defect_outcome, methods=["POST"]),
    Route("/tickets/{id:int}/extension-decision", set_extension_decision, methods=["POST"]),
]
