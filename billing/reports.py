"""Time reports: hours and amounts per billed organisation × category × month × staff member.

Definitions (so finance can reconcile with invoices): `worked_hours` is the time as logged; `billable_hours`
is billable time rounded up to the billing increment per entry (as it is invoiced); `free_hours` is time
logged under a free category (as logged); `prepaid_hours` is billable time covered by prepaid packages
(unreleased drawdowns); `invoiced_hours` is billable time currently on an invoice (draft or issued);
`amount` is the billable time beyond prepaid hours at the rate in force on each work date, rounded half-up
per rate within the row, then summed — the same rule as invoice lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from tortoise.expressions import RawSQL
from tortoise.functions import Count

from billing import schemas
from billing.models import PrepaidDrawdown
from billing.money import ZERO, line_amount
from billing.rates import RateBook
from billing.settings import get_billing_settings
from support.models import Organisation, Staff
from support.timetracking.models import TimeEntry

_H = Decimal("0.01")
_UNIT = Decimal("0.0001")  # the sums below count ten-thousandths of an hour, as integers
_SUMS = ("worked", "free", "billable", "prepaid", "invoiced")


def _col(name: str) -> str:
    return f'"{TimeEntry._meta.db_table}"."{name}"'


def _hours(minutes_sql: str) -> str:
    """Hours of `minutes_sql` in ten-thousandths, rounded half-up per entry exactly as `minutes_to_hours`:
    round(m × 10000 / 60) = floor((1000·m + 3) / 6), integer arithmetic on both backends."""
    return f"(({minutes_sql}) * 1000 + 3) / 6"


def _billed_minutes(increment: int) -> str:
    """`billable_minutes`: each entry rounded up to the billing increment."""
    if increment <= 1:
        return _col("minutes")
    return f"(({_col('minutes')} + {increment - 1}) / {increment}) * {increment}"


def _sums(increment: int) -> dict[str, RawSQL]:
    """Per-group sums in ten-thousandths of an hour (`<name>_units`). Prepaid: the entry's unreleased
    drawdowns, which are whole ten-thousandths (4 decimals)."""
    worked, billed, billable = _hours(_col("minutes")), _hours(_billed_minutes(int(increment))), _col("billable")
    drawn = (
        f'SELECT COALESCE(SUM(CAST(ROUND(d."hours" * 10000) AS BIGINT)), 0) FROM "{PrepaidDrawdown._meta.db_table}" d '
        f'WHERE d."time_entry_id" = {_col("id")} AND d."released_at" IS NULL'
    )
    return {
        "worked_units": RawSQL(f"SUM({worked})"),
        "free_units": RawSQL(f"SUM(CASE WHEN {billable} THEN 0 ELSE {worked} END)"),
        "billable_units": RawSQL(f"SUM(CASE WHEN {billable} THEN {billed} ELSE 0 END)"),
        "prepaid_units": RawSQL(f"SUM(CASE WHEN {billable} THEN ({drawn}) ELSE 0 END)"),
        "invoiced_units": RawSQL(
            f"SUM(CASE WHEN {billable} AND {_col('invoice_id')} IS NOT NULL THEN {billed} ELSE 0 END)"
        ),
    }


async def _daily_sums(query: schemas.TimeReportQuery, increment: int) -> list[dict[str, Any]]:
    """The period's time summed in the database per organisation × category × work date × staff: what a
    report holds in memory is bounded by the calendar, not by how many entries were logged. Per day, not per
    month, because the rate in force can change on any date."""
    entries = TimeEntry.filter(work_date__gte=query.period_start, work_date__lte=query.period_end)
    if query.organisation_id is not None:
        entries = entries.filter(ticket__bill_to_id=query.organisation_id)
    sums = _sums(increment)
    return await (
        entries.annotate(entries=Count("id"), **sums)
        .group_by("ticket__bill_to_id", "category", "work_date", "staff_id")
        .values("category", "work_date", "staff_id", "entries", *sums, organisation_id="ticket__bill_to_id")
    )


async def time_report(*, query: schemas.TimeReportQuery) -> schemas.TimeReport:
    increment = get_billing_settings().billing_increment_minutes
    days = await _daily_sums(query, increment)
    organisations = dict(
        await Organisation.filter(id__in={d["organisation_id"] for d in days}).values_list("id", "name")
    )
    staff = dict(await Staff.filter(id__in={d["staff_id"] for d in days}).values_list("id", "name"))
    book = await RateBook.load(start=query.period_start, end=query.period_end)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for d in days:
        work_date = d["work_date"] if isinstance(d["work_date"], dt.date) else dt.date.fromisoformat(d["work_date"])
        key = (d["organisation_id"], str(d["category"]), work_date.strftime("%Y-%m"), d["staff_id"])
        g = groups.get(key)
        if g is None:
            g = groups[key] = dict(
                organisation_name=organisations[d["organisation_id"]],
                staff_name=staff[d["staff_id"]],
                entries=0,
                by_rate=defaultdict(Decimal),
                **dict.fromkeys(_SUMS, ZERO),
            )
        g["entries"] += int(d["entries"])
        day = {name: Decimal(int(d[f"{name}_units"] or 0)) * _UNIT for name in _SUMS}
        for name, value in day.items():
            g[name] += value
        priced = book.lookup(d["organisation_id"], str(d["category"]), work_date)
        if priced is not None and day["billable"]:
            g["by_rate"][priced[0]] += day["billable"] - day["prepaid"]
    out: list[schemas.TimeReportRow] = []
    for (org_id, category, month, staff_id), g in sorted(
        groups.items(),
        key=lambda kv: (kv[1]["organisation_name"], kv[0][0], kv[0][1], kv[0][2], kv[1]["staff_name"], kv[0][3]),
    ):
        amount = sum((line_amount(hours, rate) for rate, hours in g["by_rate"].items()), ZERO)
        out.append(
            schemas.TimeReportRow(
                organisation_id=org_id,
                organisation_name=g["organisation_name"],
                category=category,
                month=month,
                staff_id=staff_id,
                staff_name=g["staff_name"],
                entries=g["entries"],
                worked_hours=g["worked"].quantize(_H),
                billable_hours=g["billable"].quantize(_H),
                free_hours=g["free"].quantize(_H),
                prepaid_hours=g["prepaid"].quantize(_H),
                invoiced_hours=g["invoiced"].quantize(_H),
                amount=amount,
            )
        )
    totals = {
        name: sum((getattr(row, name) for row in out), Decimal("0.00"))
        for name in ("worked_hours", "billable_hours", "free_hours", "prepaid_hours", "invoiced_hours", "amount")
    }
    return schemas.TimeReport(
        period_start=query.period_start,
        period_end=query.period_end,
        organisation_id=query.organisation_id,
        rows=out,
        totals=totals,
    )


CSV_COLUMNS = list(schemas.TimeReportRow.model_fields)


def report_csv(report: schemas.TimeReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        writer.writerow([str(getattr(row, column)) for column in CSV_COLUMNS])
    return buffer.getvalue()
