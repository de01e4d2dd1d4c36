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
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from billing import schemas
from billing.models import PrepaidDrawdown
from billing.money import ZERO, line_amount, minutes_billed_hours, minutes_to_hours
from billing.rates import RateBook
from billing.settings import get_billing_settings
from support.timetracking.models import TimeEntry

_H = Decimal("0.01")


async def time_report(*, query: schemas.TimeReportQuery) -> schemas.TimeReport:
    increment = get_billing_settings().billing_increment_minutes
    entries = TimeEntry.filter(work_date__gte=query.period_start, work_date__lte=query.period_end)
    if query.organisation_id is not None:
        entries = entries.filter(ticket__bill_to_id=query.organisation_id)
    rows = await entries.order_by("work_date", "id").values(
        "id",
        "work_date",
        "minutes",
        "category",
        "billable",
        "invoice_id",
        "staff_id",
        staff_name="staff__name",
        organisation_id="ticket__bill_to_id",
        organisation_name="ticket__bill_to__name",
    )
    prepaid: dict[int, Decimal] = defaultdict(Decimal)
    ids = [r["id"] for r in rows if r["billable"]]
    for i in range(0, len(ids), 5000):
        for d in await PrepaidDrawdown.filter(
            time_entry_id__in=ids[i : i + 5000], released_at__isnull=True
        ).values("time_entry_id", "hours"):
            prepaid[d["time_entry_id"]] += Decimal(d["hours"])
    book = await RateBook.load(start=query.period_start, end=query.period_end)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        key = (r["organisation_id"], str(r["category"]), r["work_date"].strftime("%Y-%m"), r["staff_id"])
        g = groups.get(key)
        if g is None:
            g = groups[key] = dict(
                organisation_name=r["organisation_name"],
                staff_name=r["staff_name"],
                entries=0,
                worked=ZERO,
                billable=ZERO,
                free=ZERO,
                prepaid=ZERO,
                invoiced=ZERO,
                by_rate=defaultdict(Decimal),
            )
        g["entries"] += 1
        worked = minutes_to_hours(r["minutes"])
        g["worked"] += worked
        if not r["billable"]:
            g["free"] += worked
            continue
        billed = minutes_billed_hours(r["minutes"], increment)
        drawn = prepaid.get(r["id"], ZERO)
        g["billable"] += billed
        g["prepaid"] += drawn
        if r["invoice_id"] is not None:
            g["invoiced"] += billed
        priced = book.lookup(r["organisation_id"], str(r["category"]), r["work_date"])
        if priced is not None:
            g["by_rate"][priced[0]] += billed - drawn
    out: list[schemas.TimeReportRow] = []
    for (org_id, category, month, staff_id), g in sorted(
        groups.items(),
        key=lambda kv: (
            kv[1]["organisation_name"],
            kv[0][0],
            kv[0][1],
            kv[0][2],
            kv[1]["staff_name"],
            kv[0][3],
        ),
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
        for name in (
            "worked_hours",
            "billable_hours",
            "free_hours",
            "prepaid_hours",
            "invoiced_hours",
            "amount",
        )
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
