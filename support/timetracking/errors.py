"""Errors of time tracking, each with its HTTP status and stable code."""

from core.errors import Conflict, Forbidden, InvalidInput, NotFound


class TimeEntryNotFound(NotFound):
    code = "time_entry_not_found"


class TimerNotFound(NotFound):
    code = "timer_not_found"
    title = "No running timer"


class PeriodLockNotFound(NotFound):
    code = "period_lock_not_found"


class TicketNotLoggable(Conflict):
    """No time on this ticket (rejected, unofficial or not yet classified); the code says why."""

    code = "ticket_not_loggable"
    title = "No time can be logged on this ticket"


class EntryFrozen(Conflict):
    """An approved or invoiced entry is evidence for an invoice: it is not edited or deleted."""

    code = "time_entry_frozen"
    title = "The time entry can no longer be changed"


class PeriodLocked(Conflict):
    code = "period_locked"
    title = "The period is locked"


class PeriodAlreadyLocked(Conflict):
    code = "period_already_locked"


class TimerAlreadyRunning(Conflict):
    code = "timer_already_running"
    title = "A timer is already running"


class TimerTooLong(InvalidInput):
    code = "timer_too_long"
    title = "The timer ran for more than 24 hours"


class StaffRequired(InvalidInput):
    code = "staff_required"
    title = "A staff member is needed"


class NotApprover(Forbidden):
    code = "not_an_approver"
    title = "Only a lead or an admin approves time"


class WorkBeforeTicket(InvalidInput):
    code = "work_date_before_ticket"
    title = "Work cannot be dated before the ticket was created"
