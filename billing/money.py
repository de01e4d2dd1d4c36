"""Money is Decimal, SEK, two decimals, rounded half-up (SPEC §2). Defined once, here.

Amounts have 2 decimals, rates and hours 4. Round each line, then sum: a total is the sum of already
rounded lines, never a rounding of an unrounded sum.

Money is written for people (PDF, emails) by `format_amount` only: rounded half-up to the öre first (the same
rule as the books, so a written amount never differs from the stored one by an öre), then laid out by Babel
in the reader's language: Swedish `1 250,00` (a no-break space between thousands), English `1,250.00`.
"""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from babel import Locale
from babel.numbers import format_currency, format_decimal
from pydantic import BeforeValidator, Field

AMOUNT_QUANTUM = Decimal("0.01")
HOURS_QUANTUM = Decimal("0.0001")
ZERO = Decimal("0.00")
VAT_STANDARD = Decimal("25")


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


_PLAIN_DECIMAL = re.compile(r"[+-]?\d{1,20}(\.\d{1,20})?", re.ASCII)  # "١٢" is not 12 hours


def _no_floats(value: object) -> object:
    """Money arrives as a JSON string ("1250.00") or an integer. A float has already lost precision, and a
    string like "1e3", "NaN" or "Infinity" is not money: both are refused before Decimal sees them."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError('send money as a decimal string such as "1250.00" (or an integer), never a float')
    if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value.strip()):
        raise ValueError("not a plain decimal number (digits, optionally a point and decimals)")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("not a finite number")
    if isinstance(value, str | int):  # a Decimal already: request bodies are validated strictly
        return Decimal(value.strip() if isinstance(value, str) else value)
    return value


# Input types for the API: strict, never floats, at most öre precision, never negative.
MoneyIn = Annotated[Decimal, BeforeValidator(_no_floats), Field(max_digits=14, decimal_places=2, ge=0)]
RateIn = Annotated[
    Decimal, BeforeValidator(_no_floats), Field(max_digits=12, decimal_places=2, ge=0, le=Decimal("1000000"))
]
HoursIn = Annotated[
    Decimal, BeforeValidator(_no_floats), Field(max_digits=10, decimal_places=2, gt=0, le=Decimal("100000"))
]


def minutes_billed_hours(minutes: int, increment: int) -> Decimal:
    """Hours billed for one time entry: worked minutes rounded up to the increment, in hours (4 dp)."""
    return minutes_to_hours(billable_minutes(minutes, increment))


def money_str(value: Decimal) -> str:
    return str(round_amount(value))


@functools.lru_cache(maxsize=4)
def money_locale(language: str) -> Locale:
    """Swedish readers get sv_SE; everyone else en_GB (the house's two languages)."""
    return Locale.parse("sv_SE" if language == "sv" else "en_GB")


def format_amount(value: Decimal, language: str, *, currency: bool = False) -> str:
    """An amount as a reader of `language` writes it, rounded half-up to the öre; with `currency`, the SEK
    sign as that language places it (`1 250,00 kr`, `1,250.00 SEK`). Less than half an öre below zero is
    written 0,00, never -0,00."""
    rounded = round_amount(Decimal(value))
    rounded = rounded.copy_abs() if rounded == 0 else rounded
    locale = money_locale(language)
    if not currency:
        return format_decimal(rounded, format="#,##0.00", locale=locale)
    if language == "sv":
        return format_currency(rounded, "SEK", locale=locale)
    return format_currency(rounded, "SEK", format="#,##0.00\u00a0¤", locale=locale)


def vat_breakdown(lines: list[tuple[str, Decimal, Decimal]]) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """VAT per (category, rate) from already rounded line amounts: (category, rate, taxable, tax).
    The taxable amount is the sum of the rounded lines; the tax is rounded half-up once per rate."""
    taxable: dict[tuple[str, Decimal], Decimal] = {}
    for category, rate, amount in lines:
        key = (category, rate)
        taxable[key] = taxable.get(key, ZERO) + amount
    return [
        (category, rate, round_amount(net), vat_amount(net, rate))
        for (category, rate), net in sorted(taxable.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    ]
