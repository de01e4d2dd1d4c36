"""HTTP endpoints of the books: reminders, the ageing of receivables, the SIE 4 and CSV bookkeeping export and
the customer statement (JSON; the PDF is served by the invoices package). Parse → one service call → render."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from billing import bookkeeping, reminders, statements
from core.auth import Principal, Role
from core.http import JSON, Id, operation, path_int, read_query

FINANCE = (Role.admin, Role.finance)
STATEMENT_READERS = (Role.admin, Role.finance, Role.integrator)


class AsOfQuery(BaseModel):
    as_of: dt.date | None = Field(None, ge=dt.date(2000, 1, 1), le=dt.date(2999, 12, 31))
    organisation_id: Id | None = None


class PeriodQuery(BaseModel):
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")


class ReminderRunRead(BaseModel):
    as_of: dt.date
    sent: list[dict[str, object]]
    skipped: list[dict[str, object]]


@operation(
    "Send the payment reminders that are due",
    roles=FINANCE,
    query=AsOfQuery,
    response=ReminderRunRead,
    tags=("payments",),
)
async def run_reminders(request: Request, principal: Principal) -> Response:
    """Each due step once (schedule in TRIPDESK_REMINDER_*), with the invoice PDF attached; never for a
    disputed, paid or fully credited invoice. `tripdesk send-reminders` does the same."""
    query = read_query(request, AsOfQuery)
    run = await reminders.send_reminders(as_of=query.as_of, actor=principal.name)
    return JSON(ReminderRunRead(as_of=run.as_of, sent=run.sent, skipped=run.skipped))


@operation(
    "Ageing of open receivables (not due, 0-30, 31-60, 61-90, 90+ days overdue)",
    roles=FINANCE,
    query=AsOfQuery,
    tags=("payments",),
)
async def ageing(request: Request, principal: Principal) -> Response:
    query = read_query(request, AsOfQuery)
    return JSON(await reminders.ageing(as_of=query.as_of, organisation_id=query.organisation_id))


@operation(
    "A month's bookkeeping as an SIE 4 file (CP437)",
    roles=FINANCE,
    query=PeriodQuery,
    tags=("bookkeeping",),
    content_types=("text/plain",),
)
async def sie(request: Request, principal: Principal) -> Response:
    """Invoices, credit notes, payments, assignments and refunds of the month as balanced #VER verifications
    with a #KSUMMA checksum; accounts from TRIPDESK_ACCOUNT_* (BAS defaults)."""
    filename, data = await bookkeeping.sie_export(period=read_query(request, PeriodQuery).period)
    return Response(
        data,
        media_type="text/plain; charset=IBM437",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@operation(
    "A month's bookkeeping as CSV (the same verifications as the SIE file)",
    roles=FINANCE,
    query=PeriodQuery,
    tags=("bookkeeping",),
    content_types=("text/csv",),
)
async def bookkeeping_csv(request: Request, principal: Principal) -> Response:
    filename, data = await bookkeeping.csv_export(period=read_query(request, PeriodQuery).period)
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@operation(
    "An organisation's statement: invoices, credit notes, payments and balance",
    roles=STATEMENT_READERS,
    query=AsOfQuery,
    response=statements.Statement,
    tags=("payments",),
)
async def statement(request: Request, principal: Principal) -> Response:
    query = read_query(request, AsOfQuery)
    return JSON(await statements.statement(principal=principal, organisation_id=path_int(request), as_of=query.as_of))


routes: list[BaseRoute] = [
    Route("/reminders/run", run_reminders, methods=["POST"]),
    Route("/receivables/ageing", ageing, methods=["GET"]),
    Route("/bookkeeping/sie", sie, methods=["GET"]),
    Route("/bookkeeping/csv", bookkeeping_csv, methods=["GET"]),
    Route("/organisations/{id:int}/statement", statement, methods=["GET"]),
]
