"""Money is Decimal, SEK, two decimals, rounded half-up (SPEC §2). Defined once, here.

Amounts have 2 decimals, rates and hours 4. Round each line, then sum: a total is the sum of already
rounded lines, never a rounding of an unrounded sum.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field

AMOUNT_QUANTUM = Decimal("0.01")
RATE_QUANTUM = Decimal("0.0001")
HOURS_QUANTUM = Decimal("0.0001")
ZERO = Decimal("0.00")
VAT_STANDARD = Decimal("25")

Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
Rate = Annotated[Decimal, Field(max_digits=12, decimal_places=4, ge=0)]
Hours = Annotated[Decimal, Field(max_digits=10, decimal_places=4, ge=0)]


def round_amount(value: Decimal) -> Decimal:
    """The one rounding function for money: half-up to öre."""
    return value.quantize(AMOUNT_QUANTUM, rounding=ROUND_HALF_UP)


def round_hours(value: Decimal) -> Decimal:
    return value.quantize(HOURS_QUANTUM, rounding=ROUND_HALF_UP)


def billable_minutes(minutes: int, increment: int) -> int:
    """Round a time entry up to the billing increment (default 15 minutes), per entry."""
    if increment <= 1:
        return minutes
    return -(-minutes // increment) * increment


def minutes_to_hours(minutes: int) -> Decimal:
    return round_hours(Decimal(minutes) / Decimal(60))


def line_amount(hours: Decimal, rate: Decimal) -> Decimal:
    return round_amount(hours * rate)


def vat_amount(taxable: Decimal, rate_percent: Decimal) -> Decimal:
    return round_amount(taxable * rate_percent / Decimal(100))


def ceil_amount(value: Decimal) -> Decimal:
    return value.quantize(AMOUNT_QUANTUM, rounding=ROUND_CEILING)
