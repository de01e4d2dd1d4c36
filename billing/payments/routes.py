"""HTTP endpoints of payments: import a bank file, list files and payments, finance's hand work, an invoice's
account (balance, allocations, reminders, dispute). Finance and admin only. Parse → one service call → render."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from billing.payments import collection, schemas, service
from core.auth import Principal, Role
from core.endpoints import Endpoints, handler
from core.errors import InvalidInput, PayloadTooLarge
from core.http import JSON

FINANCE = (Role.admin, Role.finance)
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


@handler
async def import_payment_file(request: Request, principal: Principal) -> Response:
    """The raw file as the body (`X-Filename` names it) or multipart field `file`. Payments are matched by OCR;
    what does not match waits in `GET /payments?state=needs_hands`. The file is applied once: the same file
    again answers 200 with `duplicate: true` and changes nothing. A malformed file is refused whole (422
    `payment_file_invalid` with the `line` that is wrong)."""
    data, filename = await _file_body(request)
    result = await service.import_file(principal=principal, data=data, filename=filename)
    return JSON(result, status_code=200 if result.duplicate else 201)


files = Endpoints(tags=("payments",), reads=FINANCE, id_as="file_id", prefix="/payment-files")
payments = Endpoints(tags=("payments",), reads=FINANCE, id_as="payment_id", prefix="/payments")
accounts = Endpoints(tags=("payments",), reads=FINANCE, id_as="invoice_id", prefix="/invoices/{id:int}")
terms = Endpoints(tags=("payments",), reads=FINANCE, id_as="organisation_id", prefix="/organisations/{id:int}")

routes = [
    files.create(
        "",
        "Import a bank payment file (BgMax)",
        import_payment_file,
        schemas.ImportResult,
        content_types=("application/octet-stream", "text/plain", "multipart/form-data"),
    ),
    files.get("", "List imported payment files", service.list_payment_files, schemas.PaymentFilePage),
    files.get("/{id:int}", "Get an imported payment file", service.get_payment_file, schemas.PaymentFileRead),
    payments.get(
        "", "List payments (state=needs_hands: what finance must resolve)", service.list_payments, schemas.PaymentPage
    ),
    payments.post(
        "/{id:int}/assign", "Assign an unmatched payment to an invoice", service.assign_payment, schemas.PaymentRead
    ),
    payments.post(
        "/{id:int}/refund", "Note that an unmatched payment was refunded", service.refund_payment, schemas.PaymentRead
    ),
    accounts.get(
        "/account",
        "An issued invoice's account: balance, payments applied, reminders, dispute",
        collection.invoice_account,
        schemas.InvoiceAccount,
    ),
    accounts.put(
        "/dispute",
        "Mark an invoice disputed (no reminders) or undisputed",
        collection.set_dispute,
        schemas.InvoiceAccount,
    ),
    terms.get(
        "/collection-terms",
        "An organisation's collection terms (reminder fee agreed or not)",
        collection.get_collection_terms,
        schemas.CollectionTermsRead,
    ),
    terms.put(
        "/collection-terms",
        "Record whether an organisation agreed to reminder fees",
        collection.set_collection_terms,
        schemas.CollectionTermsRead,
        doc="""With TRIPDESK_REMINDER_FEE above 0, the next invoice run adds the fee for each reminder sent to an
    organisation that agreed to it (docs/payments.md).""",
    ),
]
