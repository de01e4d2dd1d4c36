"""The customer statement as PDF (integrator: own organisation only, another is a 404; finance and admin: any)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from billing import statements
from billing.payments.report_routes import STATEMENT_READERS, AsOfQuery
from core.auth import Principal
from core.http import operation, path_int, read_query
from invoices.statement_pdf import render_statement_pdf


@operation(
    "An organisation's statement as PDF",
    roles=STATEMENT_READERS,
    query=AsOfQuery,
    tags=("payments",),
    content_types=("application/pdf",),
)
async def statement_pdf(request: Request, principal: Principal) -> Response:
    query = read_query(request, AsOfQuery)
    found = await statements.statement(principal=principal, organisation_id=path_int(request), as_of=query.as_of)
    data = await asyncio.to_thread(render_statement_pdf, found)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="statement-{found.organisation_id}-{found.as_of}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


routes: list[BaseRoute] = [Route("/organisations/{id:int}/statement.pdf", statement_pdf, methods=["GET"])]
