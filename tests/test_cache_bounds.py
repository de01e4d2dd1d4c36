"""Every per-process cache stays within its configured bound under sustained intake.

2,000 ticket intakes (and deliveries of their receipts) run through one process with small bounds, so
each cache is filled to its bound and then kept there: the classifier's word cache, verified tokens, metric
series, quoted rates, validated addresses, compiled email templates and, on PostgreSQL, asyncpg's prepared
statements per connection.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from jinja2.utils import LRUCache
from prometheus_client import generate_latest
from starlette.applications import Starlette
from tortoise import Tortoise

from core.auth import Role
from tests import factories as f

INTAKES = 2_000
BOUNDS = {
    "TRIPDESK_CLASSIFIER_WORD_CACHE": 300,
    "TRIPDESK_TOKEN_CACHE_ENTRIES": 6,
    "TRIPDESK_METRICS_MAX_SERIES": 8,
    "TRIPDESK_RATE_QUOTE_CACHE_ENTRIES": 3,
    "TRIPDESK_DB_STATEMENT_CACHE": 4,
    "OUTBOX_ADDRESS_CACHE_SIZE": 5,
    "OUTBOX_TEMPLATE_CACHE_SIZE": 2,
}
WORDS = (
    "fel",
    "anrop",
    "token",
    "import",
    "svarstid",
    "dokument",
    "gränssnitt",
    "aktivera",
    "patch",
    "timeout",
    "endpoint",
    "behörighet",
    "arende",
    "personnummer",
    "batch",
    "webhook",
)

pytestmark = pytest.mark.slow


def _clear_configured() -> None:
    """Forget every object built from the settings, so the next use reads the environment again."""
    from notifications.settings import get_mail_settings
    from notifications.templating import environment
    from support.classification.model_store import set_classifier
    from support.settings import get_settings

    get_settings.cache_clear()
    get_mail_settings.cache_clear()
    environment.cache_clear()
    set_classifier(None)  # rebuilt (from the disk cache) with the word cache bound in force


@pytest.fixture
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in BOUNDS.items():
        monkeypatch.setenv(name, str(value))
    for name in ("TRIPDESK_RATE_QUOTE_CACHE_SECONDS", "TRIPDESK_TOKEN_CACHE_SECONDS"):
        monkeypatch.setenv(name, "3600")  # nothing expires during the test: only the bound limits the size
    _clear_configured()
    yield
    monkeypatch.undo()
    _clear_configured()


@pytest.fixture
async def bounded_client(small_bounds: None, db: str) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    """The app over a database whose connections were opened with the small bounds."""
    from support.settings import get_settings
    from tripdesk.app import create_app
    from tripdesk.db import close_connections, tortoise_config

    if db.startswith("postgres"):  # reopen the pools: the statement cache size is set per connection
        await close_connections()
        await Tortoise.init(config=tortoise_config(db), _enable_global_fallback=True)
    app = create_app(settings=get_settings().model_copy(update={"database_url": db}), init_db=False, background=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tripdesk.test") as http:
        yield http, app


def word_caches() -> list:
    from support.classification.model_store import get_classifier

    features = get_classifier()._features
    return [counter._cached for counter, _, _ in features._blocks if hasattr(counter, "_cached")]


def statement_caches() -> list[tuple[int, int]]:
    """(entries, bound) of asyncpg's statement cache on every open PostgreSQL connection."""
    from core.db import GENERIC_PLANS, _generic_plans

    clients = [Tortoise.get_connection("default")] + ([_generic_plans] if _generic_plans is not None else [])
    found = []
    for client in clients:
        pool = getattr(client, "_pool", None)
        for holder in getattr(pool, "_holders", []):
            conn = holder._con
            if conn is not None and not conn.is_closed():
                found.append((len(conn._stmt_cache), conn._stmt_cache.get_max_size()))
    assert GENERIC_PLANS
    return found


async def test_caches_stay_within_their_bounds_over_2000_intakes(
    bounded_client: tuple[httpx.AsyncClient, Starlette], tmp_path: Path
) -> None:
    from billing.rates import quote_cache
    from notifications.mailer import FileMailer
    from notifications.service import address_cache
    from notifications.settings import get_mail_settings
    from notifications.templating import environment
    from notifications.worker import OutboxWorker

    client, app = bounded_client
    rng = random.Random(21)
    orgs = [await f.organisation() for _ in range(4)]
    requesters = [await f.contact(org) for org in orgs for _ in range(3)]  # 12 addresses
    tokens = [f.bearer(await f.token(Role.support, name=f"support {i}")) for i in range(10)]
    # Words never seen before keep arriving (names, ids, typos): the word cache must evict, not grow.
    fresh = (f"kod{n}x" for n in itertools.count())
    for i in range(INTAKES):
        headers = tokens[i % len(tokens)]
        if i % 50 == 0:  # a random token each time: refused, and remembered as refused
            headers = f.bearer(f"td_{rng.getrandbits(128):032x}")
        body = " ".join([*rng.sample(WORDS, 6), next(fresh), next(fresh)])
        response = await client.post(
            "/api/v1/tickets",
            headers=headers,
            json={
                "subject": f"Ärende {i}: {rng.choice(WORDS)}",
                "body": body,
                "requester_id": rng.choice(requesters).id,
            },
        )
        assert response.status_code == (401 if i % 50 == 0 else 201), response.text
        if i % 100 == 1:  # other routes, statuses and invented methods: more label sets than the bound
            ticket_id = response.json()["id"]
            await client.get(f"/api/v1/tickets/{ticket_id}", headers=tokens[0])
            # a public comment emails the requester through the outbox (validating the address on both backends)
            comment = await client.post(
                f"/api/v1/tickets/{ticket_id}/comments",
                headers=tokens[0],
                json={"body": "Vi tittar på det.", "public": True},
            )
            assert comment.status_code == 201, comment.text
            await client.get("/api/v1/tickets", headers=tokens[0], params={"q": rng.choice(WORDS)})
            await client.request(f"X{i}", "/api/v1/tickets", headers=tokens[0])
            await client.get(f"/no-such-page-{i}")

    # Delivering receipts quotes rates, validates addresses and renders templates; four batches reach each bound.
    worker = OutboxWorker(mailer=FileMailer(tmp_path / "mail"), settings=get_mail_settings())
    for _ in range(4):
        assert await worker.run_once() == get_mail_settings().batch_size

    for cache in word_caches():
        info = cache.cache_info()
        assert info.maxsize == BOUNDS["TRIPDESK_CLASSIFIER_WORD_CACHE"] and info.currsize == info.maxsize
    assert word_caches(), "the classifier has no word cache to check"

    token_cache = app.state.token_cache
    assert len(token_cache) == token_cache.max_entries == BOUNDS["TRIPDESK_TOKEN_CACHE_ENTRIES"]

    metrics = app.state.metrics
    assert metrics.series_count() == BOUNDS["TRIPDESK_METRICS_MAX_SERIES"]
    exposed = generate_latest(metrics.registry).decode()  # what a scrape returns
    counted = re.findall(r"^tripdesk_http_requests_total\{(.*)\} (\S+)$", exposed, re.MULTILINE)
    assert len(counted) <= BOUNDS["TRIPDESK_METRICS_MAX_SERIES"]
    assert any('route="overflow"' in labels for labels, _ in counted)
    requests_made = INTAKES + 5 * (INTAKES // 100)
    assert sum(float(n) for _, n in counted) == requests_made  # bounded, and still every request counted

    quotes = quote_cache()
    assert quotes is not None and len(quotes) == quotes.maxsize == BOUNDS["TRIPDESK_RATE_QUOTE_CACHE_ENTRIES"]

    cached = address_cache(get_mail_settings().address_cache_size)
    assert hasattr(cached, "cache_info")
    addresses = cached.cache_info()
    assert addresses.maxsize == BOUNDS["OUTBOX_ADDRESS_CACHE_SIZE"] and addresses.currsize == addresses.maxsize

    templates = environment("sv")
    assert (
        isinstance(templates.cache, LRUCache)
        and len(templates.cache) == templates.cache.capacity == BOUNDS["OUTBOX_TEMPLATE_CACHE_SIZE"]
    )

    if Tortoise.get_connection("default").capabilities.dialect == "postgres":
        caches = statement_caches()
        assert caches and all(bound == BOUNDS["TRIPDESK_DB_STATEMENT_CACHE"] for _, bound in caches)
        assert (
            all(size <= bound for size, bound in caches)
            and max(size for size, _ in caches) == BOUNDS["TRIPDESK_DB_STATEMENT_CACHE"]
        )
