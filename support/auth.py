"""Bearer tokens: random, shown once, stored as SHA-256; verified by an ASGI middleware.

Only the hash is stored, so a database leak yields no usable token. The look-up is by hash (an index
equality), and the final comparison is constant-time. Verified tokens are cached for a few seconds per
process; revocation and expiry therefore take effect within `token_cache_seconds` on every instance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time

from cachetools import TTLCache
from starlette.types import ASGIApp, Receive, Scope, Send

from core.auth import Principal, Role
from support.models import ApiToken

TOKEN_PREFIX = "td_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenCache:
    """Verified tokens (hash → principal, or None for a refused one) for `ttl_seconds`, at most `max_entries`
    of them: a caller sending a new random token with every request must not grow it (expired entries go
    first, then the least recently used)."""

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: TTLCache[str, Principal | None] = TTLCache(max_entries, ttl_seconds, timer=time.monotonic)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token_hash: str) -> tuple[bool, Principal | None]:
        try:
            return True, self._entries[token_hash]
        except KeyError:
            return False, None

    def put(self, token_hash: str, principal: Principal | None) -> None:
        if self.ttl > 0:
            self._entries[token_hash] = principal

    def clear(self) -> None:
        self._entries.clear()


async def principal_for(token: str, cache: TokenCache | None = None) -> Principal | None:
    token_hash = hash_token(token)
    if cache is not None:
        cached, principal = cache.get(token_hash)
        if cached:
            return principal
    row = await ApiToken.filter(token_hash=token_hash).first()
    principal = None
    now = dt.datetime.now(dt.UTC)
    if (
        row is not None
        and hmac.compare_digest(row.token_hash, token_hash)
        and row.revoked_at is None
        and (row.expires_at is None or row.expires_at > now)
    ):
        principal = Principal(
            token_id=row.id,
            name=row.name,
            role=Role(row.role),
            organisation_id=row.organisation_id,
            staff_id=row.staff_id,
        )
    if cache is not None:
        cache.put(token_hash, principal)
    return principal


class BearerAuthMiddleware:
    """Puts the caller's `Principal` (or None) into `scope["state"]["principal"]`; routes decide access."""

    def __init__(self, app: ASGIApp, cache: TokenCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            principal = None
            for name, value in scope["headers"]:
                if name == b"authorization":
                    scheme, _, token = value.decode("latin-1").partition(" ")
                    if scheme.lower() == "bearer" and token.strip():
                        principal = await principal_for(token.strip(), self.cache)
                    break
            scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
