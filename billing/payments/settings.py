"""Settings of getting paid: the reminder schedule, late-payment charges (off by default) and the bookkeeping
accounts of the SIE export (BAS defaults), from the environment."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings

from core.settings import from_environment


class CollectionSettings(BaseSettings):
    model_config = from_environment("TRIPDESK_")

    reminder_after_days: int = Field(7, ge=0, le=365)
    reminder_interval_days: int = Field(14, ge=1, le=365)
    reminder_max: int = Field(2, ge=0, le=10)
    # Räntelagen 6 §: late-payment interest is the Riksbank's reference rate + 8 percentage points. Off by
    # default; when on, the interest so far is stated in the reminder.
    late_interest: bool = False
    reference_rate: Decimal = Field(Decimal("2.00"), ge=-10, le=50)
    # Lag om ersättning för inkassokostnader: a reminder fee of at most 60 kr, only where agreed in advance
    # (per organisation: PUT /organisations/{id}/collection-terms).
    reminder_fee: Decimal = Field(Decimal("0.00"), ge=0, le=60, decimal_places=2)

    account_receivables: str = "1510"
    account_bank: str = "1930"
    account_output_vat: str = "2611"
    account_unapplied_payments: str = "2420"
    account_sales_se: str = "3041"
    account_sales_exempt: str = "3044"
    account_sales_eu: str = "3308"
    account_sales_export: str = "3305"
    # late-payment charges on a later invoice (billing/payments/late_charges.py): BAS interest income on
    # short-term receivables, and reminder fees
    account_late_interest: str = "8313"
    account_reminder_fee: str = "3930"
    # "category:vat_category" or "category" → account, e.g. {"performance:S": "3042"}
    account_sales_by_category: dict[str, str] = Field(default_factory=dict)

    @property
    def interest_rate(self) -> Decimal:
        return self.reference_rate + Decimal(8)

    def sales_account(self, category: str, vat_category: str) -> str:
        if category == "late_interest":
            return self.account_late_interest
        if category == "reminder_fee":
            return self.account_reminder_fee
        by_category = self.account_sales_by_category
        found = by_category.get(f"{category}:{vat_category}") or by_category.get(category)
        if found:
            return found
        return {
            "S": self.account_sales_se,
            "AE": self.account_sales_eu,
            "G": self.account_sales_export,
            "O": self.account_sales_export,
        }.get(vat_category, self.account_sales_exempt)


@lru_cache(maxsize=1)
def get_collection_settings() -> CollectionSettings:
    return CollectionSettings()
