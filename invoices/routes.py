"""Downloads of stored invoice documents. Parse → one service call → render; bytes come from storage only.

Access: admin, finance and support read any issued invoice's documents (support answers the integrator's
questions about an invoice); an integrator reads its own organisation's (another's is a 404). The period zip
is for finance and admin. Drafts and discarded invoices have no documents (404 with its own problem code).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.auth import Principal, Role
from core.endpoints import Endpoints, handler
from core.http import download, path_int, read_query
from invoices import periods, schemas, service
from invoices.models import DocumentFormat, InvoiceDocument

READERS = (Role.admin, Role.finance, Role.support, Role.integrator)
documents = Endpoints(tags=("invoices",), reads=READERS)
CACHE = "private, no-cache"  # immutable bytes, but every request re-checks the token: revalidate via ETag


def _etag_matches(header: str | None, sha256: str) -> bool:
    """RFC 9110 If-None-Match: weak comparison over a list of entity tags, or `*`."""
    if not header:
        return False
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag.strip('"') == sha256:
            return True
    return False


def _download(request: Request, document: InvoiceDocument) -> Response:
    etag = f'"{document.sha256}"'
    if _etag_matches(request.headers.get("if-none-match"), document.sha256):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE})
    return Response(
        bytes(document.content),
        media_type=document.content_type,
        headers={
            "ETag": etag,
            "Cache-Control": CACHE,
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@handler
async def invoice_pdf(request: Request, principal: Principal) -> Response:
    """The PDF rendered and stored when the invoice was issued (never re-rendered). `ETag` is its sha256;
    send it back in `If-None-Match` for a 304. A draft has no documents (404 invoice_document_not_issued)."""
    document = await service.get_document(principal=principal, invoice_id=path_int(request), fmt=DocumentFormat.pdf)
    return _download(request, document)


@handler
async def invoice_xml(request: Request, principal: Principal) -> Response:
    """The UBL e-invoice stored when the invoice was issued. `ETag` is its sha256 (304 on `If-None-Match`)."""
    document = await service.get_document(principal=principal, invoice_id=path_int(request), fmt=DocumentFormat.xml)
    return _download(request, document)


@handler
async def invoice_documents_zip(request: Request, principal: Principal) -> Response:
    """`<number>.pdf` and `<number>.xml` of every invoice and credit note issued in the month (or, with
    `by=service_period` / `by=service`, whose delivery period starts in it), plus `SHA256SUMS` for
    `sha256sum -c`. `X-Document-Count` (invoices + credit notes), `X-Invoice-Count` and
    `X-Credit-Note-Count` say what is inside. A month without documents is a 404 `no_documents_in_period`
    that says how many the other basis would find; a month that has not begun is a 422."""
    query = read_query(request, schemas.DocumentPeriodQuery)
    filename, data, found = await periods.period_zip(period=periods.parse_period(query.period), by=query.by)
    headers = {
        "Cache-Control": "private, no-store",
        "X-Document-Count": str(len(found.invoices)),
        "X-Credit-Note-Count": str(found.credit_notes),
        "X-Invoice-Count": str(len(found.invoices) - found.credit_notes),
        "X-Period-Basis": found.by.value,
    }
    return download(data, "application/zip", filename, headers)


routes = [
    documents.get(
        "/invoices/{id:int}.pdf",
        "Download an issued invoice or credit note as PDF",
        invoice_pdf,
        content_types=("application/pdf",),
    ),
    documents.get(
        "/invoices/{id:int}.xml",
        "Download an issued invoice or credit note as Peppol BIS Billing 3.0 UBL XML",
        invoice_xml,
        content_types=("application/xml",),
    ),
    documents.get(
        "/invoice-documents.zip",
        "Download a period's invoice and credit-note documents as a zip",
        invoice_documents_zip,
        query=schemas.DocumentPeriodQuery,
        content_types=("application/zip",),
        roles=(Role.admin, Role.finance),
    ),
]
