"""Ticket intake throughput: POST /api/v1/tickets on tripdesk (one uvicorn worker, PostgreSQL) against a bare
Starlette + asyncpg endpoint inserting the same row, measured in the same run; then GET /tickets with
filters on 100,000 tickets. Load comes from wrk (bench/wrk.py), a native generator.

    .venv/bin/python bench/ticket_intake.py [--duration 12] [--rounds 4] [--concurrency 32] [--tickets 100000]

Needs PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres) and wrk (installed
from Debian's packages when missing and running as root). Creates and drops its own database. The outbox
worker is off in the measured process (production runs it as its own process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.machine import cpu_ticks, machine_note  # noqa: E402
from bench.wrk import WrkResult, ensure_wrk, run_wrk  # noqa: E402
from support.numbering import ticket_number  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def dsn(database: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/" + database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


async def setup(database: str) -> tuple[int, int, str]:
    """Migrate with the real migrations, then create an organisation, a contact and a token."""
    env = {**os.environ, "DATABASE_URL": dsn(database).replace("postgresql://", "postgres://")}
    subprocess.run(
        [sys.executable, "-m", "tripdesk.cli", "migrate"], cwd=REPO, env=env, check=True, capture_output=True
    )
    from tortoise import Tortoise

    from core.auth import Role
    from support import service
    from support.models import Contact, Organisation, OrganisationKind
    from tripdesk.db import tortoise_config

    await Tortoise.init(config=tortoise_config(env["DATABASE_URL"]), _enable_global_fallback=True)
    await Tortoise.generate_schemas(safe=True)  # no-op when the migrations built everything
    org = await Organisation.create(
        name="Benchkommun", kind=OrganisationKind.municipality, population=1000, organisation_number="212000-2627"
    )
    contact = await Contact.create(organisation=org, name="Bench", email="bench@example.se")
    _, token = await service.create_token(name="bench", role=Role.support)
    await Tortoise.close_connections()
    return org.id, contact.id, token


TICKET_TEXTS = [
    ("Fel i API efter uppdatering", "Efter patchen returnerar GET /api/arenden 500 för alla ärenden."),
    ("Hur autentiserar vi?", "Vi får 401 när vi hämtar token med klientcertifikat, finns exempel?"),
    ("Importen är långsam", "Batchimporten av 200 000 poster tar över en timme och får timeouts."),
    ("Aktivera dokument-API", "Vi får 403 på /api/dokument, kan ni aktivera gränssnittet hos oss?"),
    ("Request: bulk endpoint", "Could you add an endpoint that returns all cases changed since a date?"),
    ("Läser databasen direkt", "Vår rapport läser direkt ur tabellerna, kolumnerna har bytt namn."),
]


def intake_bodies(contact_id: int) -> list[tuple[str, str]]:
    """JSON bodies around a counter (`{"subject": "… #` + n + `", …}`), so every ticket's subject differs."""
    pairs = []
    for subject, body in TICKET_TEXTS:
        whole = json.dumps({"subject": f"{subject} #@@", "body": body, "requester_id": contact_id})
        prefix, suffix = whole.split("@@")
        pairs.append((prefix, suffix))
    return pairs


def intake(port: int, token: str, contact_id: int, *, connections: int, seconds: float) -> WrkResult:
    return run_wrk(
        f"http://127.0.0.1:{port}",
        method="POST",
        path="/api/v1/tickets",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        bodies=intake_bodies(contact_id),
        connections=connections,
        seconds=seconds,
    )


def serve(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log = open(f"/tmp/tripdesk-bench-{port}.log", "wb")  # a pipe nobody reads would block the server
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(port)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


async def bulk_tickets(database: str, org_id: int, contact_id: int, count: int) -> None:
    conn = await asyncpg.connect(dsn(database))
    try:
        rng = random.Random(7)
        statuses = ["new", "triaged", "in_progress", "waiting_on_customer", "resolved", "closed"]
        categories = ["defect", "assistance", "performance", "activation", "extension", "unofficial"]
        now = time.time()
        import datetime as dt

        rows = []
        # two years of history, numbered per year like real tickets, ids increasing with time
        created_times = sorted(now - rng.randint(0, 730 * 86400) for _ in range(count))
        # the intake run numbered this year's first tickets already: history continues after them
        per_year: dict[int, int] = {
            row["year"]: row["last"]
            for row in await conn.fetch(
                "SELECT split_part(number, '-', 2)::int AS year, max(split_part(number, '-', 3)::int) AS last "
                "FROM support_ticket WHERE number ~ '^SUP-[0-9]+-[0-9]+$' GROUP BY 1"
            )
        }  # bare rows: no number
        for i, stamp in enumerate(created_times):
            subject, body = TICKET_TEXTS[i % len(TICKET_TEXTS)]
            created = dt.datetime.fromtimestamp(stamp, dt.UTC)
            per_year[created.year] = per_year.get(created.year, 0) + 1
            rows.append(
                (
                    ticket_number(created.year, per_year[created.year]),
                    f"{subject} {i}",
                    body * 3,
                    contact_id,
                    org_id,
                    org_id,
                    rng.choice(categories),
                    "suggested",
                    0.9,
                    rng.choice(statuses),
                    created,
                    created,
                )
            )
        await conn.copy_records_to_table(
            "support_ticket",
            records=rows,
            columns=[
                "number",
                "subject",
                "body",
                "requester_id",
                "organisation_id",
                "bill_to_id",
                "category",
                "classification_state",
                "classification_confidence",
                "status",
                "created_at",
                "updated_at",
            ],
        )
        await conn.execute("VACUUM ANALYZE support_ticket")  # steady state: GIN pending list merged
    finally:
        await conn.close()


LIST_QUERIES = [
    "/api/v1/tickets?limit=50",
    "/api/v1/tickets?status=in_progress",
    "/api/v1/tickets?category=performance&status=new",
    "/api/v1/tickets?organisation_id={org}&limit=100",
    "/api/v1/tickets?created_from=2026-03-01&created_to=2026-03-31",
    "/api/v1/tickets?q=SUP-2025",
    "/api/v1/tickets?q=SUP-2025-00042",
    "/api/v1/tickets?q=timeouts&status=closed",
    "/api/v1/tickets?category=defect&created_from=2026-06-01",
]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=12, help="seconds of intake load per side")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    ensure_wrk()

    database = f"tripdesk_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{database}"')
    procs: list[subprocess.Popen[bytes]] = []
    try:
        org_id, contact_id, token = await setup(database)
        base_env = {
            **os.environ,
            "DATABASE_URL": dsn(database).replace("postgresql://", "postgres://"),
            "TRIPDESK_OUTBOX_WORKER": "false",
            "TRIPDESK_LOG_JSON": "true",
            "TRIPDESK_DATA_DIR": f"/tmp/{database}",
        }

        port = free_port()
        proc = serve([sys.executable, "-m", "tripdesk.cli", "serve", "--port", str(port)], base_env, port)
        procs.append(proc)
        bare_port = free_port()
        bare_env = {
            **base_env,
            "BARE_DSN": dsn(database),
            "BARE_ORG_ID": str(org_id),
            "BARE_CONTACT_ID": str(contact_id),
            "PYTHONPATH": str(REPO),
        }
        bare = serve(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.bare_intake:app",
                "--port",
                str(bare_port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            bare_env,
            bare_port,
        )
        procs.append(bare)
        sides = {"tripdesk": port, "bare": bare_port}
        for side_port in sides.values():  # warm caches and plans
            intake(side_port, token, contact_id, connections=args.concurrency, seconds=2)
        # Alternate the two sides, round by round: on a shared machine whose speed drifts by tens of percent
        # within a minute, one long stretch each would measure the drift as much as the code.
        rounds: dict[str, list[WrkResult]] = {side: [] for side in sides}
        intake_ticks = cpu_ticks()
        round_ratios = []
        for _ in range(args.rounds):
            this_round = {}
            for side, side_port in sides.items():
                this_round[side] = one = intake(
                    side_port,
                    token,
                    contact_id,
                    connections=args.concurrency,
                    seconds=max(1.0, args.duration / args.rounds),
                )
                rounds[side].append(one)
            round_ratios.append(this_round["tripdesk"].rps / this_round["bare"].rps)
        intake_machine = machine_note(intake_ticks, cpu_ticks())
        stop(proc)
        stop(bare)
        tripdesk, baseline = (WrkResult.combined(rounds[side]) for side in ("tripdesk", "bare"))

        print(
            f"POST /api/v1/tickets, wrk with {args.concurrency} connections, {args.duration:.0f} s per side in "
            f"{args.rounds} alternating rounds, one uvicorn worker, PostgreSQL"
        )
        print(tripdesk.summary("tripdesk (auth+validate+classify+…)"))
        print(baseline.summary("bare Starlette + asyncpg INSERT"))
        print("ratio per round: " + ", ".join(f"{r:.2f}" for r in round_ratios))
        print(f"ratio tripdesk / bare: {tripdesk.rps / baseline.rps:.2f}  (target: no worse than 0.24)")
        print(intake_machine)

        await bulk_tickets(database, org_id, contact_id, args.tickets)
        port = free_port()
        proc = serve([sys.executable, "-m", "tripdesk.cli", "serve", "--port", str(port)], base_env, port)
        procs.append(proc)
        print(f"\nGET /api/v1/tickets with filters over {args.tickets:,} tickets, wrk with 8 connections")
        mixes = []
        list_ticks = cpu_ticks()
        headers = {"Authorization": f"Bearer {token}"}
        for query in LIST_QUERIES:
            query = query.format(org=org_id)
            url = f"http://127.0.0.1:{port}"
            run_wrk(url, path=query, headers=headers, connections=8, seconds=1)  # warm plans and caches
            one = run_wrk(url, path=query, headers=headers, connections=8, seconds=max(2.0, args.duration / 4))
            print(one.summary(query.replace("/api/v1/tickets", "")[:34]))
            mixes.append(one)
        stop(proc)
        combined = WrkResult.combined(mixes)
        print(
            f"all filter mixes: worst mix p50 {combined.p50_ms:.1f} ms, worst mix p99 {combined.p99_ms:.1f} ms "
            "(target p99 < 50 ms)"
        )
        print(machine_note(list_ticks, cpu_ticks()))
    finally:
        for proc in procs:
            if proc.poll() is None:
                stop(proc)
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
