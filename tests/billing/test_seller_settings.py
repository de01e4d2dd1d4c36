"""The seller on invoices comes from the TRIPDESK_SELLER_* settings, one setting per field of `Seller`."""

from __future__ import annotations

import pytest

from billing.settings import SELLER_SETTINGS, BillingSettings
from billing.snapshot import Seller

pytestmark = pytest.mark.sqlite_pass  # no database


def test_every_seller_field_has_its_setting() -> None:
    assert sorted(name.removeprefix("seller_") for name in SELLER_SETTINGS) == sorted(Seller.model_fields)


def test_seller_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIPDESK_SELLER_NAME", "Fjällsoft AB")
    monkeypatch.setenv("TRIPDESK_SELLER_COUNTRY", "NO")
    monkeypatch.setenv("TRIPDESK_SELLER_CONTACT", "Kari Nordmann")
    monkeypatch.setenv("TRIPDESK_SELLER_LATE_PAYMENT_EN", "Interest per the Interest Act.")
    seller = BillingSettings().seller()
    assert (seller.name, seller.country_code, seller.contact_name) == ("Fjällsoft AB", "NO", "Kari Nordmann")
    assert seller.late_payment_interest_en == "Interest per the Interest Act."
    assert seller.late_payment_interest == Seller.model_fields["late_payment_interest"].default
