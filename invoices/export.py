"""The accounting archive of a month: every issued invoice and credit note written as `<number>.pdf` and
`<number>.xml` from storage (never re-rendered), each file's sha256 checked against the one recorded at issue.
What the period holds, and the choice of basis (issue date or service period), is in invoices/service.py."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path

from invoices.errors import DocumentCorrupt
from invoices.periods import Period, PeriodBasis, PeriodDocuments, period_documents
from invoices.service import sha256_hex, verified_content


@dataclass
class ExportResult:
    period: Period
    found: PeriodDocuments
    invoices: int = 0
    credit_notes: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # a different file of that name already in the folder
    bytes_written: int = 0

    @property
    def ok(self) -> bool:
        return not self.missing and not self.conflicts


def _write_verified(path: Path, data: bytes, sha256: str) -> str:
    """Write atomically (temp file, fsync, rename) and read back to check the sha256.

    Returns "written" or "unchanged"; refuses ("conflict") to overwrite a different file of the same name:
    an issued document never changes, so a different file there is not ours to replace."""
    if path.exists():
        return "unchanged" if sha256_hex(path.read_bytes()) == sha256 else "conflict"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if sha256_hex(tmp.read_bytes()) != sha256:
        tmp.unlink(missing_ok=True)
        raise DocumentCorrupt(f"{path.name} did not read back with its sha256 after writing")
    os.replace(tmp, path)
    return "written"


async def export_documents(*, period: Period, out_dir: Path, by: PeriodBasis = PeriodBasis.issue_date) -> ExportResult:
    """Write every issued invoice and credit note of the period as `<number>.pdf` and `<number>.xml`."""
    found = await period_documents(period=period, by=by)
    result = ExportResult(
        period=period,
        found=found,
        invoices=len(found.invoices) - found.credit_notes,
        credit_notes=found.credit_notes,
        missing=list(found.missing),
    )
    await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
    for document in found.documents:
        data = verified_content(document)
        outcome = await asyncio.to_thread(_write_verified, out_dir / document.filename, data, document.sha256)
        if outcome == "written":
            result.written.append(document.filename)
            result.bytes_written += len(data)
        elif outcome == "unchanged":
            result.unchanged.append(document.filename)
        else:
            result.conflicts.append(document.filename)
    return result
