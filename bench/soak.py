"""Soak: a realistic mix against one `tripdesk serve` on PostgreSQL for a long time (default 10 minutes).

    .venv/bin/python bench/soak.py [--duration 600] [--clients 8] [--memray OUT.bin]

Mix per client loop: open a ticket, confirm its category, comment, log time, list tickets with filters, read
a ticket; every 60 s one client approves the time logged so far and runs + issues an invoice run for the
month (documents rendered, invoice emails queued). The outbox worker runs inside the server and delivers to
an SMTP server in this process. Reports throughput, p99 per route, errors (must be 0), the server's RSS
every minute, its growth after warm-up (must stay under 10 %) and over the last third of the run (must stay
under 2 % for a 30-minute run: memory that levels off). With --memray the server runs under
`memray run --native` (memray must be installed: `pip install memray`), for `memray flamegraph --leaks` or
`memray stats` afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import asyncpg
import httpx

from support.timetracking.settings import business_today

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.notifications.smtp import SmtpServer, free_port  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SUBJECTS = [
    ("Fel i API efter uppdatering", "GET /api/arenden ger 500 efter patchen i helgen.", "defect"),
    ("Hur hämtar vi token?", "Vi får 401 från token-endpointen, hur ska anropet se ut?", "assistance"),
    ("Importen tar timmar", "Nattbatchen mot API:et tar fyra timmar och får timeouts.", "performance"),
    ("Aktivera dokumentgränssnittet", "Vi får 403 på /api/dokument, kan ni aktivera det?", "activation"),
]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def record(self, route: str, seconds: float) -> None:
        self.latency[route].append(seconds)


async def timed(
    stats: Stats,
    http: httpx.AsyncClient,
    route: str,
    method: str,
    url: str,
    *,
    expect: tuple[int, ...] = (200, 201),
    **kw,
) -> httpx.Response:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = await http.request(method, url, **kw)
    stats.record(route, time.perf_counter() - started)
    if response.status_code not in expect:
        stats.errors.append(f"{method} {route} → {response.status_code} {response.text[:200]}")
    return response


async def client_loop(
    stats: Stats,
    http: httpx.AsyncClient,
    api: str,
    support: dict,
    contacts: list[int],
    deadline: float,
    rng: random.Random,
) -> None:
    today = business_today().isoformat()  # the server's business day (TRIPDESK_TIMEZONE)
    while time.monotonic() < deadline:
        subject, body, category = rng.choice(SUBJECTS)
        created = await timed(
            stats,
            http,
            "POST /tickets",
            "POST",
            f"{api}/tickets",
            headers=support,
            json={"subject": subject, "body": body, "requester_id": rng.choice(contacts)},
        )
        if created.status_code != 201:
            continue
        ticket_id = created.json()["id"]
        await timed(
            stats,
            http,
            "POST /tickets/{id}/classification",
            "POST",
            f"{api}/tickets/{ticket_id}/classification",
            headers=support,
            json={"category": category, "reason": "bekräftad av handläggare"},
        )
        await timed(
            stats,
            http,
            "POST /tickets/{id}/comments",
            "POST",
            f"{api}/tickets/{ticket_id}/comments",
            headers=support,
            json={"body": "Vi tittar på det och återkommer.", "public": rng.random() < 0.5},
        )
        await timed(
            stats,
            http,
            "POST /tickets/{id}/time-entries",
            "POST",
            f"{api}/tickets/{ticket_id}/time-entries",
            headers=support,
            json={"work_date": today, "minutes": rng.randint(5, 120), "description": "Felsökning och svar till kund"},
        )
        await timed(
            stats,
            http,
            "GET /tickets?filters",
            "GET",
            f"{api}/tickets",
            headers=support,
            params=rng.choice([{"status": "new"}, {"category": "assistance"}, {"q": "token"}, {"limit": 100}]),
        )
        await timed(stats, http, "GET /tickets/{id}", "GET", f"{api}/tickets/{ticket_id}", headers=support)


async def billing_loop(
    stats: Stats, http: httpx.AsyncClient, api: str, admin: dict, finance: dict, deadline: float
) -> None:
    today = business_today()
    while time.monotonic() < deadline:
        await asyncio.sleep(min(60, max(0, deadline - time.monotonic())))
        if time.monotonic() >= deadline:
            return
        ids, cursor = [], None
        while True:
            page = await timed(
                stats,
                http,
                "GET /time-entries",
                "GET",
                f"{api}/time-entries",
                headers=admin,
                params={"approved": "false", "limit": 200, **({"cursor": cursor} if cursor else {})},
            )
            ids += [e["id"] for e in page.json()["items"] if e["billable"]]
            cursor = page.json().get("next_cursor")
            if not cursor:
                break
        for start in range(0, len(ids), 500):
            await timed(
                stats,
                http,
                "POST /time-entries/approve",
                "POST",
                f"{api}/time-entries/approve",
                headers=admin,
                json={"ids": ids[start : start + 500]},
            )
        await timed(
            stats,
            http,
            "GET /reports/time",
            "GET",
            f"{api}/reports/time",
            headers=finance,
            params={"period_start": today.replace(day=1).isoformat(), "period_end": today.isoformat()},
        )
        run = await timed(
            stats,
            http,
            "POST /invoice-runs",
            "POST",
            f"{api}/invoice-runs",
            headers=finance,
            json={
                "period_start": today.replace(day=1).isoformat(),
                "period_end": today.isoformat(),
                "allow_open_period": True,
            },
        )
        for invoice in run.json().get("invoices", []) if run.status_code in (200, 201) else []:
            await timed(
                stats,
                http,
                "POST /invoices/{id}/issue",
                "POST",
                f"{api}/invoices/{invoice['id']}/issue",
                headers=finance,
            )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--memray", type=Path, help="record the server's allocations into this file")
    parser.add_argument(
        "--pool", type=int, metavar="N", help="start the server's connection pool at full size N (minsize = maxsize)"
    )
    args = parser.parse_args()

    database = f"tripdesk_soak_{uuid.uuid4().hex[:8]}"
    admin_conn = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    await admin_conn.execute(f'CREATE DATABASE "{database}"')
    smtp = SmtpServer()
    smtp.start()
    data_dir = Path(f"/tmp/{database}")
    pool = "" if args.pool is None else f"?minsize={args.pool}&maxsize={args.pool}"
    env = {
        **os.environ,
        "DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + "/" + database + pool,
        "SMTP_URL": smtp.url,
        "TRIPDESK_DATA_DIR": str(data_dir),
        "TRIPDESK_LOG_JSON": "true",
    }
    server = None
    try:
        for step in (["migrate"], ["seed-demo"]):
            subprocess.run(
                [sys.executable, "-m", "tripdesk.cli", *step], cwd=REPO, env=env, check=True, capture_output=True
            )
        token_out = subprocess.run(
            [sys.executable, "-m", "tripdesk.cli", "create-token", "--role", "admin", "--name", "soak"],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        admin_token = token_out.stdout.strip().splitlines()[-1]
        port = free_port()
        data_dir.mkdir(parents=True, exist_ok=True)
        profiler = (
            []
            if args.memray is None
            else ["-m", "memray", "run", "--native", "--force", "-o", str(args.memray.resolve())]
        )
        server = subprocess.Popen(
            [sys.executable, *profiler, "-m", "tripdesk.cli", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=(data_dir / "server.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        api = f"http://127.0.0.1:{port}/api/v1"
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=args.clients + 4)) as http:
            for _ in range(600):
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            admin = {"Authorization": f"Bearer {admin_token}"}
            staff = (await http.get(f"{api}/staff", headers=admin)).json()["items"]
            lead = next(s for s in staff if s["is_lead"])
            support_token = (
                await http.post(
                    f"{api}/tokens",
                    headers=admin,
                    json={"name": "soak support", "role": "support", "staff_id": lead["id"]},
                )
            ).json()["token"]
            finance_token = (
                await http.post(f"{api}/tokens", headers=admin, json={"name": "soak finance", "role": "finance"})
            ).json()["token"]
            support = {"Authorization": f"Bearer {support_token}"}
            finance = {"Authorization": f"Bearer {finance_token}"}
            contacts = []
            for org in (await http.get(f"{api}/organisations", headers=admin)).json()["items"]:
                contacts += [
                    c["id"]
                    for c in (await http.get(f"{api}/organisations/{org['id']}/contacts", headers=admin)).json()[
                        "items"
                    ]
                ]
            stats = Stats()
            started = time.monotonic()
            deadline = started + args.duration
            memory: list[tuple[float, int]] = []
            connections: list[int] = []

            async def sample_memory() -> None:
                while time.monotonic() < deadline:
                    memory.append((time.monotonic() - started, rss_kib(server.pid)))  # type: ignore[union-attr]
                    connections.append(
                        await admin_conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", database)
                    )
                    await asyncio.sleep(5)

            await asyncio.gather(
                sample_memory(),
                billing_loop(stats, http, api, admin, finance, deadline),
                *[
                    client_loop(stats, http, api, support, contacts, deadline, random.Random(i))
                    for i in range(args.clients)
                ],
            )
            elapsed = time.monotonic() - started
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        smtp.stop()
        await admin_conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin_conn.close()

    total = sum(len(v) for v in stats.latency.values())
    print(f"soak: {elapsed:.0f} s, {args.clients} clients, one uvicorn worker on PostgreSQL, outbox worker in-process")
    print(
        f"throughput {total / elapsed:.1f} req/s, {total} requests, errors {len(stats.errors)}, "
        f"emails delivered {len(smtp.received)}"
    )
    for route, values in sorted(stats.latency.items()):
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
        print(f"  {route:<36} n={len(values):6d}  p50 {ordered[len(ordered) // 2] * 1000:7.1f} ms  p99 {p99:7.1f} ms")
    report_memory(memory, elapsed)
    if connections:
        print(
            "server connections, the most open in each minute: "
            + ", ".join(
                str(max(connections[minute * 12 : (minute + 1) * 12], default=0))
                for minute in range(len(connections) // 12)
            )
        )
    for error in stats.errors[:10]:
        print("  error:", error)


def rss_at(memory: list[tuple[float, int]], moment: float) -> float:
    """Mean RSS (KiB) of the samples within 15 s of `moment`: one sample alone catches a passing peak."""
    near = [rss for t, rss in memory if abs(t - moment) <= 15] or [min(memory, key=lambda m: abs(m[0] - moment))[1]]
    return sum(near) / len(near)


def report_memory(memory: list[tuple[float, int]], elapsed: float) -> None:
    """RSS each minute; growth after warm-up (first minute, or a fifth of a short run) and over the last third."""
    if not memory:
        return
    print(
        "memory (RSS) each minute: "
        + ", ".join(
            f"{minute}m {rss_at(memory, minute * 60) / 1024:.0f}" for minute in range(1, int(elapsed // 60) + 1)
        )
        + " MiB"
    )
    warm_at, third_at, end_at = min(60, elapsed / 5), elapsed * 2 / 3, memory[-1][0]
    warm, third, end = rss_at(memory, warm_at), rss_at(memory, third_at), rss_at(memory, end_at)
    print(
        f"memory after warm-up {warm / 1024:.1f} MiB → end {end / 1024:.1f} MiB: "
        f"growth {100 * (end - warm) / warm:+.1f} % (limit 10 %)"
    )
    print(
        f"memory over the last third ({third_at / 60:.0f}-{end_at / 60:.0f} min): {third / 1024:.1f} → "
        f"{end / 1024:.1f} MiB, growth {100 * (end - third) / third:+.1f} % (limit 2 % over a 30-minute run)"
    )


if __name__ == "__main__":
    asyncio.run(main())
