"""HTTP endpoints of billing: rate cards, prepaid hours, cost ceilings, reports, invoice runs and invoices.
Parse → one service call → render; no ORM here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from billing import ceilings, credits, ledger, prepaid, rates, reports, runs, schemas
from core.auth import Principal, Role
from core.http import JSON, operation, path_int, read_body, read_query
from support.idempotency import run_once

ADMIN = (Role.admin,)
FINANCE = (Role.admin, Role.finance)
STAFF = (Role.admin, Role.support, Role.finance)
ANY = tuple(Role)
INVOICE_READERS = (Role.admin, Role.finance, Role.integrator)
CEILING_WRITERS = (Role.admin, Role.support, Role.finance, Role.integrator)


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


# Rate cards ----------------------------------------------------------------------------------------------


@operation(
    "List rate cards",
    roles=STAFF,
    query=schemas.RateCardQuery,
    response=schemas.RateCardPage,
    tags=("rate-cards",),
)
async def list_rate_cards(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.RateCardQuery)
    items, cursor = await rates.list_rate_cards(query=query)
    return JSON(schemas.RateCardPage(items=items, next_cursor=cursor))


@operation(
    "Create a rate card (default or an organisation's agreement)",
    roles=ADMIN,
    body=schemas.RateCardCreate,
    response=schemas.RateCardRead,
    status=201,
    tags=("rate-cards",),
    idempotent_create=True,
)
async def create_rate_card(request: Request, principal: Principal) -> Response:
    """Rates are SEK per hour ex VAT as decimal strings with at most 2 decimals. Validity may not overlap
    another card of the same organisation (or another default card): 409 `rate_card_overlap`."""
    data = await read_body(request, schemas.RateCardCreate)
    return await _created(
        request, principal, "POST /rate-cards", lambda: rates.create_rate_card(principal=principal, data=data)
    )


@operation("Get a rate card", roles=STAFF, response=schemas.RateCardRead, tags=("rate-cards",))
async def get_rate_card(request: Request, principal: Principal) -> Response:
    card = await rates.get_rate_card(card_id=path_int(request))
    return JSON(await rates.card_read(card))


@operation(
    "End (or extend) a rate card's validity",
    roles=ADMIN,
    body=schemas.RateCardUpdate,
    response=schemas.RateCardRead,
    tags=("rate-cards",),
)
async def update_rate_card(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.RateCardUpdate)
    return JSON(await rates.update_rate_card(card_id=path_int(request), data=data, principal=principal))


@operation(
    "Delete a rate card that never priced an invoice line", roles=ADMIN, status=204, tags=("rate-cards",)
)
async def delete_rate_card(request: Request, principal: Principal) -> Response:
    await rates.delete_rate_card(card_id=path_int(request), principal=principal)
    return Response(status_code=204)


@operation(
    "Quote the hourly rate for a category",
    roles=STAFF,
    query=schemas.RateQuoteQuery,
    response=schemas.RateQuote,
    tags=("rate-cards",),
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


@operation(
    "An organisation's prepaid hour packages and remaining hours",
    roles=ANY,
    response=schemas.PrepaidSummary,
    tags=("prepaid",),
)
async def get_prepaid(request: Request, principal: Principal) -> Response:
    return JSON(await prepaid.prepaid_summary(principal=principal, organisation_id=path_int(request)))


@operation(
    "Add a prepaid hour package",
    roles=FINANCE,
    body=schemas.PrepaidCreate,
    response=schemas.PrepaidRead,
    status=201,
    tags=("prepaid",),
    idempotent_create=True,
)
async def create_prepaid(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.PrepaidCreate)
    organisation_id = path_int(request)
    return await _created(
        request,
        principal,
        f"POST /organisations/{organisation_id}/prepaid",
        lambda: prepaid.create_package(principal=principal, organisation_id=organisation_id, data=data),
    )


# Cost ceilings -------------------------------------------------------------------------------------------


@operation(
    "A ticket's cost ceiling, usage and held time", roles=ANY, response=schemas.CeilingRead, tags=("tickets",)
)
async def get_ceiling(request: Request, principal: Principal) -> Response:
    return JSON(await ceilings.get_ceiling(principal=principal, ticket_id=path_int(request)))


@operation(
    "Set a ticket's cost ceiling (hours or SEK ex VAT)",
    roles=CEILING_WRITERS,
    body=schemas.CeilingSet,
    response=schemas.CeilingRead,
    tags=("tickets",),
)
async def set_ceiling(request: Request, principal: Principal) -> Response:
    """Set by the integrator of the ticket's billed organisation (or staff); a new ceiling needs approval."""
    data = await read_body(request, schemas.CeilingSet)
    return JSON(await ceilings.set_ceiling(principal=principal, ticket_id=path_int(request), data=data))


@operation(
    "Approve billable time beyond the cost ceiling",
    roles=(Role.admin, Role.support, Role.integrator),
    body=schemas.CeilingApprove,
    response=schemas.CeilingRead,
    tags=("tickets",),
)
async def approve_ceiling(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.CeilingApprove)
    return JSON(await ceilings.approve_ceiling(principal=principal, ticket_id=path_int(request), data=data))


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
    tags=("invoices",),
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
            started_by=principal.name, period_start=data.period_start, period_end=data.period_end,
            allow_open_period=data.allow_open_period,
        )
        return await runs.run_read(run)

    return await _created(request, principal, "POST /invoice-runs", create)


@operation(
    "Get an invoice run and the drafts it made",
    roles=FINANCE,
    response=schemas.InvoiceRunRead,
    tags=("invoices",),
)
async def get_run(request: Request, principal: Principal) -> Response:
    return JSON(await runs.get_run(run_id=path_int(request)))


# Invoices ------------------------------------------------------------------------------------------------


@operation(
    "List invoices and credit notes",
    roles=INVOICE_READERS,
    query=schemas.InvoiceQuery,
    response=schemas.InvoicePage,
    tags=("invoices",),
)
async def list_invoices(request: Request, principal: Principal) -> Response:
    """Newest first. Integrators see only their organisation's issued invoices and credit notes."""
    query = read_query(request, schemas.InvoiceQuery)
    items, cursor = await ledger.list_invoices(principal=principal, query=query)
    return JSON(schemas.InvoicePage(items=items, next_cursor=cursor))


@operation(
    "Get an invoice (a draft is a preview) with its lines and their time entries",
    roles=INVOICE_READERS,
    response=schemas.InvoiceRead,
    tags=("invoices",),
)
async def get_invoice(request: Request, principal: Principal) -> Response:
    return JSON(await ledger.get_invoice(principal=principal, invoice_id=path_int(request)))


@operation(
    "Change a draft's note or reference (issued invoices are immutable: 409)",
    roles=FINANCE,
    body=schemas.InvoiceUpdate,
    response=schemas.InvoiceRead,
    tags=("invoices",),
)
async def update_invoice(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.InvoiceUpdate)
    return JSON(await ledger.update_invoice(principal=principal, invoice_id=path_int(request), data=data))


@operation(
    "Discard a draft (its time entries become invoiceable again); issued invoices: 409",
    roles=FINANCE,
    status=204,
    tags=("invoices",),
)
async def discard_invoice(request: Request, principal: Principal) -> Response:
    await ledger.discard_invoice(principal=principal, invoice_id=path_int(request))
    return Response(status_code=204)


@operation(
    "Issue a draft: number, OCR, due date, frozen document",
    roles=FINANCE,
    response=schemas.InvoiceRead,
    tags=("invoices",),
)
async def issue_invoice(request: Request, principal: Principal) -> Response:
    return JSON(await ledger.issue_invoice(principal=principal, invoice_id=path_int(request)))


@operation(
    "Credit an issued invoice, whole or chosen lines",
    roles=FINANCE,
    body=schemas.CreditCreate,
    response=schemas.InvoiceRead,
    status=201,
    tags=("invoices",),
    idempotent_create=True,
)
async def credit_invoice(request: Request, principal: Principal) -> Response:
    data = await read_body(request, schemas.CreditCreate)
    invoice_id = path_int(request)
    return await _created(
        request,
        principal,
        f"POST /invoices/{invoice_id}/credit",
        lambda: credits.credit_invoice(principal=principal, invoice_id=invoice_id, data=data),
    )


@operation(
    "Mark an issued invoice paid",
    roles=FINANCE,
    body=schemas.MarkPaid,
    response=schemas.InvoiceRead,
    tags=("invoices",),
)
async def mark_paid(request: Request, principal: Principal) -> Response:
    """`paid_on` (default: today in TRIPDESK_TIMEZONE) lies between the issue date and today, else 422
    `invalid_payment_date`; an invoice of 0 (prepaid hours) has nothing to pay: 409 `nothing_to_pay`."""
    data = await read_body(request, schemas.MarkPaid)
    return JSON(await ledger.mark_paid(principal=principal, invoice_id=path_int(request), data=data))


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
