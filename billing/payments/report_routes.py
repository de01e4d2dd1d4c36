"""HTTP endpoints of the books: reminders, the ageing of receivables, the SIE 4 and CSV bookkeeping export and
the customer statement (JSON; the PDF is served by the invoices package). Parse → one service call → render."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from billing import bookkeeping, reminders, statements
from core.auth import Principal, Role
from core.endpoints import Endpoints, handler
from core.http import JSON, Id, download, path_int, read_query

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


@handler
async def run_reminders(request: Request, principal: Principal) -> Response:
    """Each due step once (schedule in TRIPDESK_REMINDER_*), with the invoice PDF attached; never for a
    disputed, paid or fully credited invoice. `tripdesk send-reminders` does the same."""
    query = read_query(request, AsOfQuery)
    run = await reminders.send_reminders(as_of=query.as_of, actor=principal.name)
    return JSON(ReminderRunRead(as_of=run.as_of, sent=run.sent, skipped=run.skipped))


@handler
async def sie(request: Request, principal: Principal) -> Response:
    """Invoices, credit notes, payments, assignments and refunds of the month as balanced #VER verifications
    with a #KSUMMA checksum; accounts from TRIPDESK_ACCOUNT_* (BAS defaults)."""
    filename, data = await bookkeeping.sie_export(period=read_query(request, PeriodQuery).period)
    return download(data, "text/plain; charset=IBM437", filename)


@handler
async def bookkeeping_csv(request: Request, principal: Principal) -> Response:
    filename, data = await bookkeeping.csv_export(period=read_query(request, PeriodQuery).period)
    return download(data, "text/csv; charset=utf-8", filename)


async def statement_of(request: Request, principal: Principal) -> statements.Statement:
    """The statement a request asks for: of the organisation in its path, as of its query's `as_of`."""
    query = read_query(request, AsOfQuery)
    return await statements.statement(principal=principal, organisation_id=path_int(request), as_of=query.as_of)


@handler
async def statement(request: Request, principal: Principal) -> Response:
    return JSON(await statement_of(request, principal))


books = Endpoints(tags=("payments",), reads=FINANCE)
bookkeeping_exports = Endpoints(tags=("bookkeeping",), reads=FINANCE)

routes = [
    books.post(
        "/reminders/run", "Send the payment reminders that are due", run_reminders, ReminderRunRead, query=AsOfQuery
    ),
    books.get(
        "/receivables/ageing",
        "Ageing of open receivables (not due, 0-30, 31-60, 61-90, 90+ days overdue)",
        reminders.ageing,
        query=AsOfQuery,
        spread=True,
    ),
    bookkeeping_exports.get(
        "/bookkeeping/sie",
        "A month's bookkeeping as an SIE 4 file (CP437)",
        sie,
        query=PeriodQuery,
        content_types=("text/plain",),
    ),
    bookkeeping_exports.get(
        "/bookkeeping/csv",
        "A month's bookkeeping as CSV (the same verifications as the SIE file)",
        bookkeeping_csv,
        query=PeriodQuery,
        content_types=("text/csv",),
    ),
    books.get(
        "/organisations/{id:int}/statement",
        "An organisation's statement: invoices, credit notes, payments and balance",
        statement,
        statements.Statement,
        query=AsOfQuery,
        roles=STATEMENT_READERS,
    ),
]
