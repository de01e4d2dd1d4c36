"""Machinery for the property-based API test (tests/test_api_fuzz.py).

Schemathesis generates requests from the app's own OpenAPI document and checks each response against it.
Its ASGI transport runs the app on a private event loop in another thread, which the database connections
of the test (aiosqlite, asyncpg) cannot follow. So the roles are swapped: Hypothesis runs in a worker thread
and every generated request is sent with `httpx.ASGITransport` on the test's own loop
(`asyncio.run_coroutine_threadsafe`), while the loop is free because the test awaits the thread. One database
serves all examples of a test; that is what keeps the run short on PostgreSQL.

Generation is derandomized (the same cases on every run) and bounded: `TRIPDESK_FUZZ_EXAMPLES` (default 15)
schema-valid cases per operation for admin, fewer for the other roles and invalid cases, and only a handful
for operations the role may not call (see `examples_for`). Shrinking is off by default to keep a failing
run bounded too; set `TRIPDESK_FUZZ_SHRINK=1` locally to get the minimal failing example.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from core.auth import Role
from core.errors import PROBLEM_CONTENT_TYPE
from support.timetracking.settings import business_today

BASE_URL = "http://tripdesk.test"
MAX_EXAMPLES = int(os.environ.get("TRIPDESK_FUZZ_EXAMPLES", "15"))
SHRINK = os.environ.get("TRIPDESK_FUZZ_SHRINK", "") == "1"
REAL_IDS = range(1, 9)
"""Seeded rows have ids 1..8 (organisations 1..6, contacts and tickets 1..8): positive cases often use them,
so operations on existing rows (updates, state changes, time logging) are reached, not only their 404s."""


async def seed_world(client: httpx.AsyncClient) -> None:
    """Demo data from support and billing, plus an invoice run with two of its drafts issued (so PDFs, UBL,
    credits and payments are reachable), and 20 decoy tokens holding ids 1–20: the fuzzer revokes tokens by
    id, and revoking the token it runs with would turn the rest of the run into 401s."""
    from billing.demo import seed_billing_demo
    from support.demo import seed_demo
    from tests import factories as f

    await seed_demo()
    await seed_billing_demo()
    finance = {"Authorization": f"Bearer {await f.token(Role.finance, name='seed')}"}
    for n in range(19):
        await f.token(Role.finance, name=f"decoy {n}")
    today = business_today()
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    run = await client.post(
        "/api/v1/invoice-runs",
        headers=finance,
        json={"period_start": start.isoformat(), "period_end": today.isoformat(), "allow_open_period": True},
    )
    assert run.status_code == 201, run.text
    for invoice_id in sorted(invoice["id"] for invoice in run.json()["invoices"])[:2]:
        issued = await client.post(f"/api/v1/invoices/{invoice_id}/issue", headers=finance)
        assert issued.status_code == 200, issued.text


def problem_on_client_error(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """House rule: every 4xx is an RFC 9457 problem whose `status` repeats the HTTP status."""
    if not 400 <= response.status_code < 500:
        return
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith(PROBLEM_CONTENT_TYPE), (
        f"{response.status_code} answered with content-type {content_type!r}, not {PROBLEM_CONTENT_TYPE}"
    )
    body = response.json()
    assert isinstance(body, dict) and body.get("status") == response.status_code, (
        f"problem body's status {body.get('status') if isinstance(body, dict) else body!r} "
        f"!= HTTP {response.status_code}"
    )
    assert body.get("type", "").startswith("urn:tripdesk:problem:") and body.get("code"), body


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    problem_on_client_error,
]


REJECTIONS = ["400", "401", "403", "404", "405", "409", "413", "415", "422"]
"""What counts as rejecting invalid input: every problem status the API documents (a 413 for an oversized
invalid body is a correct rejection; schemathesis' default list lacks it)."""


def load_schema(document: dict[str, Any]) -> Any:
    config = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}})
    return schemathesis.openapi.from_dict(document, config=config)


@dataclass
class Report:
    """What one role's run saw: status codes per operation and every failure, with a curl to reproduce."""

    role: str
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    app_seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"[{self.role}] {sum(sum(c.values()) for c in self.statuses.values())} requests "
            f"in {self.seconds:.1f}s ({self.app_seconds:.1f}s in the app), "
            f"{len(self.failures)} failing operation(s)"
        ]
        for label in sorted(self.statuses):
            counts = " ".join(f"{code}×{n}" for code, n in sorted(self.statuses[label].items()))
            lines.append(f"  {label}: {counts}")
        return "\n".join(lines)


class Sender:
    """Sends a schemathesis case through the ASGI app on the loop that owns the database connections."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop, token: str | None) -> None:
        self.client = client
        self.loop = loop
        self.auth = {"Authorization": f"Bearer {token}"} if token else {}
        self.busy = 0.0

    def __call__(self, case: schemathesis.Case) -> schemathesis.Response:
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        # Serialize exactly as schemathesis' own (requests) transport would, so its checks read what was sent.
        prepared = requests.Request(
            method=kwargs["method"],
            url=kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            cookies=kwargs.get("cookies"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
            files=kwargs.get("files"),
        ).prepare()
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        assert body is None or isinstance(body, bytes), "a generated case is never a streamed body"
        sent = {k: v if isinstance(v, str) else v.decode("latin-1") for k, v in prepared.headers.items()}
        started = time.perf_counter()
        future = asyncio.run_coroutine_threadsafe(
            self.client.request(prepared.method or "GET", prepared.url or "", headers=sent, content=body), self.loop
        )
        response = future.result(timeout=60)
        self.busy += time.perf_counter() - started
        headers: dict[str, list[str]] = defaultdict(list)
        for name, value in response.headers.multi_items():
            headers[name].append(value)
        return schemathesis.Response(
            status_code=response.status_code,
            headers=dict(headers),
            content=response.content,
            request=prepared,
            elapsed=time.perf_counter() - started,
            verify=True,
            message=response.reason_phrase,
            encoding=response.encoding,
            http_version="1.1",
        )


def _integer_path_params(operation: Any) -> list[str]:
    return [
        p["name"]
        for p in operation.definition.raw.get("parameters", [])
        if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
    ]


def examples_for(operation: Any, role: str, mode: GenerationMode) -> int:
    """The budget: full for admin, who reaches every operation's logic; two thirds for the other roles on what
    they may call (their difference is scoping); a few where the role is refused (each must be a 403 problem).
    Invalid cases get two thirds of the valid ones."""
    if role not in operation.definition.raw.get("x-roles", [role]):
        return 3 if mode is GenerationMode.POSITIVE else 2
    budget = MAX_EXAMPLES if role == "admin" else max(1, MAX_EXAMPLES * 2 // 3)
    return budget if mode is GenerationMode.POSITIVE else max(1, budget * 2 // 3)


def fuzz_operation(operation: Any, mode: GenerationMode, send: Sender, report: Report) -> None:
    """Run one operation in one generation mode; record statuses and the first failure (if any)."""
    # The token is fixed, not generated: invalid cases then exercise the body, query and path, and a missing
    # token is probed once per operation instead (`probe_without_token`).
    strategy = operation.as_strategy(generation_mode=mode, headers=send.auth)
    id_params = _integer_path_params(operation) if mode is GenerationMode.POSITIVE else []
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if SHRINK else [])

    @settings(
        max_examples=examples_for(operation, report.role, mode),
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
    )
    @given(
        case=strategy,
        ids=st.lists(st.sampled_from(REAL_IDS), min_size=len(id_params), max_size=len(id_params)),
        use_real=st.booleans(),
    )
    def run(case: schemathesis.Case, ids: list[int], use_real: bool) -> None:
        if use_real and id_params:
            case.path_parameters = {**(case.path_parameters or {}), **dict(zip(id_params, ids, strict=True))}
        response = send(case)
        report.statuses[f"{operation.label} [{mode.value}]"][response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            report.failures.append(f"--- {report.role} {operation.label}: no valid request can be generated")
        # negative: nothing in this operation can be made invalid (no body, no constrained parameter)
    except (Exception, BaseExceptionGroup) as exc:  # a failed check: go on with the other operations
        text = "\n".join(line if len(line) <= 400 else line[:400] + " …" for line in str(exc).splitlines())
        report.failures.append(f"--- {report.role} {operation.label} [{mode.value}]\n{text}")


# Retraining takes most of a minute per call and has no request body to fuzz; each schemathesis example
# would retrain again. Its contract (response, admin only, the promotion gate) is tested in
# tests/support/test_classifier*.py; it still gets the no-token probe.
NOT_FUZZED = {"POST /api/v1/classifier/retrain"}


def fuzz_all(schema: Any, send: Sender, report: Report) -> None:
    """Every operation of the document but NOT_FUZZED, positive then negative (runs in a worker thread)."""
    started = time.perf_counter()
    for result in schema.get_all_operations():
        try:
            operation = result.ok()
        except Exception as exc:  # the document itself is broken for this operation: schemathesis says why
            report.failures.append(f"--- {report.role}: an operation cannot be loaded\n{exc}")
            continue
        if operation.label in NOT_FUZZED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_operation(operation, mode, send, report)
    report.seconds = time.perf_counter() - started
    report.app_seconds = send.busy


def probe_without_token(schema: Any, send: Sender, report: Report) -> None:
    """Every protected operation, called without a token, is a documented 401 problem."""
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.definition.raw.get("security"):
            continue
        params = {
            p["name"]: 1 if p.get("schema", {}).get("type") == "integer" else "2026-01"
            for p in operation.definition.raw.get("parameters", [])
            if p.get("in") == "path"
        }
        case = operation.Case(path_parameters=params)
        response = send(case)
        report.statuses[f"{operation.label} [no token]"][response.status_code] += 1
        try:
            assert response.status_code == 401, f"{response.status_code} without a token"
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:
            report.failures.append(f"--- no token: {operation.label}\n{exc}")


async def run_fuzz(schema: Any, client: httpx.AsyncClient, token: str | None, role: Role | str) -> Report:
    """Fuzz every operation as `role`; with no token, probe that every protected operation answers 401."""
    report = Report(role=str(role))
    send = Sender(client, asyncio.get_running_loop(), token)
    await asyncio.to_thread(fuzz_all if token else probe_without_token, schema, send, report)
    return report
