"""Payment tables: imported bank files, the payments in them, what each payment settled, and per-invoice
collection state (dispute, reminders).

Invariants:
- A file is imported once: `sha256` is unique, and so is `identity` (the bank's own description of the file:
  format, bankgiro, write time, test flag), so the same content sent again byte-for-byte or re-encoded is
  refused as a duplicate. The row is inserted first in the importing transaction; a racing import of the same
  file waits on the unique index and then finds it taken.
- A payment is recorded once: `identity` (bankgiro, payment date, the bank's serial number) is unique across
  files, so a payment repeated in a later file is skipped, not applied twice.
- `PaymentAllocation` rows are the only record of money applied to an invoice (from a payment, or by hand
  with mark-paid); an invoice's paid amount is their sum, its open balance gross - credited - paid.
- A payment's `unallocated` is what it brought in beyond its allocations; while it is above zero and the
  payment is not resolved (refund noted), the payment is on finance's list.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from billing.models import Invoice, LineCharge, carried_on
from core.records import CreatedRecord, Record


class PaymentState(StrEnum):
    matched = "matched"  # fully applied to invoices
    needs_hands = "needs_hands"  # some or all of it is unapplied: finance assigns or refunds it
    resolved = "resolved"  # finance noted a refund (or other settlement outside tripdesk)


class AllocationSource(StrEnum):
    ocr = "ocr"  # matched by OCR at import
    assigned = "assigned"  # finance assigned an unmatched payment
    manual = "manual"  # mark-paid by hand, no bank payment behind it in tripdesk


class PaymentFile(Record):
    """One imported bank file (BgMax), claimed by its unique `sha256` and `identity` so that it is applied once, with
    all its payments, in the importing transaction. `payments` counts the payments it recorded, `duplicates` those
    skipped as already recorded."""

    format = fields.CharField(max_length=10)
    sha256 = fields.CharField(max_length=64, unique=True)
    identity = fields.CharField(max_length=120, unique=True)
    import_key = fields.CharField(max_length=32)
    filename = fields.CharField(max_length=200, default="")
    bankgiro = fields.CharField(max_length=10, default="")
    written_at = fields.CharField(max_length=20, default="")
    test_file = fields.BooleanField(default=False)
    payments = fields.IntField(default=0)
    duplicates = fields.IntField(default=0)
    total_amount = fields.DecimalField(max_digits=16, decimal_places=2, default=0)
    imported_by = fields.CharField(max_length=200)
    imported_at = fields.DatetimeField(auto_now_add=True)


class Payment(CreatedRecord):
    """One payment in an imported file, recorded once (`identity`). At import it is applied, by its OCR reference, to
    an issued invoice up to the open balance. What is left is `unallocated` (needs_hands) until finance assigns it to
    an invoice or notes a refund (resolved). `amount` is never changed."""

    file = fields.ForeignKeyField(PaymentFile, related_name="payment_rows", on_delete=fields.RESTRICT)
    file_id: int
    identity = fields.CharField(max_length=120, unique=True)
    payment_date = fields.DateField()
    amount = fields.DecimalField(max_digits=16, decimal_places=2)
    unallocated = fields.DecimalField(max_digits=16, decimal_places=2, default=0)
    reference = fields.CharField(max_length=35, default="")
    reference_code = fields.CharField(max_length=1, default="")
    sender_bankgiro = fields.CharField(max_length=10, default="")
    payer_name = fields.CharField(max_length=200, default="")
    payer_organisation_number = fields.CharField(max_length=12, default="")
    bank_serial = fields.CharField(max_length=12, default="")
    invoice = fields.ForeignKeyField(Invoice, related_name="payments", null=True, on_delete=fields.RESTRICT)
    invoice_id: int | None
    state = fields.CharEnumField(PaymentState, max_length=12)
    reason = fields.CharField(max_length=40, null=True)
    resolution_note = fields.TextField(null=True)
    resolved_by = fields.CharField(max_length=200, null=True)
    resolved_at = fields.DatetimeField(null=True)
    resolved_date = fields.DateField(null=True)

    class Meta:
        indexes = (("state", "id"), ("payment_date",))


class PaymentAllocation(CreatedRecord):
    """An amount applied to one issued invoice, from a payment or by hand with mark-paid (`payment` null). Written
    only by the ledger's `record_payment`, never above the open balance, and never changed: an invoice's paid amount
    is the sum of its allocations."""

    invoice = fields.ForeignKeyField(Invoice, related_name="allocations", on_delete=fields.RESTRICT)
    invoice_id: int
    payment = fields.ForeignKeyField(Payment, related_name="allocations", null=True, on_delete=fields.RESTRICT)
    payment_id: int | None
    amount = fields.DecimalField(max_digits=16, decimal_places=2)
    source = fields.CharEnumField(AllocationSource, max_length=10)
    booked_date = fields.DateField()
    created_by = fields.CharField(max_length=200)

    class Meta:
        indexes = (("invoice_id",), ("booked_date",))


class InvoiceCollection(Record):
    """Collection state of an issued invoice: disputed or not, and the reminders sent so far."""

    invoice = fields.OneToOneField(Invoice, related_name="collection", on_delete=fields.RESTRICT)
    invoice_id: int
    disputed = fields.BooleanField(default=False)
    dispute_reason = fields.TextField(null=True)
    reminders_sent = fields.IntField(default=0)
    last_reminder_date = fields.DateField(null=True)


class LateChargeKind(StrEnum):
    late_interest = "late_interest"  # räntelagen 6 §: reference rate + 8 percentage points
    reminder_fee = "reminder_fee"  # per reminder sent, where the organisation agreed to it


class LateCharge(LineCharge):
    """What was charged, once, for paying `late_invoice` late: interest for the days `from`–`until` (seq counts
    the interest charges of that invoice), or the fee of reminder number seq. Charged on a line of
    `invoice`, a draft of the same organisation."""

    late_invoice = fields.ForeignKeyField(Invoice, related_name="late_charges", on_delete=fields.RESTRICT)
    late_invoice_id: int
    kind = fields.CharEnumField(LateChargeKind, max_length=20)
    seq = fields.IntField()
    from_date = fields.DateField(null=True)
    until_date = fields.DateField(null=True)
    rate = fields.DecimalField(max_digits=6, decimal_places=2, null=True)
    invoice = carried_on("carried_late_charges")

    class Meta:
        unique_together = (("late_invoice", "kind", "seq"),)
        indexes = (("invoice_id",),)


class CollectionTerms(Record):
    """An organisation's agreed collection terms: whether it agreed in advance to pay a reminder fee (the law
    allows the fee only where agreed)."""

    organisation: fields.OneToOneRelation = fields.OneToOneField(
        "support.Organisation", related_name="collection_terms", on_delete=fields.RESTRICT
    )
    organisation_id: int
    reminder_fee_agreed = fields.BooleanField(default=False)
    updated_by = fields.CharField(max_length=200, default="")
    updated_at = fields.DatetimeField(auto_now=True)
