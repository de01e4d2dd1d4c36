"""OCR payment references (Bankgirot): digits with a Luhn mod-10 check digit last, and optionally a
length digit before it (the total length including both, modulo 10) so the bank can also verify the length.

This module encodes a banking rule; the check must agree with Bankgirot's, or payments bounce.
"""

from __future__ import annotations


def luhn_check_digit(digits: str) -> str:
    """The digit that makes `digits + check` pass Luhn mod 10 (weights 2,1,2,… from the right of `digits`)."""
    if not digits.isdigit():
        raise ValueError("OCR base must be digits")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_valid_luhn(number: str) -> bool:
    return len(number) >= 2 and number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


def make_ocr(base: str, *, length_digit: bool = True) -> str:
    """OCR for `base`: base [+ length digit] + Luhn check digit. Bankgirot allows 2–25 digits."""
    if not base.isdigit():
        raise ValueError("OCR base must be digits")
    if length_digit:
        base = base + str((len(base) + 2) % 10)
    ocr = base + luhn_check_digit(base)
    if not 2 <= len(ocr) <= 25:
        raise ValueError("an OCR reference has 2–25 digits")
    return ocr


def is_valid_ocr(ocr: str, *, length_digit: bool = True) -> bool:
    if not (ocr.isdigit() and 2 <= len(ocr) <= 25 and is_valid_luhn(ocr)):
        return False
    return not length_digit or (len(ocr) >= 3 and int(ocr[-2]) == len(ocr) % 10)


def invoice_ocr(*, series: str, year: int, sequence: int) -> str:
    """The OCR of invoice `series` `year`-`sequence`: series digit (1 invoice, 2 credit note), year,
    sequence (at least 5 digits), length digit, check digit. Unique because the invoice number is."""
    series_digit = {"F": "1", "K": "2"}[series]
    return make_ocr(f"{series_digit}{year:04d}{sequence:05d}")
