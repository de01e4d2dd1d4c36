"""`Idempotency-Key` for POSTs that create: a retry with the same key returns the first result.

The record is written in the same transaction as the resource, so either both exist or neither does.
A key reused with a different body is a 409: it almost certainly means a client bug.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.auth import Principal
from core.errors import Conflict, InvalidInput
from support.models import IdempotencyRecord

MAX_KEY_LENGTH = 200


async def run_once(
    *,
    principal: Principal,
    endpoint: str,
    key: str | None,
    body: bytes,
    create: Callable[[], Awaitable[dict[str, Any]]],
    status: int = 201,
) -> tuple[int, dict[str, Any]]:
    """Run `create` once per (token, endpoint, key); replay its stored response on a retry."""
    if key is None:
        return status, await create()
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} characters")
    fingerprint = hashlib.sha256(body).hexdigest()
    previous = await IdempotencyRecord.get_or_none(token_id=principal.token_id, endpoint=endpoint, key=key)
    if previous is not None:
        return _replay(previous, fingerprint)
    try:
        async with in_transaction():
            response = await create()
            await IdempotencyRecord.create(
                token_id=principal.token_id,
                endpoint=endpoint,
                key=key,
                status=status,
                response={"fingerprint": fingerprint, "body": response},
            )
    except IntegrityError:
        # A concurrent retry won the race; its transaction (and resource) is the one that exists.
        previous = await IdempotencyRecord.get_or_none(token_id=principal.token_id, endpoint=endpoint, key=key)
        if previous is None:
            raise
        return _replay(previous, fingerprint)
    return status, response


def _replay(record: IdempotencyRecord, fingerprint: str) -> tuple[int, dict[str, Any]]:
    stored = record.response
    if stored.get("fingerprint") != fingerprint:
        raise Conflict("this Idempotency-Key was used with a different request body", code="idempotency_key_reused")
    return record.status, stored["body"]
