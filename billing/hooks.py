"""What billing plugs into, and what plugs into billing, wired by the composition root.

- Issue hooks: `fn(invoice, snapshot)` is awaited inside the issuing transaction of every invoice and
  credit note, in registration order (document rendering, the invoice email). A hook that raises rolls
  the whole issue back: no number is used, nothing is stored, the draft stays a draft.
- `install()` registers billing's services with lower packages (support's email rate quoter, which answers
  with the rate already written in the reader's language: support does not format money).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from billing.models import Invoice
    from billing.snapshot import InvoiceSnapshot
    from support.policy import Category

log = logging.getLogger("tripdesk.billing")

IssueHook = Callable[["Invoice", "InvoiceSnapshot"], Awaitable[None]]
_issue_hooks: list[IssueHook] = []


def register_issue_hook(fn: IssueHook) -> None:
    if fn not in _issue_hooks:
        _issue_hooks.append(fn)


def unregister_issue_hook(fn: IssueHook) -> None:
    if fn in _issue_hooks:
        _issue_hooks.remove(fn)


def issue_hooks() -> tuple[IssueHook, ...]:
    return tuple(_issue_hooks)


async def run_issue_hooks(invoice: Invoice, snapshot: InvoiceSnapshot) -> None:
    for hook in tuple(_issue_hooks):
        await hook(invoice, snapshot)


def install() -> None:
    """Register billing with the packages below it. Safe to call more than once."""
    from billing.money import format_amount
    from billing.rates import quote_rate

    async def quote_rate_text(organisation_id: int, category: Category, language: str) -> tuple[str, str] | None:
        quote = await quote_rate(organisation_id, category)
        return None if quote is None else (format_amount(quote[0], language), quote[1])

    try:
        from support import notify
    except ImportError:  # pragma: no cover - support is always there
        return
    set_rate_quoter = getattr(notify, "set_rate_quoter", None)
    if set_rate_quoter is None:
        log.info("support.notify.set_rate_quoter does not exist yet; classification emails quote no rate")
        return
    set_rate_quoter(quote_rate_text)


# Reminders: `fn(invoice, step, facts)` queues the reminder email (with the invoice PDF) in the caller's
# transaction and says whether it was queued; the invoices package registers it (it owns the documents).
ReminderSender = Callable[["Invoice", int, dict[str, str]], Awaitable[bool]]
_reminder_senders: list[ReminderSender] = []


def register_reminder_sender(fn: ReminderSender) -> None:
    _reminder_senders[:] = [fn]


def reminder_sender() -> ReminderSender | None:
    return _reminder_senders[0] if _reminder_senders else None
