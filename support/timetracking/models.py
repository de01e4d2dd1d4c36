"""Time worked on tickets, running timers and locked periods.

Business rules carried by these rows:
- A time entry keeps the ticket's category in force when the work was done, and whether that category
  made it billable (SPEC §1). Reclassifying a ticket never changes past entries.
- `invoice_id` is set by billing when the entry is put on an invoice (draft or issued) and cleared when a
  draft is discarded or a credit note releases it; while it is set, the entry is not invoiced again.
  It is a plain integer (not a foreign key) because support sits below billing.
- An approved or invoiced entry cannot be edited or deleted.
"""

from __future__ import annotations

from tortoise import fields

from core.records import CreatedRecord, Record
from support.models import Staff, Ticket
from support.policy import Category


class TimeEntry(CreatedRecord):
    """Minutes a staff member worked on a ticket on `work_date`, with the ticket's category then and whether it was
    billable. Once approved (`approved_at`) or invoiced (`invoice_id`) it is never edited or deleted."""

    ticket = fields.ForeignKeyField(Ticket, related_name="time_entries", on_delete=fields.RESTRICT)
    staff = fields.ForeignKeyField(Staff, related_name="time_entries", on_delete=fields.RESTRICT)
    work_date = fields.DateField()
    minutes = fields.IntField()
    description = fields.TextField()
    category = fields.CharEnumField(Category, max_length=20)
    billable = fields.BooleanField()
    approved_at = fields.DatetimeField(null=True)
    approved_by = fields.ForeignKeyField(
        Staff, related_name="approved_time_entries", null=True, on_delete=fields.RESTRICT
    )
    approved_by_id: int | None
    invoice_id = fields.IntField(null=True)
    created_by_token_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        indexes = (("work_date", "billable"), ("ticket_id", "work_date"), ("invoice_id",), ("staff_id", "work_date"))


class Timer(Record):
    """A running timer, one per staff member. Stopping it creates a time entry.

    One per staff member is enforced by the database (`unique_together` below: Tortoise ignores
    `unique=True` on a ForeignKeyField), so concurrent starts cannot both succeed."""

    staff = fields.ForeignKeyField(Staff, related_name="timers", on_delete=fields.CASCADE)
    ticket = fields.ForeignKeyField(Ticket, related_name="timers", on_delete=fields.CASCADE)
    description = fields.TextField(default="")
    started_at = fields.DatetimeField()

    class Meta:
        unique_together = (("staff",),)


class PeriodLock(Record):
    """A locked month: no one may log, edit or delete time dated inside it."""

    month_start_date = fields.DateField(unique=True)
    locked_by = fields.CharField(max_length=200)
    locked_at = fields.DatetimeField(auto_now_add=True)
