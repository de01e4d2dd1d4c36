"""The customer statement as PDF (integrator: own organisation only, another is a 404; finance and admin: any)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from billing.payments.report_routes import STATEMENT_READERS, AsOfQuery, statement_of
from core.auth import Principal
from core.endpoints import Endpoints, handler
from core.http import download
from invoices.statement_pdf import render_statement_pdf


@handler
async def statement_pdf(request: Request, principal: Principal) -> Response:
    found = await statement_of(request, principal)
    data = await asyncio.to_thread(render_statement_pdf, found)
    filename = f"statement-{found.organisation_id}-{found.as_of}.pdf"
    return download(data, "application/pdf", filename, {"Cache-Control": "private, no-store"})


statements_pdf = Endpoints(tags=("payments",), reads=STATEMENT_READERS)
routes = [
    statements_pdf.get(
        "/organisations/{id:int}/statement.pdf",
        "An organisation's statement as PDF",
        statement_pdf,
        query=AsOfQuery,
        content_types=("application/pdf",),
    )
]
