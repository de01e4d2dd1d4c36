"""Time tracking use cases: time entries on tickets, personal timers, approval and period locks.

Business rules enforced here (SPEC §1–2):
- An entry keeps the ticket's category at the moment it is logged and whether that category made the time
  billable (`support.policy.is_billable`, with the extension decision). Reclassifying a ticket, or the defect
  outcome `not_a_defect`, never touches past entries; new entries simply take the ticket's current category.
  The ticket row is locked while the entry is written, so a concurrent reclassification is either wholly
  before or wholly after it. The category of an entry cannot be edited.
- No time on a rejected ticket, nor on an `unofficial` one (no assistance is given). No time on a ticket
  whose category is not settled: unclassified, or an automatic suggestion below the confidence threshold
  (`needs_triage`) — classify first. Logging it as "not billable" instead would silently give work away
  or, once staff confirm a billable category, leave earlier time under a category no one agreed to.
- An approved (`approved_at`) or invoiced (`invoice_id`) entry is never edited or deleted; an invoiced
  entry cannot be unapproved. Approval is by a lead (`Staff.is_lead`) or an admin; approving many entries
  is all-or-nothing and idempotent.
- A locked month (`PeriodLock`) accepts no new, edited or deleted time dated inside it.
- One running timer per staff member (the unique constraint on `Timer.staff` makes this race-safe).
  Stopping writes the entry and deletes the timer in one transaction; the work date is the day the timer
  started (business time zone); more than 24 h is refused — discard it and log the time by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.auth import Principal, Role
from core.errors import Forbidden, InvalidInput
from core.http import validation_errors
from core.locking import first_locked
from core.pagination import keyset_page, set_filters
from support import access, audit
from support.errors import InvalidReference, TicketNotFound
from support.models import Staff, Ticket
from support.policy import Category, ExtensionDecision, is_billable
from support.tickets.service import get_ticket
from support.timetracking import schemas
from support.timetracking.errors import (
    EntryFrozen,
    NotApprover,
    PeriodAlreadyLocked,
    PeriodLockNotFound,
    StaffRequired,
    TimeEntryNotFound,
)
from support.timetracking.models import PeriodLock, TimeEntry
from support.timetracking.rules import ensure_loggable, ensure_not_before_ticket, ensure_open_period

LOGGERS = (Role.admin, Role.support)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Rules -----------------------------------------------------------------------------------------------


def _ensure_mutable(entry: TimeEntry) -> None:
    if entry.invoice_id is not None:
        raise EntryFrozen(f"time entry {entry.id} is on invoice {entry.invoice_id}", code="time_entry_invoiced")
    if entry.approved_at is not None:
        raise EntryFrozen(
            f"time entry {entry.id} is approved; ask a lead to unapprove it first", code="time_entry_approved"
        )


def _ensure_may_change(principal: Principal, entry: TimeEntry) -> None:
    """A support token bound to a staff member changes only that member's time; admins and shared
    support tokens (no staff member) may change anyone's."""
    if principal.role is Role.support and principal.staff_id is not None and entry.staff_id != principal.staff_id:  # type: ignore[attr-defined]
        raise Forbidden("a support token may change only its own staff member's time")


async def ensure_active_staff(staff_id: int) -> None:
    if not await Staff.exists(id=staff_id, active=True):
        raise InvalidReference(f"staff {staff_id} does not exist or is inactive")


async def _staff_for(principal: Principal, requested: int | None) -> int:
    """Who worked: the token's staff member; an admin may name anyone; a support token without a staff
    member must name one; a support token with one cannot log for someone else."""
    if principal.role not in LOGGERS:
        raise Forbidden("only admin and support log time")
    if principal.role is Role.admin:
        staff_id = requested if requested is not None else principal.staff_id
    elif principal.staff_id is not None:
        if requested not in (None, principal.staff_id):
            raise Forbidden("a support token logs time for its own staff member only")
        staff_id = principal.staff_id
    else:
        staff_id = requested
    if staff_id is None:
        raise StaffRequired(
            "this token has no staff member: name the staff_id who did the work",
            errors=[{"loc": "staff_id", "msg": "required for this token", "type": "missing"}],
        )
    await ensure_active_staff(staff_id)
    return staff_id


async def _approver(principal: Principal) -> int | None:
    """The approving staff member (None for an admin token without one). Leads and admins approve."""
    if principal.role is Role.admin:
        return principal.staff_id
    if principal.staff_id is None or not await Staff.exists(id=principal.staff_id, is_lead=True, active=True):
        raise NotApprover("only a lead or an admin approves time entries")
    return principal.staff_id


def _billable(ticket: Ticket) -> tuple[Category, bool]:
    category = Category(ticket.category)
    decision = ExtensionDecision(ticket.extension_decision) if ticket.extension_decision else None
    return category, is_billable(category, extension_decision=decision)


async def create_entry(
    *, ticket: Ticket, staff_id: int, work: schemas.Work, token_id: int | None, trusted: bool = False
) -> TimeEntry:
    """Call inside a transaction holding the ticket row lock. `trusted`: the demo seed, whose tickets are
    created at seeding while its time is dated last month."""
    ensure_loggable(ticket)
    if not trusted:
        ensure_not_before_ticket(ticket, work.work_date)
    await ensure_open_period(work.work_date)
    category, billable = _billable(ticket)
    done = work.model_dump(include=WORK_FIELDS)  # an API request's work also names the staff member
    return await TimeEntry.create(
        ticket_id=ticket.id,
        staff_id=staff_id,
        **done,
        category=category,
        billable=billable,
        created_by_token_id=token_id,
    )


WORK_FIELDS: set[str] = set(schemas.Work.model_fields)


# Time entries ----------------------------------------------------------------------------------------


async def log_time(*, principal: Principal, ticket_id: int, data: schemas.TimeEntryCreate) -> TimeEntry:
    """Log time on a ticket under its current category (snapshotted on the entry)."""
    staff_id = await _staff_for(principal, data.staff_id)
    async with in_transaction():
        ticket = await get_ticket(principal=principal, ticket_id=ticket_id, for_update=True)
        return await create_entry(ticket=ticket, staff_id=staff_id, work=data, token_id=principal.token_id)


async def log_time_for_staff(
    *, staff_id: int, ticket_id: int, work_date: dt.date, minutes: int, description: str, approve_by: int | None = None
) -> TimeEntry:
    """For trusted callers without a principal (the demo seed). Skips only the future/age checks on the work
    date and the ticket's creation day; the ticket rules (rejected, unofficial, unclassified), locked periods,
    minutes and description still apply. `approve_by` approves the entry at once by that lead."""
    try:
        work = schemas.Work(work_date=work_date, minutes=minutes, description=description)
    except ValidationError as exc:
        raise InvalidInput("the work does not match the schema", errors=validation_errors(exc)) from None
    await ensure_active_staff(staff_id)
    if approve_by is not None and not await Staff.exists(id=approve_by, is_lead=True, active=True):
        raise InvalidReference(f"staff {approve_by} is not an active lead and cannot approve time")
    async with in_transaction():
        ticket = await first_locked(Ticket.filter(id=ticket_id), TicketNotFound(f"ticket {ticket_id} not found"))
        entry = await create_entry(ticket=ticket, staff_id=staff_id, work=work, token_id=None, trusted=True)
        if approve_by is not None:
            await _save_approval(entry, None, now_utc(), approve_by, approved_by_staff_id=approve_by, via="seed")
    return entry


async def list_ticket_entries(*, principal: Principal, ticket_id: int) -> list[TimeEntry]:
    """A ticket's time, oldest work first. Integrators may read their own tickets' time: it is what they
    are (or are not) billed for, and the same facts appear on the invoice's time specification."""
    ticket = await get_ticket(principal=principal, ticket_id=ticket_id)
    return await TimeEntry.filter(ticket_id=ticket.id).order_by("work_date", "id")


async def get_entry(*, principal: Principal, entry_id: int) -> TimeEntry:
    entry = await TimeEntry.filter(access.visible_time_entries(principal), id=entry_id).first()
    if entry is None:
        raise TimeEntryNotFound(f"time entry {entry_id} not found")
    return entry


async def list_entries(*, principal: Principal, query: schemas.TimeEntryQuery) -> tuple[list[TimeEntry], str | None]:
    """Staff's cross-ticket view, newest first (keyset on id)."""
    rows = TimeEntry.all()
    filters = set_filters(query, "staff_id", "ticket_id", "billable", "category")
    if query.organisation_id is not None:
        filters["ticket__bill_to_id"] = query.organisation_id
    if query.work_date_from is not None:
        filters["work_date__gte"] = query.work_date_from
    if query.work_date_to is not None:
        filters["work_date__lte"] = query.work_date_to
    if query.approved is not None:
        filters["approved_at__isnull"] = not query.approved
    if query.invoiced is not None:
        filters["invoice_id__isnull"] = not query.invoiced
    return await keyset_page(rows.filter(**filters), query.limit, query.cursor)


async def _locked_changeable(principal: Principal, entry_id: int) -> TimeEntry:
    """The entry, locked for the caller's transaction, once the principal may change it and it is neither
    approved nor invoiced."""
    entry = await first_locked(TimeEntry.filter(id=entry_id), TimeEntryNotFound(f"time entry {entry_id} not found"))
    _ensure_may_change(principal, entry)
    _ensure_mutable(entry)
    return entry


async def update_entry(*, principal: Principal, entry_id: int, data: schemas.TimeEntryUpdate) -> TimeEntry:
    changes = data.model_dump(exclude_unset=True)
    async with in_transaction():
        entry = await _locked_changeable(principal, entry_id)
        await ensure_open_period(entry.work_date, changes.get("work_date", entry.work_date))
        if "work_date" in changes:
            ticket = await Ticket.get(id=entry.ticket_id)  # type: ignore[attr-defined]
            ensure_not_before_ticket(ticket, changes["work_date"])
        for key, value in changes.items():
            setattr(entry, key, value)
        if changes:
            await entry.save(update_fields=[*changes, "updated_at"])
    return entry


async def delete_entry(*, principal: Principal, entry_id: int) -> None:
    async with in_transaction():
        entry = await _locked_changeable(principal, entry_id)
        await ensure_open_period(entry.work_date)
        await TimeEntry.filter(id=entry.id, approved_at__isnull=True, invoice_id__isnull=True).delete()


async def approve_entries(*, principal: Principal, ids: list[int]) -> tuple[list[TimeEntry], int]:
    """All or nothing: an unknown id fails the whole request. Entries already approved stay as they were
    (first approver and time kept). Returns the entries and how many were newly approved."""
    approver = await _approver(principal)
    wanted = sorted(set(ids))
    async with in_transaction():
        rows = await TimeEntry.filter(id__in=wanted).select_for_update().order_by("id")
        missing = sorted(set(wanted) - {row.id for row in rows})
        if missing:
            raise TimeEntryNotFound(
                f"time entries not found: {', '.join(map(str, missing))}; nothing approved", missing=missing
            )
        pending = [row.id for row in rows if row.approved_at is None]
        if pending:
            await TimeEntry.filter(id__in=pending, approved_at__isnull=True).update(
                approved_at=now_utc(), approved_by_id=approver, updated_at=now_utc()
            )
            await audit.record(
                principal=principal,
                action="time_entries.approved",
                subject_type="time_entry",
                subject_id=None,
                data={"ids": pending},
            )
        rows = await TimeEntry.filter(id__in=wanted).order_by("id")
    return rows, len(pending)


async def _save_approval(
    entry: TimeEntry,
    principal: Principal | None,
    approved_at: dt.datetime | None,
    approved_by: int | None,
    **audited: Any,
) -> None:
    """One entry approved (`approved_at`, by a lead) or its approval taken back (None), with its audit record
    (`audited` its data)."""
    entry.approved_at, entry.approved_by_id = approved_at, approved_by
    await entry.save(update_fields=["approved_at", "approved_by_id", "updated_at"])
    action = "time_entries.unapproved" if approved_at is None else "time_entries.approved"
    await audit.record(
        principal=principal, action=action, subject_type="time_entry", subject_id=entry.id, data=audited or None
    )


async def unapprove_entry(*, principal: Principal, entry_id: int) -> TimeEntry:
    """Takes back an approval so the entry can be corrected; not once it is on an invoice."""
    await _approver(principal)
    async with in_transaction():
        entry = await first_locked(TimeEntry.filter(id=entry_id), TimeEntryNotFound(f"time entry {entry_id} not found"))
        if entry.invoice_id is not None:
            raise EntryFrozen(
                f"time entry {entry.id} is on invoice {entry.invoice_id}; it stays approved", code="time_entry_invoiced"
            )
        if entry.approved_at is not None:
            await _save_approval(entry, principal, None, None)
    return entry


# Timers ----------------------------------------------------------------------------------------------


# Period locks ----------------------------------------------------------------------------------------


def month_start(month: str) -> dt.date:
    year, _, number = month.partition("-")
    return dt.date(int(year), int(number), 1)


async def lock_period(*, principal: Principal, month: str) -> PeriodLock:
    start = month_start(month)
    if await PeriodLock.exists(month_start_date=start):
        raise PeriodAlreadyLocked(f"{month} is already locked")
    try:
        async with in_transaction():
            return await PeriodLock.create(month_start_date=start, locked_by=principal.name)
    except IntegrityError:
        raise PeriodAlreadyLocked(f"{month} is already locked") from None


async def list_period_locks() -> list[PeriodLock]:
    return await PeriodLock.all().order_by("-month_start_date")


async def unlock_period(*, month: str) -> None:
    if await PeriodLock.filter(month_start_date=month_start(month)).delete() == 0:
        raise PeriodLockNotFound(f"{month} is not locked")
