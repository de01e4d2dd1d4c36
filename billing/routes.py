"""HTTP endpoints of billing: rate cards, prepaid hours, cost ceilings, reports, invoice runs and invoices.
Parse → one service call → render; no ORM here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from billing import ceilings, credits, ledger, prepaid, rates, reports, runs, schemas
from core.auth import Principal, Role
from core.http import JSON, Endpoint, call_arguments, operation, path_int, read_body, read_query, service_call
from support.idempotency import run_once

ADMIN = (Role.admin,)
FINANCE = (Role.admin, Role.finance)
STAFF = (Role.admin, Role.support, Role.finance)
ANY = tuple(Role)
INVOICE_READERS = (Role.admin, Role.finance, Role.integrator)
CEILING_WRITERS = (Role.admin, Role.support, Role.finance, Role.integrator)
INVOICES, RATE_CARDS, TICKETS = ("invoices",), ("rate-cards",), ("tickets",)


async def _created(
    request: Request, principal: Principal, endpoint: str, create: Callable[[], Awaitable[Any]]
) -> Response:
    """A POST that creates: replays the first response for a retried `Idempotency-Key`."""

    async def run() -> dict[str, Any]:
        return (await create()).model_dump(mode="json")

    status, body = await run_once(
        principal=principal,
        endpoint=endpoint,
        key=request.headers.get("idempotency-key"),
        body=await request.body(),
        create=run,
    )
    return JSON(body, status_code=status)


def _create_call(
    summary: str,
    call: Callable[..., Awaitable[Any]],
    endpoint: str,
    *,
    body: type[BaseModel],
    response: type[BaseModel],
    roles: tuple[Role, ...],
    tags: tuple[str, ...],
    path_id: str | None = None,
    name: str | None = None,
    doc: str | None = None,
) -> Endpoint:
    """An idempotent create that is one service call (see `service_call`); `endpoint`, with `{id}` for the
    path's id, is what a retried `Idempotency-Key` is matched under."""

    async def handler(request: Request, principal: Principal) -> Response:
        kwargs = await call_arguments(request, principal, body=body, path_id=path_id)
        key = endpoint.format(id=kwargs.get(path_id or ""))
        return await _created(request, principal, key, lambda: call(**kwargs))

    handler.__name__ = handler.__qualname__ = name or call.__name__
    handler.__doc__ = doc
    return operation(summary, roles=roles, body=body, response=response, status=201, tags=tags, idempotent_create=True)(
        handler
    )


# Rate cards ----------------------------------------------------------------------------------------------


list_rate_cards = service_call(
    "List rate cards",
    rates.list_rate_cards,
    query=schemas.RateCardQuery,
    response=schemas.RateCardPage,
    principal=False,
    roles=STAFF,
    tags=RATE_CARDS,
)
create_rate_card = _create_call(
    "Create a rate card (default or an organisation's agreement)",
    rates.create_rate_card,
    "POST /rate-cards",
    body=schemas.RateCardCreate,
    response=schemas.RateCardRead,
    roles=ADMIN,
    tags=RATE_CARDS,
    doc="""Rates are SEK per hour ex VAT as decimal strings with at most 2 decimals. Validity may not overlap
    another card of the same organisation (or another default card): 409 `rate_card_overlap`.""",
)


@operation("Get a rate card", roles=STAFF, response=schemas.RateCardRead, tags=RATE_CARDS)
async def get_rate_card(request: Request, principal: Principal) -> Response:
    card = await rates.get_rate_card(card_id=path_int(request))
    return JSON(await rates.card_read(card))


update_rate_card = service_call(
    "End (or extend) a rate card's validity",
    rates.update_rate_card,
    path_id="card_id",
    body=schemas.RateCardUpdate,
    response=schemas.RateCardRead,
    roles=ADMIN,
    tags=RATE_CARDS,
)
delete_rate_card = service_call(
    "Delete a rate card that never priced an invoice line",
    rates.delete_rate_card,
    path_id="card_id",
    status=204,
    roles=ADMIN,
    tags=RATE_CARDS,
)


@operation(
    "Quote the hourly rate for a category",
    roles=STAFF,
    query=schemas.RateQuoteQuery,
    response=schemas.RateQuote,
    tags=RATE_CARDS,
)
async def quote_rate(request: Request, principal: Principal) -> Response:
    import datetime as dt

    query = read_query(request, schemas.RateQuoteQuery)
    day = query.work_date or dt.date.today()
    found = await rates.rate_for(query.organisation_id, query.category, day)
    return JSON(
        schemas.RateQuote(
            organisation_id=query.organisation_id,
            category=query.category,
            work_date=day,
            hourly_rate=found[0] if found else None,
            rate_card=found[1] if found else None,
        )
    )


# Prepaid hours -------------------------------------------------------------------------------------------


get_prepaid = service_call(
    "An organisation's prepaid hour packages and remaining hours",
    prepaid.prepaid_summary,
    path_id="organisation_id",
    response=schemas.PrepaidSummary,
    roles=ANY,
    tags=("prepaid",),
    name="get_prepaid",
)


create_prepaid = _create_call(
    "Add a prepaid hour package",
    prepaid.create_package,
    "POST /organisations/{id}/prepaid",
    path_id="organisation_id",
    body=schemas.PrepaidCreate,
    response=schemas.PrepaidRead,
    roles=FINANCE,
    tags=("prepaid",),
    name="create_prepaid",
)


# Cost ceilings -------------------------------------------------------------------------------------------


get_ceiling = service_call(
    "A ticket's cost ceiling, usage and held time",
    ceilings.get_ceiling,
    path_id="ticket_id",
    response=schemas.CeilingRead,
    roles=ANY,
    tags=TICKETS,
)
set_ceiling = service_call(
    "Set a ticket's cost ceiling (hours or SEK ex VAT)",
    ceilings.set_ceiling,
    path_id="ticket_id",
    body=schemas.CeilingSet,
    response=schemas.CeilingRead,
    roles=CEILING_WRITERS,
    tags=TICKETS,
    doc="Set by the integrator of the ticket's billed organisation (or staff); a new ceiling needs approval.",
)
approve_ceiling = service_call(
    "Approve billable time beyond the cost ceiling",
    ceilings.approve_ceiling,
    path_id="ticket_id",
    body=schemas.CeilingApprove,
    response=schemas.CeilingRead,
    roles=(Role.admin, Role.support, Role.integrator),
    tags=TICKETS,
)


# Reports -------------------------------------------------------------------------------------------------


@operation(
    "Time report per organisation × category × month × staff (JSON or ?format=csv)",
    roles=STAFF,
    query=schemas.TimeReportQuery,
    response=schemas.TimeReport,
    tags=("reports",),
    content_types=("application/json", "text/csv"),
)
async def time_report(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.TimeReportQuery)
    report = await reports.time_report(query=query)
    if query.format == "csv":
        filename = f"time-{query.period_start}-{query.period_end}.csv"
        return Response(
            reports.report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return JSON(report)


# Invoice runs --------------------------------------------------------------------------------------------


@operation(
    "Run invoicing for a period: one draft per billed organisation",
    roles=FINANCE,
    body=schemas.InvoiceRunCreate,
    response=schemas.InvoiceRunRead,
    status=201,
    tags=INVOICES,
    idempotent_create=True,
)
async def create_run(request: Request, principal: Principal) -> Response:
    """Safe to run concurrently: each organisation gets at most one open draft for the period and a time
    entry is put on at most one invoice. A period that has not ended yet (in TRIPDESK_TIMEZONE) is refused
    with 422 `period_not_finished` unless `allow_open_period` is true. The run's `status` is `running`,
    `finished` or `abandoned` (its process stopped; its counts are what it did)."""
    data = await read_body(request, schemas.InvoiceRunCreate)

    async def create() -> schemas.InvoiceRunRead:
        run = await runs.run_invoices(
            started_by=principal.name,
            period_start=data.period_start,
            period_end=data.period_end,
            allow_open_period=data.allow_open_period,
        )
        return await runs.run_read(run)

    return await _created(request, principal, "POST /invoice-runs", create)


get_run = service_call(
    "Get an invoice run and the drafts it made",
    runs.get_run,
    path_id="run_id",
    principal=False,
    response=schemas.InvoiceRunRead,
    roles=FINANCE,
    tags=INVOICES,
)


# Invoices ------------------------------------------------------------------------------------------------


list_invoices = service_call(
    "List invoices and credit notes",
    ledger.list_invoices,
    query=schemas.InvoiceQuery,
    response=schemas.InvoicePage,
    roles=INVOICE_READERS,
    tags=INVOICES,
    doc="Newest first. Integrators see only their organisation's issued invoices and credit notes.",
)
get_invoice = service_call(
    "Get an invoice (a draft is a preview) with its lines and their time entries",
    ledger.get_invoice,
    path_id="invoice_id",
    response=schemas.InvoiceRead,
    roles=INVOICE_READERS,
    tags=INVOICES,
)
update_invoice = service_call(
    "Change a draft's note or reference (issued invoices are immutable: 409)",
    ledger.update_invoice,
    path_id="invoice_id",
    body=schemas.InvoiceUpdate,
    response=schemas.InvoiceRead,
    roles=FINANCE,
    tags=INVOICES,
)
discard_invoice = service_call(
    "Discard a draft (its time entries become invoiceable again); issued invoices: 409",
    ledger.discard_invoice,
    path_id="invoice_id",
    status=204,
    roles=FINANCE,
    tags=INVOICES,
)
issue_invoice = service_call(
    "Issue a draft: number, OCR, due date, frozen document",
    ledger.issue_invoice,
    path_id="invoice_id",
    response=schemas.InvoiceRead,
    roles=FINANCE,
    tags=INVOICES,
)


credit_invoice = _create_call(
    "Credit an issued invoice, whole or chosen lines",
    credits.credit_invoice,
    "POST /invoices/{id}/credit",
    path_id="invoice_id",
    body=schemas.CreditCreate,
    response=schemas.InvoiceRead,
    roles=FINANCE,
    tags=INVOICES,
)
mark_paid = service_call(
    "Mark an issued invoice paid",
    ledger.mark_paid,
    path_id="invoice_id",
    body=schemas.MarkPaid,
    response=schemas.InvoiceRead,
    roles=FINANCE,
    tags=INVOICES,
    doc="""`paid_on` (default: today in TRIPDESK_TIMEZONE) lies between the issue date and today, else 422
    `invalid_payment_date`; an invoice of 0 (prepaid hours) has nothing to pay: 409 `nothing_to_pay`.""",
)


routes: list[BaseRoute] = [
    Route("/rate-cards", list_rate_cards, methods=["GET"]),
    Route("/rate-cards", create_rate_card, methods=["POST"]),
    Route("/rate-cards/quote", quote_rate, methods=["GET"]),
    Route("/rate-cards/{id:int}", get_rate_card, methods=["GET"]),
    Route("/rate-cards/{id:int}", update_rate_card, methods=["PATCH"]),
    Route("/rate-cards/{id:int}", delete_rate_card, methods=["DELETE"]),
    Route("/organisations/{id:int}/prepaid", get_prepaid, methods=["GET"]),
    Route("/organisations/{id:int}/prepaid", create_prepaid, methods=["POST"]),
    Route("/tickets/{id:int}/cost-ceiling", get_ceiling, methods=["GET"]),
    Route("/tickets/{id:int}/cost-ceiling", set_ceiling, methods=["PUT"]),
    Route("/tickets/{id:int}/cost-ceiling/approve", approve_ceiling, methods=["POST"]),
    Route("/reports/time", time_report, methods=["GET"]),
    Route("/invoice-runs", create_run, methods=["POST"]),
    Route("/invoice-runs/{id:int}", get_run, methods=["GET"]),
    Route("/invoices", list_invoices, methods=["GET"]),
    Route("/invoices/{id:int}", get_invoice, methods=["GET"]),
    Route("/invoices/{id:int}", update_invoice, methods=["PATCH"]),
    Route("/invoices/{id:int}", discard_invoice, methods=["DELETE"]),
    Route("/invoices/{id:int}/issue", issue_invoice, methods=["POST"]),
    Route("/invoices/{id:int}/credit", credit_invoice, methods=["POST"]),
    Route("/invoices/{id:int}/mark-paid", mark_paid, methods=["POST"]),
]
