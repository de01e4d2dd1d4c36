"""HTTP endpoints of payments: import a bank file, list files and payments, finance's hand work, an invoice's
account (balance, allocations, reminders, dispute). Finance and admin only. Parse → one service call → render."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from billing.payments import collection, schemas, service
from core.auth import Principal, Role
from core.errors import InvalidInput, PayloadTooLarge
from core.http import JSON, operation, service_call

FINANCE = (Role.admin, Role.finance)
TAGS = ("payments",)
MAX_FILE_BYTES = 20 * 1024 * 1024
"""A BgMax file is 82 bytes a payment: 20 MiB holds about 250,000 payments, more than a day's file."""


async def _file_body(request: Request) -> tuple[bytes, str]:
    """The file from a raw body (any content type; name in `X-Filename`) or from multipart field `file`."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"the file is larger than {MAX_FILE_BYTES} bytes")
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=5, max_part_size=MAX_FILE_BYTES) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidInput("send the payment file in the multipart field 'file'")
            return await upload.read(), upload.filename or ""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise PayloadTooLarge(f"the file is larger than {MAX_FILE_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks), request.headers.get("x-filename", "")


@operation(
    "Import a bank payment file (BgMax)",
    roles=FINANCE,
    response=schemas.ImportResult,
    status=201,
    tags=TAGS,
    content_types=("application/octet-stream", "text/plain", "multipart/form-data"),
)
async def import_payment_file(request: Request, principal: Principal) -> Response:
    """The raw file as the body (`X-Filename` names it) or multipart field `file`. Payments are matched by OCR;
    what does not match waits in `GET /payments?state=needs_hands`. The file is applied once: the same file
    again answers 200 with `duplicate: true` and changes nothing. A malformed file is refused whole (422
    `payment_file_invalid` with the `line` that is wrong)."""
    data, filename = await _file_body(request)
    result = await service.import_file(principal=principal, data=data, filename=filename)
    return JSON(result, status_code=200 if result.duplicate else 201)


list_payment_files = service_call(
    "List imported payment files",
    service.list_files,
    query=schemas.FileQuery,
    principal=False,
    response=schemas.PaymentFilePage,
    roles=FINANCE,
    tags=TAGS,
    name="list_payment_files",
)
get_payment_file = service_call(
    "Get an imported payment file",
    service.get_file,
    path_id="file_id",
    principal=False,
    response=schemas.PaymentFileRead,
    roles=FINANCE,
    tags=TAGS,
    name="get_payment_file",
)
list_payments = service_call(
    "List payments (state=needs_hands: what finance must resolve)",
    service.list_payments,
    query=schemas.PaymentQuery,
    principal=False,
    response=schemas.PaymentPage,
    roles=FINANCE,
    tags=TAGS,
)
assign_payment = service_call(
    "Assign an unmatched payment to an invoice",
    service.assign_payment,
    path_id="payment_id",
    body=schemas.PaymentAssign,
    response=schemas.PaymentRead,
    roles=FINANCE,
    tags=TAGS,
)
refund_payment = service_call(
    "Note that an unmatched payment was refunded",
    service.refund_payment,
    path_id="payment_id",
    body=schemas.PaymentRefund,
    response=schemas.PaymentRead,
    roles=FINANCE,
    tags=TAGS,
)
invoice_account = service_call(
    "An issued invoice's account: balance, payments applied, reminders, dispute",
    collection.invoice_account,
    path_id="invoice_id",
    principal=False,
    response=schemas.InvoiceAccount,
    roles=FINANCE,
    tags=TAGS,
)
set_dispute = service_call(
    "Mark an invoice disputed (no reminders) or undisputed",
    collection.set_dispute,
    path_id="invoice_id",
    body=schemas.DisputeSet,
    response=schemas.InvoiceAccount,
    roles=FINANCE,
    tags=TAGS,
)


get_collection_terms = service_call(
    "An organisation's collection terms (reminder fee agreed or not)",
    collection.get_collection_terms,
    path_id="organisation_id",
    principal=False,
    response=schemas.CollectionTermsRead,
    roles=FINANCE,
    tags=TAGS,
)
set_collection_terms = service_call(
    "Record whether an organisation agreed to reminder fees",
    collection.set_collection_terms,
    path_id="organisation_id",
    body=schemas.CollectionTermsSet,
    response=schemas.CollectionTermsRead,
    roles=FINANCE,
    tags=TAGS,
    doc="""With TRIPDESK_REMINDER_FEE above 0, the next invoice run adds the fee for each reminder sent to an
    organisation that agreed to it (docs/payments.md).""",
)


routes: list[BaseRoute] = [
    Route("/payment-files", import_payment_file, methods=["POST"]),
    Route("/payment-files", list_payment_files, methods=["GET"]),
    Route("/payment-files/{id:int}", get_payment_file, methods=["GET"]),
    Route("/payments", list_payments, methods=["GET"]),
    Route("/payments/{id:int}/assign", assign_payment, methods=["POST"]),
    Route("/payments/{id:int}/refund", refund_payment, methods=["POST"]),
    Route("/invoices/{id:int}/account", invoice_account, methods=["GET"]),
    Route("/invoices/{id:int}/dispute", set_dispute, methods=["PUT"]),
    Route("/organisations/{id:int}/collection-terms", get_collection_terms, methods=["GET"]),
    Route("/organisations/{id:int}/collection-terms", set_collection_terms, methods=["PUT"]),
]
