"""The state of an invoice run, kept true whatever happens to the process that runs it.

State machine: running → finished, or running → abandoned. A run writes its counts where the work is done:
`invoices_created` is incremented in the transaction that stores each draft (a draft and its count commit
or roll back together), and `organisations_done`, `skipped` and `heartbeat_at` after each organisation.
A process killed mid-run therefore leaves a run row whose counts match the drafts that exist. A run whose
heartbeat is older than `STALE_AFTER` is shown as `abandoned` (its process is gone: a live run beats after
every organisation, each a short transaction), and the next run that starts marks it so in the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from billing import schemas
from billing.audit_trail import audit_event
from billing.errors import InvoiceRunNotFound, OpenPeriod
from billing.invoice_reads import summaries
from billing.models import Invoice, InvoiceRun, RunStatus
from billing.naming import read_model
from support import audit
from support.timetracking.settings import business_date

STALE_AFTER = dt.timedelta(minutes=10)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def abandon_stale_runs(*, now: dt.datetime | None = None) -> list[int]:
    """Mark runs whose process stopped without finishing as abandoned; returns their ids."""
    cutoff = (now or _now()) - STALE_AFTER
    stale = Q(status=RunStatus.running) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    async with in_transaction():
        ids = [int(i) for i in await InvoiceRun.filter(stale).values_list("id", flat=True)]  # type: ignore[call-overload]
        if ids:
            await InvoiceRun.filter(stale, id__in=ids).update(status=RunStatus.abandoned)
            for run_id in ids:
                await audit.record(
                    principal=None,
                    actor="tripdesk",
                    action="invoice_run.abandoned",
                    subject_type="invoice_run",
                    subject_id=run_id,
                    data={"reason": f"no progress for {STALE_AFTER}"},
                )
    return ids


async def start_run(*, started_by: str, period_start: dt.date, period_end: dt.date) -> InvoiceRun:
    await abandon_stale_runs()
    async with in_transaction():
        run = await InvoiceRun.create(
            period_start_date=period_start,
            period_end_date=period_end,
            started_by=started_by,
            status=RunStatus.running,
            heartbeat_at=_now(),
        )
        await audit_event(
            None, "invoice_run.started", run, {"period_start": period_start, "period_end": period_end}, actor=started_by
        )
    return run


async def set_considered(run: InvoiceRun, organisations: int) -> None:
    run.organisations_considered = organisations
    await InvoiceRun.filter(id=run.id).update(organisations_considered=organisations, heartbeat_at=_now())


async def count_draft(run_id: int | None, conn: BaseDBAsyncClient) -> None:
    """Called inside the transaction that stores a draft: the count commits with the draft or not at all."""
    if run_id is not None:
        await InvoiceRun.filter(id=run_id).using_db(conn).update(invoices_created=F("invoices_created") + 1)


async def record_progress(run: InvoiceRun, note: dict[str, Any] | None) -> None:
    """After each organisation: one more done, its note (if any) kept, and a heartbeat."""
    run.organisations_done += 1
    if note is not None:
        run.skipped = [*(run.skipped or []), note]
    run.heartbeat_at = _now()
    await run.save(update_fields=["organisations_done", "skipped", "heartbeat_at"])


async def finish_run(run: InvoiceRun) -> None:
    async with in_transaction():
        await run.refresh_from_db(fields=["invoices_created"])
        run.status = RunStatus.finished
        run.finished_at = _now()
        await run.save(update_fields=["status", "finished_at"])
        await audit_event(
            None,
            "invoice_run.finished",
            run,
            {"invoices_created": run.invoices_created, "organisations": run.organisations_considered},
            actor=run.started_by,
        )


def status_of(run: InvoiceRun, *, now: dt.datetime | None = None) -> RunStatus:
    """The stored status, except that a running run without a recent heartbeat is reported abandoned."""
    status = RunStatus(run.status)
    beat = run.heartbeat_at or run.started_at
    if status is RunStatus.running and beat is not None and (now or _now()) - beat > STALE_AFTER:
        return RunStatus.abandoned
    return status


async def run_read(run: InvoiceRun) -> schemas.InvoiceRunRead:
    invoices = await Invoice.filter(run_id=run.id).order_by("id")
    return read_model(
        schemas.InvoiceRunRead,
        run,
        status=status_of(run).value,
        skipped=run.skipped or [],
        invoices=await summaries(invoices),
    )


async def get_run(*, run_id: int) -> schemas.InvoiceRunRead:
    run = await InvoiceRun.get_or_none(id=run_id)
    if run is None:
        raise InvoiceRunNotFound(f"invoice run {run_id} not found")
    return await run_read(run)


def refuse_open_period(period_end: dt.date, *, allow_open_period: bool, now: dt.datetime | None = None) -> None:
    """A period that ends today or later is still being worked in: invoicing it needs an explicit flag."""
    today = business_date(now or dt.datetime.now(dt.UTC))
    if period_end >= today and not allow_open_period:
        raise OpenPeriod(
            f"the period ends {period_end.isoformat()}, and today is {today.isoformat()}: time is still being "
            "logged into it. Run it after it has ended, or pass allow_open_period=true (CLI: "
            "--allow-open-period) to invoice what is there now."
        )
