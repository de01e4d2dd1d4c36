"""The SIE 4 export of the demo period, read back by a reader written here from the specification (not the
writer's code): the header records, every #VER balanced, the #KSUMMA checksum, and the totals equal to the
ledger's. The CSV carries the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from billing import credits, ledger, runs, schemas
from billing.demo import seed_billing_demo
from billing.demo_payments import DEMO_FILE
from billing.models import Invoice, InvoiceKind
from billing.payments import schemas as pay_schemas
from billing.payments.models import Payment, PaymentAllocation, PaymentState
from billing.payments.service import assign_payment, import_file, refund_payment
from support.demo import seed_demo
from support.timetracking.settings import business_today
from tests import factories
from tests.billing import builders as b
from tests.factories import bearer


def tokens(line: str) -> list[str | list[str]]:
    """SIE fields: blank-separated, "quoted" with \\" inside, {object lists}."""
    out: list[str | list[str]] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t":
            i += 1
        elif c == '"':
            i += 1
            value = ""
            while line[i] != '"':
                if line[i] == "\\" and line[i + 1] == '"':
                    i += 1
                value += line[i]
                i += 1
            out.append(value)
            i += 1
        elif c == "{":
            close = line.index("}", i)
            out.append([t for t in tokens(line[i + 1 : close]) if isinstance(t, str)])
            i = close + 1
        else:
            j = i
            while j < n and line[j] not in " \t":
                j += 1
            out.append(line[i:j])
            i = j
    return out


def read_sie(data: bytes) -> dict[str, Any]:
    text = data.decode("cp437")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert lines[0] == "#FLAGGA 0" and lines[1] == "#KSUMMA" and lines[-1].startswith("#KSUMMA ")
    crc = 0
    for line in lines[2:-1]:
        if line in ("{", "}"):
            continue
        parts: list[str] = []
        for token in tokens(line):
            parts.extend(token if isinstance(token, list) else [token])
        crc = zlib.crc32("".join(parts).encode("cp437"), crc)
    assert int(lines[-1].split()[1]) == crc, "checksum"
    header: dict[str, list[str | list[str]]] = {}
    vers: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in lines[2:-1]:
        t = tokens(line) if line not in ("{", "}") else []
        if line == "{":
            assert current is not None
        elif line == "}":
            assert current is not None
            vers.append(current)
            current = None
        elif t[0] == "#VER":
            current = {"series": t[1], "number": t[2], "date": t[3], "text": t[4], "rows": []}
        elif t[0] == "#TRANS":
            assert current is not None and t[2] == []
            current["rows"].append((t[1], Decimal(str(t[3]))))
        else:
            assert current is None
            header[str(t[0])] = list(t[1:])
    return {"header": header, "vers": vers}


async def demo_period(data_dir: Path) -> tuple[dt.date, dt.date]:
    """The walk-through: seed (which issues the month before last), invoice last month, issue, import the
    seed's BgMax file, then the hand work."""
    await seed_demo()
    await seed_billing_demo(data_dir=data_dir)
    today = business_today()
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    await runs.run_invoices(
        started_by="demo", period_start=previous, period_end=today.replace(day=1) - dt.timedelta(days=1)
    )
    for draft in await Invoice.filter(status="draft").order_by("id"):
        await ledger.issue_draft(principal=b.FINANCE, invoice_id=draft.id)
    await import_file(principal=b.FINANCE, data=(data_dir / DEMO_FILE).read_bytes())
    invoices = await Invoice.filter(kind=InvoiceKind.invoice, gross_amount__gt=0).order_by("id")
    waiting = await Payment.filter(state=PaymentState.needs_hands).order_by("id")
    unknown = next(p for p in waiting if p.reason == "unknown_ocr")
    over = next(p for p in waiting if p.reason == "overpaid")
    await assign_payment(
        principal=b.FINANCE,
        payment_id=unknown.id,
        data=pay_schemas.PaymentAssign(invoice_id=invoices[1].id, amount=Decimal("100.00")),
    )
    await ledger.mark_paid(principal=b.FINANCE, invoice_id=invoices[1].id, data=schemas.MarkPaid())
    await refund_payment(principal=b.FINANCE, payment_id=over.id, data=pay_schemas.PaymentRefund(note="Åter"))
    await credits.credit_invoice(
        principal=b.FINANCE, invoice_id=invoices[-1].id, data=schemas.CreditCreate(reason="Fel period")
    )
    return today.replace(day=1), today


async def test_sie_of_the_demo_period_reads_back(client: httpx.AsyncClient, db: str, tmp_path: Path) -> None:
    start, today = await demo_period(tmp_path)
    finance = bearer(await factories.token("finance"))
    response = await client.get("/api/v1/bookkeeping/sie", params={"period": f"{start:%Y-%m}"}, headers=finance)
    assert response.status_code == 200, response.text
    sie = read_sie(response.content)
    h = sie["header"]
    assert h["#FORMAT"] == ["PC8"] and h["#SIETYP"] == ["4"] and h["#PROGRAM"][0] == "tripdesk"
    assert h["#ORGNR"] == ["556703-7485"] and h["#KPTYP"] == ["BAS2014"]
    assert h["#RAR"] == ["0", f"{start.year}0101", f"{start.year}1231"]
    assert '#KONTO 1930 "Företagskonto/checkkonto/affärskonto"'.encode("cp437") in response.content  # PC8: ö = 0x94

    by_account: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for ver in sie["vers"]:
        assert ver["rows"] and sum(a for _, a in ver["rows"]) == 0, ver
        assert start <= dt.datetime.strptime(ver["date"], "%Y%m%d").date() <= today
        for account, amount in ver["rows"]:
            by_account[(ver["series"], account)] += amount

    issued = await Invoice.filter(status="issued", issue_date__gte=start)
    invoices = [i for i in issued if i.kind == InvoiceKind.invoice]
    notes = [i for i in issued if i.kind == InvoiceKind.credit_note]
    assert len([v for v in sie["vers"] if v["series"] == "F"]) == len([i for i in invoices if i.gross_amount]) >= 3
    assert by_account[("F", "1510")] == sum(Decimal(i.gross_amount) for i in invoices)
    assert by_account[("K", "1510")] == -sum(Decimal(i.gross_amount) for i in notes)
    vat = sum(Decimal(i.vat_amount) for i in invoices) - sum(Decimal(i.vat_amount) for i in notes)
    assert -(by_account[("F", "2611")] + by_account[("K", "2611")]) == vat
    sales = {k: v for k, v in by_account.items() if k[1].startswith("3")}
    assert -sum(sales.values()) == sum(Decimal(i.net_amount) for i in invoices) - sum(
        Decimal(i.net_amount) for i in notes
    )
    assert ("F", "3308") in sales  # the Finnish customer: reverse charge, sales of services to the EU

    payments = await Payment.all()
    allocations = await PaymentAllocation.all()
    manual = sum(Decimal(a.amount) for a in allocations if a.source == "manual")
    refunded = sum(Decimal(p.unallocated) for p in payments if p.state == PaymentState.resolved)
    bank = sum(v for (series, account), v in by_account.items() if account == "1930")
    assert bank == sum(Decimal(p.amount) for p in payments) + manual - refunded
    receivables = sum(v for (series, account), v in by_account.items() if account == "1510")
    open_in_ledger = (
        sum(Decimal(i.gross_amount) for i in invoices)
        - sum(Decimal(i.gross_amount) for i in notes)
        - sum(Decimal(a.amount) for a in allocations)
    )
    assert receivables == open_in_ledger
    assert sum(v for (series, account), v in by_account.items() if account == "2420") == -sum(
        Decimal(p.unallocated) for p in payments if p.state == PaymentState.needs_hands
    )

    rows = list(
        csv.DictReader(
            io.StringIO(
                (
                    await client.get("/api/v1/bookkeeping/csv", params={"period": f"{start:%Y-%m}"}, headers=finance)
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert len(rows) == sum(len(v["rows"]) for v in sie["vers"])
    assert sum(Decimal(r["debit"]) for r in rows) == sum(Decimal(r["credit"]) for r in rows) > 0


async def test_sie_roles_and_period(client: httpx.AsyncClient, db: str) -> None:
    finance = bearer(await factories.token("finance"))
    bad = await client.get("/api/v1/bookkeeping/sie", params={"period": "2026-13"}, headers=finance)
    assert bad.status_code == 422
    support = bearer(await factories.token("support"))
    assert (
        await client.get("/api/v1/bookkeeping/sie", params={"period": "2026-01"}, headers=support)
    ).status_code == 403
    empty = read_sie(
        (await client.get("/api/v1/bookkeeping/sie", params={"period": "2026-01"}, headers=finance)).content
    )
    assert empty["vers"] == []
