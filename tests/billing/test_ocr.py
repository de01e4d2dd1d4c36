"""OCR references: Luhn mod 10 as Bankgirot computes it, with the optional length digit."""

from __future__ import annotations

import pytest
from stdnum import luhn

from billing.ocr import invoice_ocr, is_valid_luhn, is_valid_ocr, luhn_check_digit, make_ocr

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it


@pytest.mark.parametrize(
    "number",
    [
        "79927398713",  # the textbook Luhn example
        "1234567897",  # Bankgirot's example OCR without a length digit
        "4992739871" + "6",  # card-number style example
        "5567037485",  # a Swedish organisation number (same algorithm)
        "2120002627",  # Norrvikens kommun in the demo data (212000-2627)
    ],
)
def test_known_good_numbers_pass(number: str) -> None:
    assert is_valid_luhn(number)
    assert luhn.is_valid(number)


@pytest.mark.parametrize("number", ["79927398710", "1234567890", "12", "abc", ""])
def test_bad_numbers_fail(number: str) -> None:
    assert not is_valid_luhn(number)


def test_check_digit_matches_an_independent_implementation() -> None:
    for base in ("0", "1", "123", "20260001", "987654321012345678"):
        assert luhn_check_digit(base) == luhn.calc_check_digit(base)


def test_length_digit_is_total_length_mod_10() -> None:
    ocr = make_ocr("12345")  # 5 digits + length + check = 7
    assert ocr[:5] == "12345" and ocr[5] == "7" and is_valid_ocr(ocr)
    assert ocr == "123457" + luhn.calc_check_digit("123457")
    long = make_ocr("12345678")  # 10 digits in all → length digit 0
    assert long[-2] == "0" and is_valid_ocr(long)
    tampered = long[:-2] + "9" + long[-1]
    assert not is_valid_ocr(tampered)


def test_invoice_ocr_is_unique_per_series_and_number() -> None:
    a = invoice_ocr(series="F", year=2026, sequence=1)
    b = invoice_ocr(series="F", year=2026, sequence=2)
    k = invoice_ocr(series="K", year=2026, sequence=1)
    assert len({a, b, k}) == 3
    assert all(is_valid_ocr(x) and luhn.is_valid(x) for x in (a, b, k))
    assert a.startswith("1202600001") and k.startswith("2202600001")


def test_make_ocr_refuses_non_digits() -> None:
    with pytest.raises(ValueError):
        make_ocr("12a")
