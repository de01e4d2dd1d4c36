"""Billing periods and the pro-rata rule of integration subscriptions (a legal-commercial rule, SPEC §4).

Periods follow the calendar: a yearly period is 1 January – 31 December, a quarterly one a calendar quarter.
Fees are invoiced in advance for a whole period; a period the subscription covers only in part (it starts
after the period began, or ends before it ends) is billed pro rata by days:

    amount = annual fee ÷ periods per year × days covered ÷ days in the period

with actual days (a leap year's period has 366 days, a quarter 90–92), rounded half-up to the öre once, at
the end. A full period is therefore exactly the annual fee (yearly) or a quarter of it (quarterly), and the
start and end days both count. This is the day-based pro rata Swedish vendors use for subscriptions
("dagsproportionellt"); it never bills a day twice or leaves one out when a period is split.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from billing.money import round_amount
from billing.subscriptions.models import BillingPeriod

PER_YEAR = {BillingPeriod.yearly: 1, BillingPeriod.quarterly: 4}


def period_containing(day: dt.date, period: BillingPeriod) -> tuple[dt.date, dt.date]:
    """The calendar period (first day, last day) that contains `day`."""
    if period == BillingPeriod.yearly:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    nxt = dt.date(day.year + 1, 1, 1) if first_month == 10 else dt.date(day.year, first_month + 3, 1)
    return start, nxt - dt.timedelta(days=1)


def periods_from(first_day: dt.date, period: BillingPeriod) -> Iterator[tuple[dt.date, dt.date]]:
    """The periods from the one containing `first_day` onwards (endless: the caller stops)."""
    start, end = period_containing(first_day, period)
    while True:
        yield start, end
        start, end = period_containing(end + dt.timedelta(days=1), period)


def days(first: dt.date, last: dt.date) -> int:
    """Days from `first` to `last`, both included (0 when last is before first)."""
    return max((last - first).days + 1, 0)


def prorated(
    annual_fee: Decimal,
    period: BillingPeriod,
    period_start: dt.date,
    period_end: dt.date,
    covered_from: dt.date,
    covered_until: dt.date,
) -> Decimal:
    """The amount for the covered days of one period (the rule in the module docstring)."""
    covered = days(max(covered_from, period_start), min(covered_until, period_end))
    return round_amount(Decimal(annual_fee) * covered / (PER_YEAR[period] * days(period_start, period_end)))
