"""HTTP endpoints of billing: rate cards, prepaid hours, cost ceilings, reports, invoice runs and invoices.
Parse → one service call → render; no ORM here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from billing import ceilings, credits, ledger, prepaid, rates, reports, runs, schemas
from core.auth import Principal, Role
from core.endpoints import Endpoints, handler
from core.http import JSON, download, path_int, read_body, read_query
from support.idempotency import run_once
from support.timetracking.settings import business_today

ADMIN = (Role.admin,)
FINANCE = (Role.admin, Role.finance)
STAFF = (Role.admin, Role.support, Role.finance)
ANY = tuple(Role)
INVOICE_READERS = (Role.admin, Role.finance, Role.integrator)
CEILING_WRITERS = (Role.admin, Role.support, Role.finance, Role.integrator)
INVOICES = ("invoices",)

rate_cards = Endpoints(
    tags=("rate-cards",), reads=STAFF, writes=ADMIN, id_as="card_id", replay=run_once, prefix="/rate-cards"
)
packages = Endpoints(
    tags=("prepaid",),
    reads=ANY,
    writes=FINANCE,
    id_as="organisation_id",
    replay=run_once,
    prefix="/organisations/{id:int}/prepaid",
)
cost_ceilings = Endpoints(
    tags=("tickets",), reads=ANY, writes=CEILING_WRITERS, id_as="ticket_id", prefix="/tickets/{id:int}/cost-ceiling"
)
time_reports = Endpoints(tags=("reports",), reads=STAFF)
invoice_runs = Endpoints(tags=INVOICES, reads=FINANCE, id_as="run_id", prefix="/invoice-runs")
invoices = Endpoints(
    tags=INVOICES, reads=INVOICE_READERS, writes=FINANCE, id_as="invoice_id", replay=run_once, prefix="/invoices"
)


@handler
async def get_rate_card(request: Request, principal: Principal) -> Response:
    card = await rates.get_rate_card(card_id=path_int(request))
    return JSON(await rates.card_read(card))


@handler
async def quote_rate(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.RateQuoteQuery)
    day = query.work_date or business_today()
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


@handler
async def time_report(request: Request, principal: Principal) -> Response:
    query = read_query(request, schemas.TimeReportQuery)
    report = await reports.time_report(query=query)
    if query.format == "csv":
        filename = f"time-{query.period_start}-{query.period_end}.csv"
        return download(reports.report_csv(report), "text/csv; charset=utf-8", filename)
    return JSON(report)


@handler
async def create_run(request: Request, principal: Principal) -> Response:
    """Safe to run concurrently: each organisation gets at most one open draft for the period and a time
    entry is put on at most one invoice. A period that has not ended yet (in TRIPDESK_TIMEZONE) is refused
    with 422 `period_not_finished` unless `allow_open_period` is true. The run's `status` is `running`,
    `finished` or `abandoned` (its process stopped; its counts are what it did)."""
    data = await read_body(request, schemas.InvoiceRunCreate)

    async def create() -> dict:
        run = await runs.run_invoices(
            started_by=principal.name,
            period_start=data.period_start,
            period_end=data.period_end,
            allow_open_period=data.allow_open_period,
        )
        return (await runs.run_read(run)).model_dump(mode="json")

    status, body = await run_once(
        principal=principal,
        endpoint="POST /invoice-runs",
        key=request.headers.get("idempotency-key"),
        body=await request.body(),
        create=create,
    )
    return JSON(body, status_code=status)


routes = [
    rate_cards.get("", "List rate cards", rates.list_rate_cards, schemas.RateCardPage),
    rate_cards.create(
        "",
        "Create a rate card (default or an organisation's agreement)",
        rates.create_rate_card,
        schemas.RateCardRead,
        idempotent=True,
        doc="""Rates are SEK per hour ex VAT as decimal strings with at most 2 decimals. Validity may not overlap
    another card of the same organisation (or another default card): 409 `rate_card_overlap`.""",
    ),
    rate_cards.get(
        "/quote", "Quote the hourly rate for a category", quote_rate, schemas.RateQuote, query=schemas.RateQuoteQuery
    ),
    rate_cards.get("/{id:int}", "Get a rate card", get_rate_card, schemas.RateCardRead),
    rate_cards.patch(
        "/{id:int}", "End (or extend) a rate card's validity", rates.update_rate_card, schemas.RateCardRead
    ),
    rate_cards.delete("/{id:int}", "Delete a rate card that never priced an invoice line", rates.delete_rate_card),
    packages.get(
        "", "An organisation's prepaid hour packages and remaining hours", prepaid.get_prepaid, schemas.PrepaidSummary
    ),
    packages.create("", "Add a prepaid hour package", prepaid.create_prepaid, schemas.PrepaidRead, idempotent=True),
    cost_ceilings.get("", "A ticket's cost ceiling, usage and held time", ceilings.get_ceiling, schemas.CeilingRead),
    cost_ceilings.put(
        "",
        "Set a ticket's cost ceiling (hours or SEK ex VAT)",
        ceilings.set_ceiling,
        schemas.CeilingRead,
        doc="Set by the integrator of the ticket's billed organisation (or staff); a new ceiling needs approval.",
    ),
    cost_ceilings.post(
        "/approve",
        "Approve billable time beyond the cost ceiling",
        ceilings.approve_ceiling,
        schemas.CeilingRead,
        roles=(Role.admin, Role.support, Role.integrator),
    ),
    time_reports.get(
        "/reports/time",
        "Time report per organisation × category × month × staff (JSON or ?format=csv)",
        time_report,
        schemas.TimeReport,
        query=schemas.TimeReportQuery,
        content_types=("application/json", "text/csv"),
    ),
    invoice_runs.create(
        "",
        "Run invoicing for a period: one draft per billed organisation",
        create_run,
        schemas.InvoiceRunRead,
        body=schemas.InvoiceRunCreate,
        idempotent=True,
    ),
    invoice_runs.get("/{id:int}", "Get an invoice run and the drafts it made", runs.get_run, schemas.InvoiceRunRead),
    invoices.get(
        "",
        "List invoices and credit notes",
        ledger.list_invoices,
        schemas.InvoicePage,
        doc="Newest first. Integrators see only their organisation's issued invoices and credit notes.",
    ),
    invoices.get(
        "/{id:int}",
        "Get an invoice (a draft is a preview) with its lines and their time entries",
        ledger.get_invoice,
        schemas.InvoiceRead,
    ),
    invoices.patch(
        "/{id:int}",
        "Change a draft's note or reference (issued invoices are immutable: 409)",
        ledger.update_invoice,
        schemas.InvoiceRead,
    ),
    invoices.delete(
        "/{id:int}",
        "Discard a draft (its time entries become invoiceable again); issued invoices: 409",
        ledger.discard_invoice,
    ),
    invoices.post(
        "/{id:int}/issue",
        "Issue a draft: number, OCR, due date, frozen document",
        ledger.issue_invoice,
        schemas.InvoiceRead,
    ),
    invoices.create(
        "/{id:int}/credit",
        "Credit an issued invoice, whole or chosen lines",
        credits.credit_invoice,
        schemas.InvoiceRead,
        idempotent=True,
    ),
    invoices.post(
        "/{id:int}/mark-paid",
        "Mark an issued invoice paid",
        ledger.mark_paid,
        schemas.InvoiceRead,
        doc="""`paid_on` (default: today in TRIPDESK_TIMEZONE) lies between the issue date and today, else 422
    `invalid_payment_date`; an invoice of 0 (prepaid hours) has nothing to pay: 409 `nothing_to_pay`.""",
    ),
]
