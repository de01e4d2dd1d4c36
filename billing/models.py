"""Billing tables: rate cards, prepaid hour packages and their drawdowns, cost ceilings, invoice runs, and
the invoice ledger (invoices and credit notes, their lines and the time entries behind each line).

Invariants carried by these rows (SPEC §2):
- Money columns have the digits billing/money.py defines (amount 2 dp, rate and hours 4 dp); values are
  validated in pydantic before they reach a DecimalField, which would silently round them.
- An invoice is a state machine: draft → issued, or draft → discarded. Issued rows are immutable (the
  service refuses updates); `number` is unique per series and handed out in the issuing transaction.
- `open_key` is set on a draft only ("org:period_start:period_end"); its unique index allows one open
  draft per organisation and period, whatever runs race.
- A credit-note line names the line it credits (`credited_line`, unique): a line is credited at most once.
- A drawdown ties prepaid hours to the time entry and invoice line that consumed them; a credit note
  releases it (`released_at`), a discarded draft deletes it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from core.records import CreatedRecord, Record
from support.models import belongs_to_organisation
from support.policy import Category


class InvoiceKind(StrEnum):
    invoice = "invoice"
    credit_note = "credit_note"


class InvoiceStatus(StrEnum):
    draft = "draft"
    issued = "issued"
    discarded = "discarded"


class CeilingKind(StrEnum):
    hours = "hours"
    amount = "amount"


class PriceList(CreatedRecord):
    """What a rate card and a licence price list share: a name, a validity (inclusive; `valid_until_date` null:
    open-ended) and who made it."""

    name = fields.CharField(max_length=200)
    valid_from_date = fields.DateField()
    valid_until_date = fields.DateField(null=True)
    created_by = fields.CharField(max_length=200, default="")

    class Meta:
        abstract = True


class RateCard(PriceList):
    """Hourly rates ex VAT per category, valid from–until (inclusive, open-ended when until is null).
    `organisation` null is the default card; an organisation's agreement overrides it while valid."""

    organisation: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "support.Organisation", related_name="rate_cards", null=True, on_delete=fields.RESTRICT
    )
    organisation_id: int | None

    rates: fields.ReverseRelation[RateCardRate]

    class Meta:
        indexes = (("organisation_id", "valid_from_date"),)


class RateCardRate(Record):
    """The hourly rate ex VAT of one category on a rate card (one row per card and category), created with its card
    and never changed (only the card's end of validity may change). The card prices no category without a row."""

    card = fields.ForeignKeyField(RateCard, related_name="rates", on_delete=fields.CASCADE)
    card_id: int
    category = fields.CharEnumField(Category, max_length=20)
    hourly_rate = fields.DecimalField(max_digits=12, decimal_places=4)

    class Meta:
        unique_together = (("card", "category"),)


class PrepaidPackage(CreatedRecord):
    """Consulting hours an organisation bought (klippkort), usable for work dated in its validity."""

    organisation = belongs_to_organisation("prepaid_packages")
    organisation_id: int
    name = fields.CharField(max_length=200)
    hours = fields.DecimalField(max_digits=10, decimal_places=4)
    valid_from_date = fields.DateField()
    valid_until_date = fields.DateField()
    created_by = fields.CharField(max_length=200, default="")

    class Meta:
        indexes = (("organisation_id", "valid_until_date"),)


class CostCeiling(Record):
    """The integrator's limit on a billable ticket. Time beyond it is held from invoicing until approved."""

    ticket: fields.OneToOneRelation = fields.OneToOneField(
        "support.Ticket", related_name="cost_ceiling", on_delete=fields.CASCADE
    )
    ticket_id: int
    kind = fields.CharEnumField(CeilingKind, max_length=10)
    limit_value = fields.DecimalField(max_digits=14, decimal_places=4)
    revision = fields.IntField(default=1)
    set_by = fields.CharField(max_length=200)
    set_by_token_id = fields.IntField(null=True)
    set_at = fields.DatetimeField()
    approved_at = fields.DatetimeField(null=True)
    approved_by = fields.CharField(max_length=200, null=True)
    approved_by_token_id = fields.IntField(null=True)
    notified_revision = fields.IntField(null=True)


class RunStatus(StrEnum):
    running = "running"
    finished = "finished"
    abandoned = "abandoned"  # its process stopped (killed, crashed) before it finished


class InvoiceRun(Record):
    """A run's counts are written in the transaction of each draft it makes, so they are true whenever the
    process stops; `heartbeat_at` moves with every organisation. A run whose heartbeat is older than
    run_state.STALE_AFTER is reported `abandoned`, and the next run marks it so for good."""

    period_start_date = fields.DateField()
    period_end_date = fields.DateField()
    started_by = fields.CharField(max_length=200)
    started_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    status = fields.CharEnumField(
        RunStatus, max_length=10, default=RunStatus.running, db_default=RunStatus.finished.value
    )
    heartbeat_at = fields.DatetimeField(null=True)
    organisations_considered = fields.IntField(default=0)
    organisations_done = fields.IntField(default=0, db_default=0)
    invoices_created = fields.IntField(default=0)
    skipped: list[dict[str, Any]] = fields.JSONField(default=list)


class Invoice(CreatedRecord):
    """An invoice or a credit note (`kind`). An invoice run creates an invoice as a draft, the only state that may be
    edited (note, reference) or discarded. Issuing numbers it and freezes `snapshot`, after which only `paid_at` and
    `paid_by` are set, when payments settle it. A credit note `corrects` an issued invoice and is issued at once."""

    kind = fields.CharEnumField(InvoiceKind, max_length=12, default=InvoiceKind.invoice)
    status = fields.CharEnumField(InvoiceStatus, max_length=10, default=InvoiceStatus.draft)
    organisation = belongs_to_organisation("invoices")
    organisation_id: int
    run = fields.ForeignKeyField(InvoiceRun, related_name="invoices", null=True, on_delete=fields.SET_NULL)
    run_id: int | None
    corrects: fields.ForeignKeyNullableRelation[Invoice] = fields.ForeignKeyField(
        "billing.Invoice", related_name="credit_notes", null=True, on_delete=fields.RESTRICT
    )
    corrects_id: int | None
    period_start_date = fields.DateField()
    period_end_date = fields.DateField()
    open_key = fields.CharField(max_length=64, null=True, unique=True)
    number = fields.CharField(max_length=32, null=True, unique=True)
    ocr = fields.CharField(max_length=25, null=True)
    issue_date = fields.DateField(null=True)
    due_date = fields.DateField(null=True)
    currency = fields.CharField(max_length=3, default="SEK")
    reverse_charge = fields.BooleanField(default=False)
    net_amount = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    vat_amount = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    gross_amount = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    note = fields.TextField(null=True)
    your_reference = fields.CharField(max_length=200, null=True)
    reason = fields.TextField(null=True)
    snapshot: dict[str, Any] | None = fields.JSONField(null=True)
    created_by = fields.CharField(max_length=200, default="")
    issued_at = fields.DatetimeField(null=True)
    issued_by = fields.CharField(max_length=200, null=True)
    discarded_at = fields.DatetimeField(null=True)
    paid_at = fields.DatetimeField(null=True)
    paid_by = fields.CharField(max_length=200, null=True)

    lines: fields.ReverseRelation[InvoiceLine]

    class Meta:
        indexes = (("organisation_id", "id"), ("status", "id"), ("period_start_date", "period_end_date"))


class InvoiceLine(Record):
    """One line per (ticket, category, rate), or per subscription charge. `quantity` is the hours invoiced at
    `unit_price` (after prepaid hours were drawn); `total_hours` = quantity + prepaid_hours is all billable
    time behind the line."""

    invoice = fields.ForeignKeyField(Invoice, related_name="lines", on_delete=fields.CASCADE)
    invoice_id: int
    line_no = fields.IntField()
    # A subscription line (billing/subscriptions/charges.py) has no ticket and no category: its
    # `ticket_number` is the licence reference and its specification is the period, not time entries.
    ticket: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "support.Ticket", related_name="invoice_lines", null=True, on_delete=fields.RESTRICT
    )
    ticket_id: int | None
    ticket_number = fields.CharField(max_length=32)
    description = fields.CharField(max_length=300)
    category = fields.CharEnumField(Category, max_length=20, null=True)
    unit = fields.CharField(max_length=3, default="HUR", db_default="HUR")  # UN/ECE rec 20
    rate_card_name = fields.CharField(max_length=300, default="")
    quantity = fields.DecimalField(max_digits=10, decimal_places=4)
    total_hours = fields.DecimalField(max_digits=10, decimal_places=4)
    prepaid_hours = fields.DecimalField(max_digits=10, decimal_places=4, default=0)
    unit_price = fields.DecimalField(max_digits=12, decimal_places=4)
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    vat_category = fields.CharField(max_length=2, default="S")
    vat_rate = fields.DecimalField(max_digits=5, decimal_places=2)
    # A late-payment charge (billing/payments/late_charges.py): "late_interest" or "reminder_fee", else null.
    charge = fields.CharField(max_length=20, null=True)
    credited_line: fields.ForeignKeyNullableRelation[InvoiceLine] = fields.ForeignKeyField(
        "billing.InvoiceLine", related_name="credits", null=True, unique=True, on_delete=fields.RESTRICT
    )
    credited_line_id: int | None

    class Meta:
        unique_together = (("invoice", "line_no"),)


class LineCharge(CreatedRecord):
    """Something charged on line `line_no` of a draft `invoice` (a subscription period, a late-payment charge),
    written with its line in the drafting transaction (billing/invoice_lines.py `store_time_free_lines`); while
    it exists the same thing is not charged again. Discarding the draft deletes it. Each kind declares its
    `invoice` with `carried_on`, under a reverse name of its own."""

    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    invoice: fields.ForeignKeyRelation[Invoice]
    invoice_id: int
    line_no = fields.IntField()

    class Meta:
        abstract = True


def carried_on(related_name: str) -> fields.ForeignKeyRelation[Invoice]:
    """The invoice a `LineCharge` is carried on; the charge goes with the invoice's row."""
    return fields.ForeignKeyField("billing.Invoice", related_name=related_name, on_delete=fields.CASCADE)


class InvoiceLineEntry(Record):
    """A time entry behind an invoice line, as billed (denormalised so the draft preview and the frozen
    time specification need no joins, and stay true after a credit note releases the entry)."""

    line = fields.ForeignKeyField(InvoiceLine, related_name="entries", on_delete=fields.CASCADE)
    line_id: int
    invoice_id = fields.IntField()
    time_entry_id = fields.IntField()
    work_date = fields.DateField()
    staff_name = fields.CharField(max_length=200)
    minutes = fields.IntField()
    hours = fields.DecimalField(max_digits=10, decimal_places=4)
    prepaid_hours = fields.DecimalField(max_digits=10, decimal_places=4, default=0)
    description = fields.TextField()
    category = fields.CharEnumField(Category, max_length=20)
    rate_card_id = fields.IntField(null=True)

    class Meta:
        indexes = (("invoice_id",), ("time_entry_id",), ("rate_card_id",))


class PrepaidDrawdown(CreatedRecord):
    """Prepaid hours of `package` used by one time entry on line `line_no` of `invoice`, written by the invoice run
    with the draft. Discarding the draft deletes the row, a credit note sets `released_at`, and the hours return to
    the package: its remaining hours are its hours less its unreleased drawdowns."""

    package = fields.ForeignKeyField(PrepaidPackage, related_name="drawdowns", on_delete=fields.RESTRICT)
    package_id: int
    invoice = fields.ForeignKeyField(Invoice, related_name="drawdowns", on_delete=fields.CASCADE)
    invoice_id: int
    line_no = fields.IntField()
    time_entry_id = fields.IntField()
    hours = fields.DecimalField(max_digits=10, decimal_places=4)
    released_at = fields.DatetimeField(null=True)
    released_by_invoice_id = fields.IntField(null=True)

    class Meta:
        indexes = (("package_id", "released_at"), ("time_entry_id",))
