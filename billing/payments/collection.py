"""An issued invoice's account (balance, allocations, reminders) and its dispute flag. A disputed invoice gets
no reminders until finance clears the flag."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from billing.audit_trail import audit_event
from billing.errors import InvoiceNotFound
from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.naming import read_model
from billing.payments import schemas
from billing.payments.balances import balance_of
from billing.payments.models import CollectionTerms, InvoiceCollection, PaymentAllocation
from core.auth import Principal
from core.locking import first_or
from support import audit
from support.errors import OrganisationNotFound
from support.models import Organisation


async def _issued_invoice(invoice_id: int, *, for_update: bool = False) -> Invoice:
    query = Invoice.filter(id=invoice_id, kind=InvoiceKind.invoice, status=InvoiceStatus.issued)
    return await first_or(query, InvoiceNotFound(f"issued invoice {invoice_id} not found"), for_update=for_update)


async def collection_of(invoice_id: int) -> InvoiceCollection:
    """The invoice's collection row, created on first use (concurrent creators: the unique key keeps one)."""
    found = await InvoiceCollection.filter(invoice_id=invoice_id).first()
    if found is None:
        await InvoiceCollection.bulk_create([InvoiceCollection(invoice_id=invoice_id)], ignore_conflicts=True)
        found = await InvoiceCollection.get(invoice_id=invoice_id)
    return found


async def account(invoice: Invoice) -> schemas.InvoiceAccount:
    """What the invoice was and is owed (its balance), and its collection state (none yet: not disputed, not
    reminded)."""
    balance = await balance_of(invoice)
    state = await InvoiceCollection.filter(invoice_id=invoice.id).first() or InvoiceCollection(invoice_id=invoice.id)
    allocations = await PaymentAllocation.filter(invoice_id=invoice.id).order_by("id")
    return read_model(
        schemas.InvoiceAccount,
        state,
        balance,
        invoice,
        allocations=[schemas.AllocationRead.model_validate(a, from_attributes=True) for a in allocations],
    )


async def invoice_account(*, invoice_id: int) -> schemas.InvoiceAccount:
    return await account(await _issued_invoice(invoice_id))


async def set_dispute(*, principal: Principal, invoice_id: int, data: schemas.DisputeSet) -> schemas.InvoiceAccount:
    async with in_transaction():
        invoice = await _issued_invoice(invoice_id, for_update=True)
        state = await collection_of(invoice.id)
        state.disputed = data.disputed
        state.dispute_reason = data.reason if data.disputed else None  # type: ignore[assignment]
        await state.save(update_fields=["disputed", "dispute_reason"])
        await audit_event(
            principal, "invoice.disputed" if data.disputed else "invoice.undisputed", invoice, {"reason": data.reason}
        )
    return await account(invoice)


async def _terms_read(organisation_id: int) -> schemas.CollectionTermsRead:
    if not await Organisation.exists(id=organisation_id):
        raise OrganisationNotFound(f"organisation {organisation_id} not found")
    terms = await CollectionTerms.filter(organisation_id=organisation_id).first()
    return schemas.CollectionTermsRead(
        organisation_id=organisation_id,
        reminder_fee_agreed=bool(terms and terms.reminder_fee_agreed),
        updated_by=terms.updated_by if terms else "",
    )


async def get_collection_terms(*, organisation_id: int) -> schemas.CollectionTermsRead:
    return await _terms_read(organisation_id)


async def set_collection_terms(
    *, principal: Principal, organisation_id: int, data: schemas.CollectionTermsSet
) -> schemas.CollectionTermsRead:
    """Record whether the organisation agreed to reminder fees; the next invoice runs charge them only then."""
    async with in_transaction():
        await _terms_read(organisation_id)
        await CollectionTerms.bulk_create([CollectionTerms(organisation_id=organisation_id)], ignore_conflicts=True)
        await CollectionTerms.filter(organisation_id=organisation_id).update(
            reminder_fee_agreed=data.reminder_fee_agreed, updated_by=principal.name
        )
        await audit.record(
            principal=principal,
            action="organisation.collection_terms_set",
            subject_type="organisation",
            subject_id=organisation_id,
            data={"reminder_fee_agreed": data.reminder_fee_agreed},
        )
    return await _terms_read(organisation_id)
