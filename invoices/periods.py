"""A period's documents: which issued invoices and credit notes a month holds (by issue date or by the
service period they bill), for the zip download and the export."""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from billing.models import Invoice, InvoiceKind, InvoiceStatus
from core.errors import InvalidInput
from invoices.errors import NoDocumentsInPeriod, PeriodInFuture
from invoices.models import DocumentFormat, InvoiceDocument
from invoices.service import document_filename, sha256_hex, verified_content
from support.timetracking.settings import business_today

log = logging.getLogger("tripdesk.invoices")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodBasis(StrEnum):
    issue_date = "issue_date"
    service_period = "service_period"

    @classmethod
    def _missing_(cls, value: object) -> PeriodBasis | None:
        """Short names: `issue` and `service`."""
        return {"issue": cls.issue_date, "service": cls.service_period}.get(str(value))

    @property
    def other(self) -> PeriodBasis:
        return PeriodBasis.service_period if self is PeriodBasis.issue_date else PeriodBasis.issue_date


@dataclass(frozen=True)
class Period:
    label: str  # "2026-02"
    start: dt.date
    end: dt.date  # inclusive


def parse_period(value: str, *, today: dt.date | None = None) -> Period:
    """`YYYY-MM` → the calendar month, or InvalidInput (422); a month after the current one is refused
    (nothing can have been issued or delivered in it)."""
    match = _PERIOD.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise InvalidInput(f"period must be YYYY-MM, e.g. 2026-02; got {value!r}")
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        raise InvalidInput(f"period {value!r} is not a month")
    start = dt.date(year, month, 1)
    today = today or business_today()
    if start > today:
        raise PeriodInFuture(f"period {value} has not begun (today is {today.isoformat()})")
    end = start.replace(day=calendar.monthrange(year, month)[1])
    return Period(label=f"{year:04d}-{month:02d}", start=start, end=end)


@dataclass
class PeriodDocuments:
    period: Period
    by: PeriodBasis = PeriodBasis.issue_date
    other_basis_count: int = 0  # documents found by the other basis
    invoices: list[Invoice] = field(default_factory=list)
    documents: list[InvoiceDocument] = field(default_factory=list)  # ordered by number, then format
    missing: list[str] = field(default_factory=list)  # "F2026-00003.xml"

    @property
    def credit_notes(self) -> int:
        return sum(1 for i in self.invoices if i.kind == InvoiceKind.credit_note)

    def summary(self) -> str:
        """One sentence for people: what was found, and where to look when it was nothing."""
        basis = "issued in" if self.by is PeriodBasis.issue_date else "with their service period starting in"
        text = (
            f"{len(self.invoices) - self.credit_notes} invoice(s) and {self.credit_notes} credit note(s) "
            f"{basis} {self.period.label}"
        )
        if not self.invoices:
            other = self.by.other
            text = f"no invoices or credit notes {basis} {self.period.label}"
            if self.other_basis_count:
                other_text = "were issued in" if other is PeriodBasis.issue_date else "have their service period in"
                flag = "issue" if other is PeriodBasis.issue_date else "service"
                text += (
                    f"; {self.other_basis_count} document(s) {other_text} it: choose them with by={flag} "
                    f"(CLI: --by {flag})"
                )
        return text[0].upper() + text[1:]


def _in_period(period: Period, by: PeriodBasis) -> Any:
    invoices = Invoice.filter(status=InvoiceStatus.issued)
    if by is PeriodBasis.issue_date:
        return invoices.filter(issue_date__gte=period.start, issue_date__lte=period.end)
    return invoices.filter(period_start_date__gte=period.start, period_start_date__lte=period.end)


async def period_documents(*, period: Period, by: PeriodBasis = PeriodBasis.issue_date) -> PeriodDocuments:
    """Every issued invoice and credit note of the period with its stored documents."""
    found = await _in_period(period, by).order_by("number", "id")
    result = PeriodDocuments(period=period, by=by, invoices=list(found))
    if not found:
        result.other_basis_count = await _in_period(period, by.other).count()
    if not found:
        return result
    by_invoice: dict[tuple[int, str], InvoiceDocument] = {
        (d.invoice_id, d.format.value): d  # type: ignore[attr-defined]
        for d in await InvoiceDocument.filter(invoice_id__in=[i.id for i in found])
    }
    for invoice in found:
        for fmt in DocumentFormat:
            document = by_invoice.get((invoice.id, fmt.value))
            if document is None:
                result.missing.append(document_filename(invoice.number or str(invoice.id), fmt))
            else:
                result.documents.append(document)
    return result


def _zip(entries: list[tuple[str, bytes, dt.date]]) -> bytes:
    """Deterministic zip (entry times are the issue dates); PDFs stored, XML deflated; a SHA256SUMS file in
    `sha256sum -c` format lets the archive be verified later."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        sums = []
        for name, data, day in entries:
            info = zipfile.ZipInfo(name, date_time=(max(day.year, 1980), day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".pdf") else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
            sums.append(f"{sha256_hex(data)}  {name}\n")
        info = zipfile.ZipInfo("SHA256SUMS", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, "".join(sums))
    return buffer.getvalue()


async def period_zip(*, period: Period, by: PeriodBasis = PeriodBasis.issue_date) -> tuple[str, bytes, PeriodDocuments]:
    """A zip of the period's stored documents (and SHA256SUMS); returns (filename, bytes, what was found).
    No documents: NoDocumentsInPeriod (404), saying how many the other basis would find."""
    found = await period_documents(period=period, by=by)
    if not found.invoices:
        raise NoDocumentsInPeriod(
            found.summary(), period=period.label, by=by.value, found=0, found_by_other_basis=found.other_basis_count
        )
    if found.missing:
        log.error("period %s: issued documents missing from storage: %s", period.label, ", ".join(found.missing))
    issue_dates = {i.id: i.issue_date or period.start for i in found.invoices}
    entries = [
        (d.filename, verified_content(d), issue_dates[d.invoice_id])  # type: ignore[attr-defined]
        for d in found.documents
    ]
    data = await asyncio.to_thread(_zip, entries)
    suffix = "" if by is PeriodBasis.issue_date else "-service"
    return f"invoice-documents-{period.label}{suffix}.zip", data, found
