"""Money as people read it: one formatter (billing.money.format_amount) for the PDF, the emails and the
reminders, rounding half-up to the öre as the books do, laid out by Babel in Swedish or English."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.money import format_amount, round_amount
from invoices.pdf_texts import Texts

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it

NBSP = "\u00a0"


@pytest.mark.parametrize(
    "value, sv, en",
    [
        ("0", "0,00", "0.00"),
        ("1250", f"1{NBSP}250,00", "1,250.00"),
        ("1234567.8", f"1{NBSP}234{NBSP}567,80", "1,234,567.80"),
        ("-1250.5", f"-1{NBSP}250,50", "-1,250.50"),
    ],
)
def test_swedish_and_english_layout(value: str, sv: str, en: str) -> None:
    assert format_amount(Decimal(value), "sv") == sv
    assert format_amount(Decimal(value), "en") == en


@pytest.mark.parametrize(
    "value, written",
    [
        # Half an öre goes up (away from zero), never to the even öre as Babel and Python's own rounding do.
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),
        ("2.675", "2.68"),
        ("1234.565", "1,234.57"),
        ("-0.005", "-0.01"),
        ("-0.025", "-0.03"),
        ("-1234.565", "-1,234.57"),
        ("0.0049", "0.00"),
        ("-0.0049", "0.00"),
    ],
)
def test_half_an_ore_rounds_half_up_as_the_books_do(value: str, written: str) -> None:
    assert format_amount(Decimal(value), "en") == written
    assert format_amount(Decimal(value), "sv") == written.replace(",", NBSP).replace(".", ",")
    assert Decimal(format_amount(Decimal(value), "en").replace(",", "")) == round_amount(Decimal(value))


def test_with_the_currency_sign_as_each_language_places_it() -> None:
    assert format_amount(Decimal("1250.005"), "sv", currency=True) == f"1{NBSP}250,01{NBSP}kr"
    assert format_amount(Decimal("1250.005"), "en", currency=True) == f"1,250.01{NBSP}SEK"
    assert format_amount(Decimal("-0.125"), "sv", currency=True) == f"-0,13{NBSP}kr"


def test_any_other_language_reads_english() -> None:
    assert format_amount(Decimal("1250"), "de") == format_amount(Decimal("1250"), "en")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_pdf_and_email_texts_use_the_same_formatter(language: str) -> None:
    texts = Texts(language)
    for value in ("0.005", "1234.565", "-2.675", "99999.995"):
        amount = Decimal(value)
        assert texts.decimal(amount) == format_amount(amount, language)
        assert texts.money(amount) == format_amount(amount, language, currency=True)
        assert texts.money(amount, credit=True) == format_amount(-amount, language, currency=True)
