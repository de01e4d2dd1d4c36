"""Request models of the document endpoints (the documents themselves are binary responses)."""

from __future__ import annotations

from pydantic import Field

from core.schemas import Strict
from invoices.periods import PeriodBasis


class DocumentPeriodQuery(Strict):
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="Calendar month, YYYY-MM", examples=["2026-02"])
    by: PeriodBasis = Field(
        PeriodBasis.issue_date,
        description="issue_date (or issue): documents issued in the month (the accounting "
        "period, default); service_period (or service): invoices whose "
        "delivery period starts in it",
    )
