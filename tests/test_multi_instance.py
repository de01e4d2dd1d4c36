"""Two `tripdesk serve` processes and two `send-outbox --loop` workers on one PostgreSQL database.

Tickets, time, invoice runs, issuing and email are driven through both instances at once; numbers, invoices
and emails must come out exactly once. Real processes, real sockets, a real SMTP server on loopback.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.timetracking.settings import business_today
from tests.conftest import create_pg_database, drop_pg_database, pg_url
from tests.notifications.smtp import SmtpServer, free_port

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


def tripdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tripdesk.cli", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
    )


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tripdesk.cli", *args],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


async def wait_ready(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{base} did not become ready")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict[str, Any]]:
    name = f"tripdesk_multi_{uuid.uuid4().hex[:8]}"
    asyncio.run(create_pg_database(name))
    smtp = SmtpServer()
    smtp.start()
    env = {
        **os.environ,
        "DATABASE_URL": pg_url(name),
        "SMTP_URL": smtp.url,
        "TRIPDESK_DATA_DIR": str(tmp_path),
        "TRIPDESK_OUTBOX_WORKER": "false",
        "TRIPDESK_TOKEN_CACHE_SECONDS": "0",
        "TRIPDESK_LOG_JSON": "true",
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        migrated = tripdesk("migrate", env=env)
        assert migrated.returncode == 0, migrated.stderr[-2000:]
        created = tripdesk("create-token", "--role", "admin", "--name", "multi", env=env)
        assert created.returncode == 0, created.stderr[-2000:]
        token = created.stdout.strip().splitlines()[-1]
        ports = [free_port(), free_port()]
        for i, port in enumerate(ports):
            procs.append(spawn(["serve", "--port", str(port)], env, tmp_path / f"app{i}.log"))
        for i in range(2):
            procs.append(spawn(["send-outbox", "--loop"], env, tmp_path / f"worker{i}.log"))
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            asyncio.run(wait_ready(base))
        yield {"bases": bases, "token": token, "smtp": smtp, "env": env, "procs": procs, "logs": tmp_path}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        smtp.stop()
        asyncio.run(drop_pg_database(name))


async def call(http: httpx.AsyncClient, method: str, url: str, token: str, **kw: Any) -> httpx.Response:
    response = await http.request(method, url, headers={"Authorization": f"Bearer {token}"}, **kw)
    assert response.status_code < 500, f"{method} {url}: {response.status_code} {response.text[:500]}"
    return response


def test_two_instances_and_two_workers_stay_exactly_once(cluster: dict[str, Any]) -> None:
    delivered = asyncio.run(_drive(cluster))
    assert delivered >= 40 + 4, "every ticket receipt and invoice email was delivered"


async def _drive(cluster: dict[str, Any]) -> int:
    """Drive both instances; asserts the exactly-once properties and returns the number of emails delivered."""
    a, b = [base + "/api/v1" for base in cluster["bases"]]
    admin = cluster["token"]
    today = business_today()  # the servers' business day: work is not dated before its ticket
    async with httpx.AsyncClient(timeout=60) as http:
        lead = (
            await call(
                http,
                "POST",
                f"{a}/staff",
                admin,
                json={"name": "Karin Berg", "email": "karin@tripdesk.example.se", "is_lead": True},
            )
        ).json()
        support = (
            await call(
                http, "POST", f"{b}/tokens", admin, json={"name": "karin", "role": "support", "staff_id": lead["id"]}
            )
        ).json()["token"]
        finance = (await call(http, "POST", f"{a}/tokens", admin, json={"name": "ekonomi", "role": "finance"})).json()[
            "token"
        ]
        card = await call(
            http,
            "POST",
            f"{a}/rate-cards",
            admin,
            json={
                "name": "Standard",
                "valid_from": f"{today.year - 1}-01-01",
                "rates": {"assistance": "1250.00", "performance": "1450.00", "activation": "1250.00"},
            },
        )
        assert card.status_code == 201, card.text
        numbers = ["2120002478", "2120002486", "2120002494", "5566778808"]
        contacts = []
        for i, number in enumerate(numbers):
            org = (
                await call(
                    http,
                    "POST",
                    f"{(a, b)[i % 2]}/organisations",
                    admin,
                    json={
                        "name": f"Kommun {i}",
                        "kind": "municipality",
                        "population": 1000 + i,
                        "organisation_number": number,
                        "street": "Storgatan 1",
                        "postal_code": "123 45",
                        "city": "Ort",
                    }
                    if i < 3
                    else {
                        "name": "Företag AB",
                        "kind": "company",
                        "organisation_number": number,
                        "street": "Gatan 2",
                        "postal_code": "111 22",
                        "city": "Stad",
                    },
                )
            ).json()
            contacts.append(
                (
                    await call(
                        http,
                        "POST",
                        f"{(b, a)[i % 2]}/organisations/{org['id']}/contacts",
                        admin,
                        json={"name": f"Kontakt {i}", "email": f"kontakt{i}@example.se"},
                    )
                ).json()
            )

        # 40 tickets through both instances at once
        tickets = await asyncio.gather(
            *[
                call(
                    http,
                    "POST",
                    f"{(a, b)[i % 2]}/tickets",
                    support,
                    json={
                        "subject": f"Hur anropar vi API:et? ({i})",
                        "body": "Vi behöver hjälp med autentisering.",
                        "requester_id": contacts[i % 4]["id"],
                    },
                )
                for i in range(40)
            ]
        )
        assert all(t.status_code == 201 for t in tickets)
        numbers_seen = sorted(int(t.json()["number"].rsplit("-", 1)[1]) for t in tickets)
        assert numbers_seen == list(range(1, 41)), "ticket numbers must be unique and gap-free"

        # staff confirm the category, log and approve time, through both instances
        await asyncio.gather(
            *[
                call(
                    http,
                    "POST",
                    f"{(b, a)[i % 2]}/tickets/{t.json()['id']}/classification",
                    support,
                    json={"category": "assistance", "reason": "hjälp med anrop"},
                )
                for i, t in enumerate(tickets)
            ]
        )
        entries = await asyncio.gather(
            *[
                call(
                    http,
                    "POST",
                    f"{(a, b)[i % 2]}/tickets/{tickets[i % 40].json()['id']}/time-entries",
                    support,
                    json={"work_date": today.isoformat(), "minutes": 20 + i, "description": f"Genomgång {i}"},
                )
                for i in range(80)
            ]
        )
        assert all(e.status_code == 201 for e in entries), [e.text for e in entries if e.status_code != 201][:2]
        ids = [e.json()["id"] for e in entries]
        approved = await call(http, "POST", f"{a}/time-entries/approve", admin, json={"ids": ids})
        assert approved.status_code == 200, approved.text

        # concurrent invoice runs on both instances, then concurrent issue calls for every draft
        period = {
            "period_start": today.replace(day=1).isoformat(),
            "period_end": today.isoformat(),
            "allow_open_period": True,
        }
        runs = await asyncio.gather(
            *[call(http, "POST", f"{(a, b)[i % 2]}/invoice-runs", finance, json=period) for i in range(6)]
        )
        assert all(r.status_code in (200, 201, 409) for r in runs)
        drafts = (await call(http, "GET", f"{a}/invoices", finance, params={"status": "draft", "limit": 200})).json()[
            "items"
        ]
        assert sorted(d["organisation_id"] for d in drafts) == sorted({d["organisation_id"] for d in drafts})
        assert len(drafts) == 4, drafts
        issued = await asyncio.gather(
            *[call(http, "POST", f"{base}/invoices/{d['id']}/issue", finance) for d in drafts for base in (a, b)]
        )
        assert sorted(r.status_code for r in issued) == [200] * 4 + [409] * 4, [r.status_code for r in issued]
        invoices = (
            await call(http, "GET", f"{b}/invoices", finance, params={"status": "issued", "limit": 200})
        ).json()["items"]
        serials = sorted(int(i["number"].rsplit("-", 1)[1]) for i in invoices)
        assert serials == list(range(serials[0], serials[0] + 4)), "invoice numbers must be consecutive"

        on_invoices = []
        for invoice in invoices:
            detail = (await call(http, "GET", f"{a}/invoices/{invoice['id']}", finance)).json()
            on_invoices += [e["time_entry_id"] for line in detail["lines"] for e in line["entries"]]
        assert sorted(on_invoices) == sorted(ids), "every approved entry on exactly one invoice"

        # every queued email delivered exactly once by the two workers
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            pending = (await call(http, "GET", f"{a}/outbox", admin, params={"status": "pending", "limit": 200})).json()
            sending = (await call(http, "GET", f"{a}/outbox", admin, params={"status": "sending", "limit": 200})).json()
            if not pending["items"] and not sending["items"]:
                break
            await asyncio.sleep(0.5)
        sent, cursor = [], None
        while True:
            page = (
                await call(
                    http,
                    "GET",
                    f"{b}/outbox",
                    admin,
                    params={"status": "sent", "limit": 200, **({"cursor": cursor} if cursor else {})},
                )
            ).json()
            sent += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                break
    received = cluster["smtp"].handler.message_ids()
    assert len(received) == len(set(received)), "an email was delivered twice"
    assert sorted(received) == sorted(m["message_id"] for m in sent), "delivered ≠ marked sent"
    assert len(sent) >= 40 + 4, "every ticket receipt and invoice email was sent"
    return len(received)
