"""Payment use cases: import a bank file once and apply it whole, list files and payments, and finance's hand
work on what did not match (assign to an invoice, note a refund).

Invariants (see models.py): a file is applied in one transaction, all of it or nothing; the file row is
claimed first (INSERT … ON CONFLICT DO NOTHING on its sha256 and bank identity), so of two racing imports of
one file exactly one applies it and the other reports a duplicate; a payment already recorded (same bank
identity, from an earlier file) is skipped. Every amount applied to an invoice goes through the ledger's
`record_payment` on a row locked for update.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal

from tortoise.transactions import in_transaction

from billing.audit_trail import audit_event
from billing.errors import InvoiceNotFound
from billing.ledger import business_today, record_payment
from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.money import ZERO
from billing.naming import read_model
from billing.payments import bgmax, matching, schemas
from billing.payments.balances import balance_of
from billing.payments.errors import (
    InvoiceNotReceivable,
    PaymentFileInvalid,
    PaymentFileNotFound,
    PaymentFileUnsupported,
    PaymentNotFound,
    PaymentNotOpen,
)
from billing.payments.models import AllocationSource, Payment, PaymentFile, PaymentState
from core.auth import Principal
from core.locking import first_locked
from core.pagination import keyset_page, set_filters


def parse_file(data: bytes) -> bgmax.BgMaxFile:
    """The parsed file, or a 422 naming the first wrong line. camt.054 is not read (see the README)."""
    if not bgmax.looks_like_bgmax(data):
        raise PaymentFileUnsupported("the file is not a BgMax file (it must start with 01BGMAX)")
    try:
        return bgmax.parse(data)
    except bgmax.BgMaxError as exc:
        raise PaymentFileInvalid(f"{exc}; nothing was applied", line=exc.line) from None


async def import_file(*, principal: Principal, data: bytes, filename: str = "") -> schemas.ImportResult:
    parsed = parse_file(data)
    sha256 = hashlib.sha256(data).hexdigest()
    identity = f"bgmax:{','.join(parsed.bankgiros)}:{parsed.written_at}:{'T' if parsed.test else 'P'}"
    key = uuid.uuid4().hex
    total = sum((p.signed_amount for p in parsed.payments), Decimal(0))
    result = schemas.ImportResult(file_id=0, duplicate=False, format="bgmax", total_amount=total)
    async with in_transaction():
        # Claim the file: a concurrent import of the same file blocks here until this one commits or rolls back.
        await PaymentFile.bulk_create(
            [
                PaymentFile(
                    format="bgmax",
                    sha256=sha256,
                    identity=identity,
                    import_key=key,
                    filename=filename[:200],
                    bankgiro=",".join(parsed.bankgiros)[:10],
                    written_at=parsed.written_at,
                    test_file=parsed.test,
                    total_amount=total,
                    imported_by=principal.name,
                )
            ],
            ignore_conflicts=True,
        )
        claimed = await PaymentFile.filter(sha256=sha256).first() or await PaymentFile.filter(identity=identity).first()
        if claimed is None or claimed.import_key != key:
            result.file_id = claimed.id if claimed else 0
            result.duplicate = True
            return result
        result.file_id = claimed.id
        for deposit in parsed.deposits:
            for payment in deposit.payments:
                await _apply(principal, claimed, deposit, payment, result)
        claimed.payments = result.payments
        claimed.duplicates = result.duplicate_payments
        await claimed.save(update_fields=["payments", "duplicates"])
        await audit_event(principal, "payment_file.imported", claimed, result.model_dump(mode="json"))
    return result


async def _apply(
    principal: Principal,
    file: PaymentFile,
    deposit: bgmax.BgMaxDeposit,
    payment: bgmax.BgMaxPayment,
    result: schemas.ImportResult,
) -> None:
    identity = f"bgmax:{deposit.bankgiro}:{deposit.payment_date:%Y%m%d}:{payment.bank_serial}"
    if await Payment.exists(identity=identity):
        result.duplicate_payments += 1
        return
    amount = payment.signed_amount
    reason = matching.needs_invoice(
        payment.reference, kind=payment.kind, extra_references=len(payment.extra_references)
    )
    invoice = None
    if reason is None:
        invoice = (
            await Invoice.filter(ocr=payment.reference, kind=InvoiceKind.invoice, status=InvoiceStatus.issued)
            .select_for_update()
            .first()
        )
    if invoice is not None and invoice.paid_at is not None:
        reason = "invoice_paid"  # marked paid (by hand, perhaps before payments were imported)
    elif (
        invoice is not None
        and invoice.issue_date is not None
        and not (invoice.issue_date <= deposit.payment_date <= business_today())
    ):
        reason = "payment_date_invalid"  # paid before the invoice existed: a wrong reference
    decision = (
        matching.Decision(apply=ZERO, remainder=amount, reason=reason)
        if reason is not None
        else matching.decide(amount, await balance_of(invoice) if invoice else None)
    )
    row = await Payment.create(
        file_id=file.id,
        identity=identity,
        payment_date=deposit.payment_date,
        amount=amount,
        unallocated=decision.remainder,
        reference=payment.reference[:35],
        reference_code=payment.reference_code,
        sender_bankgiro=payment.sender_bankgiro,
        payer_name=payment.payer_name[:200],
        payer_organisation_number=payment.payer_organisation_number,
        bank_serial=payment.bank_serial,
        invoice_id=invoice.id if invoice else None,
        state=PaymentState.needs_hands if decision.remainder else PaymentState.matched,
        reason=decision.reason,
    )
    result.payments += 1
    if decision.remainder:
        result.needs_hands += 1
    if invoice is not None and reason is None and decision.apply > 0:
        await record_payment(
            invoice,
            paid_on=deposit.payment_date,
            today=business_today(),
            actor=f"{principal.name} (payment file {file.id})",
            source=AllocationSource.ocr,
            amount=decision.apply,
            payment_id=row.id,
        )
        if invoice.paid_at is None:
            result.partial += 1
        else:
            result.matched += 1


# Reading ---------------------------------------------------------------------------------------------------


def file_read(row: PaymentFile) -> schemas.PaymentFileRead:
    return schemas.PaymentFileRead.model_validate(row, from_attributes=True)


async def list_payment_files(*, query: schemas.FileQuery) -> tuple[list[schemas.PaymentFileRead], str | None]:
    rows = PaymentFile.all()
    found, cursor = await keyset_page(rows, query.limit, query.cursor)
    return [file_read(r) for r in found], cursor


async def get_payment_file(*, file_id: int) -> schemas.PaymentFileRead:
    row = await PaymentFile.get_or_none(id=file_id)
    if row is None:
        raise PaymentFileNotFound(f"payment file {file_id} not found")
    return file_read(row)


async def payment_reads(rows: list[Payment]) -> list[schemas.PaymentRead]:
    numbers = (
        dict(await Invoice.filter(id__in={r.invoice_id for r in rows if r.invoice_id}).values_list("id", "number"))
        if rows
        else {}
    )
    return [read_model(schemas.PaymentRead, r, invoice_number=numbers.get(r.invoice_id)) for r in rows]


async def list_payments(*, query: schemas.PaymentQuery) -> tuple[list[schemas.PaymentRead], str | None]:
    rows = Payment.filter(**set_filters(query, "state", "file_id", "invoice_id"))
    found, cursor = await keyset_page(rows, query.limit, query.cursor)
    return await payment_reads(found), cursor


# Finance's hand work ------------------------------------------------------------------------------------------


async def _open_payment(payment_id: int) -> Payment:
    payment = await first_locked(Payment.filter(id=payment_id), PaymentNotFound(f"payment {payment_id} not found"))
    if payment.state != PaymentState.needs_hands or Decimal(payment.unallocated) <= 0:
        raise PaymentNotOpen(
            f"payment {payment_id} is {payment.state.value} with "
            f"{payment.unallocated} unapplied; nothing to assign or refund"
        )
    return payment


async def assign_payment(*, principal: Principal, payment_id: int, data: schemas.PaymentAssign) -> schemas.PaymentRead:
    """Apply (part of) an unmatched payment to an issued invoice chosen by finance."""
    async with in_transaction():
        payment = await _open_payment(payment_id)
        invoice = await first_locked(
            Invoice.filter(id=data.invoice_id), InvoiceNotFound(f"invoice {data.invoice_id} not found")
        )
        if invoice.kind != InvoiceKind.invoice or invoice.status != InvoiceStatus.issued:
            raise InvoiceNotReceivable(f"invoice {data.invoice_id} is not an issued invoice")
        unapplied = Decimal(payment.unallocated)
        wanted = min(data.amount, unapplied) if data.amount is not None else unapplied
        if (await balance_of(invoice)).open <= 0:
            raise InvoiceNotReceivable(f"{invoice.number} has nothing open")
        today = business_today()
        applied = await record_payment(
            invoice,
            paid_on=today,
            today=today,
            actor=principal.name,
            source=AllocationSource.assigned,
            amount=wanted,
            payment_id=payment.id,
        )
        payment.unallocated = unapplied - applied
        payment.invoice_id = payment.invoice_id or invoice.id
        if payment.unallocated <= 0:
            payment.state = PaymentState.matched
        await payment.save(update_fields=["unallocated", "invoice_id", "state"])
    return (await payment_reads([payment]))[0]


async def refund_payment(*, principal: Principal, payment_id: int, data: schemas.PaymentRefund) -> schemas.PaymentRead:
    """Note that the unapplied amount was paid back (or otherwise settled outside tripdesk)."""
    async with in_transaction():
        payment = await _open_payment(payment_id)
        payment.state = PaymentState.resolved
        payment.resolution_note = data.note
        payment.resolved_by = principal.name
        payment.resolved_at = dt.datetime.now(dt.UTC)
        payment.resolved_date = data.refund_date or business_today()
        await payment.save(update_fields=["state", "resolution_note", "resolved_by", "resolved_at", "resolved_date"])
        await audit_event(principal, "payment.refunded", payment, {"amount": payment.unallocated, "note": data.note})
    return (await payment_reads([payment]))[0]
