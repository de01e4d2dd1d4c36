"""`tripdesk export-documents --period YYYY-MM --out DIR`: the month's stored documents as files, checked
against their sha256; the real command line in a subprocess against a database file (or PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

import billing.hooks
import invoices.hooks
from billing.models import Invoice
from invoices.commands import _export, run_export
from invoices.export import export_documents
from invoices.models import InvoiceDocument
from invoices.periods import PeriodBasis, parse_period
from tests import factories
from tests.billing import builders
from tests.conftest import BACKEND, truncate_all
from tests.invoices.test_documents_api import FEB, billed_org, credited, issued
from tripdesk.db import tortoise_config

REPO = Path(__file__).resolve().parents[2]


@contextlib.asynccontextmanager
async def already_open() -> AsyncIterator[None]:
    """The command's `database()` context, for a test whose database is already initialised."""
    yield


async def stored(invoice: Invoice) -> dict[str, bytes]:
    return {d.filename: bytes(d.content) for d in await InvoiceDocument.filter(invoice_id=invoice.id)}


async def test_export_writes_the_periods_documents_and_verifies_them(setup: dict[str, Any], tmp_path: Path) -> None:
    staff = setup["staff"]
    a = await issued(await billed_org(), staff, issue_date=dt.date(2026, 2, 3))
    k = await credited(a, issue_date=dt.date(2026, 2, 14))
    later = await issued(await billed_org(), staff, issue_date=dt.date(2026, 3, 1), period=FEB)
    expected = {**await stored(a), **await stored(k)}

    out = tmp_path / "archive" / "2026-02"
    result = await export_documents(period=parse_period("2026-02"), out_dir=out)
    assert result.ok and (result.invoices, result.credit_notes) == (1, 1)
    assert sorted(result.written) == sorted(expected)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == expected  # no temp files left behind

    again = await export_documents(period=parse_period("2026-02"), out_dir=out)
    assert again.ok and again.written == [] and sorted(again.unchanged) == sorted(expected)

    by_service = await export_documents(
        period=parse_period("2026-02"), out_dir=tmp_path / "svc", by=PeriodBasis.service_period
    )
    assert sorted(by_service.written) == sorted(await stored(later))


async def test_export_refuses_to_overwrite_a_different_file_and_reports_missing(
    setup: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = await issued(await billed_org(), setup["staff"], issue_date=dt.date(2026, 2, 3))
    b = await issued(await billed_org(), setup["staff"], issue_date=dt.date(2026, 2, 4))
    (tmp_path / f"{a.number}.pdf").write_bytes(b"someone else's file")
    await InvoiceDocument.filter(invoice_id=b.id, format="xml").delete()  # issued before documents existed

    code = await _export(already_open, period=parse_period("2026-02"), out=tmp_path, by=PeriodBasis.issue_date)
    assert code == 1
    assert (tmp_path / f"{a.number}.pdf").read_bytes() == b"someone else's file"
    assert (tmp_path / f"{a.number}.xml").exists() and (tmp_path / f"{b.number}.pdf").exists()
    err = capsys.readouterr().err
    assert f"{a.number}.pdf exists with different content" in err
    assert f"{b.number}.xml is not in storage" in err


async def test_export_never_writes_a_damaged_document(
    setup: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = await issued(await billed_org(), setup["staff"], issue_date=dt.date(2026, 2, 3))
    await InvoiceDocument.filter(invoice_id=a.id, format="pdf").update(content=b"%PDF-tampered")
    with pytest.raises(Exception, match="damaged"):
        await export_documents(period=parse_period("2026-02"), out_dir=tmp_path)
    assert not (tmp_path / f"{a.number}.pdf").exists()


@pytest.mark.parametrize("period", ["2026-13", "26-02", "2026-02-01", "februari", ""])
def test_a_bad_period_is_exit_2(period: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_export(already_open, period=period, out=tmp_path) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: period") and ("YYYY-MM" in err or "not a month" in err)


def test_out_must_be_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    assert run_export(already_open, period="2026-02", out=tmp_path / "file") == 2
    assert "not a directory" in capsys.readouterr().err


# The real command line ----------------------------------------------------------------------------------


def _cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "tripdesk.cli", *args], cwd=REPO, env=env, text=True, capture_output=True, timeout=120
    )


@pytest.mark.slow
async def test_cli_export_documents(database_url: str, tmp_path: Path) -> None:
    """Against a database file on the SQLite pass (the in-memory test database is not visible to another
    process), against the session's PostgreSQL database on the PostgreSQL pass."""
    url = database_url if BACKEND == "postgres" else f"sqlite://{tmp_path / 'cli.sqlite3'}"
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    try:
        if BACKEND == "postgres":
            await truncate_all()
        else:
            await Tortoise.generate_schemas()
        billing.hooks.install()
        invoices.hooks.install()
        await builders.card()
        staff = await factories.staff()
        a = await issued(await billed_org(), staff, issue_date=dt.date(2026, 2, 3))
        k = await credited(a, issue_date=dt.date(2026, 2, 9))
        expected = {**await stored(a), **await stored(k)}
    finally:
        await Tortoise.close_connections()

    out = tmp_path / "out"
    done = await asyncio.to_thread(_cli, "export-documents", "--period", "2026-02", "--out", str(out), database_url=url)
    assert done.returncode == 0, done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == expected
    summary = done.stdout.strip().splitlines()[-1]
    assert "1 invoice(s), 1 credit note(s); 4 file(s) written" in summary and "sha256 verified" in summary

    bad = await asyncio.to_thread(_cli, "export-documents", "--period", "2026-2", "--out", str(out), database_url=url)
    assert bad.returncode == 2 and "period must be YYYY-MM" in bad.stderr

    empty = await asyncio.to_thread(
        _cli, "export-documents", "--period", "2026-01", "--out", str(out), database_url=url
    )
    assert empty.returncode == 0, empty.stderr
    assert (
        "No invoices or credit notes issued in 2026-01; 2 document(s) have their service period in it: "
        "choose them with by=service (CLI: --by service)" in empty.stdout
    )
    by_service = await asyncio.to_thread(
        _cli,
        "export-documents",
        "--period",
        "2026-01",
        "--by",
        "service",
        "--out",
        str(tmp_path / "service"),
        database_url=url,
    )
    assert by_service.returncode == 0, by_service.stderr
    assert "1 invoice(s) and 1 credit note(s) with their service period starting in 2026-01." in by_service.stdout
    assert {p.name for p in (tmp_path / "service").iterdir()} == set(expected)
    future = await asyncio.to_thread(
        _cli, "export-documents", "--period", "9999-12", "--out", str(out), database_url=url
    )
    assert future.returncode == 2 and "has not begun" in future.stderr
