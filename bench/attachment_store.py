"""PostgreSQL as the attachment store: large objects (lo_put/lo_get) against chunked bytea rows.

Writes 100 MiB in one transaction and reads it back chunk by chunk, twice per kind, in a throw-away database;
prints time, the Python memory peak (tracemalloc) and the disk each kind took. Run
`.venv/bin/python bench/attachment_store.py [CHUNK_BYTES]` (default 1 MiB; PG_URL overrides
postgresql://postgres@127.0.0.1:5432/postgres). The figures decided the database store's shape
(support/attachments/storage.py); see bench/README.md.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import tracemalloc
import uuid

import asyncpg

ADMIN = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CHUNK = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 20
TOTAL = 100 * (1 << 20)


async def admin(statement: str) -> None:
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def write(conn: asyncpg.Connection, kind: str, piece: bytes) -> object:
    async with conn.transaction():
        if kind == "large object":
            oid = await conn.fetchval("SELECT lo_create(0)")
            for offset in range(0, TOTAL, CHUNK):
                await conn.execute("SELECT lo_put($1, $2, $3)", oid, offset, piece)
            return oid
        key = uuid.uuid4().hex
        for seq in range(TOTAL // CHUNK):
            await conn.execute("INSERT INTO chunk VALUES ($1, $2, $3)", key, seq, piece)
        return key


async def read(conn: asyncpg.Connection, kind: str, key: object) -> int:
    size = 0
    for seq in range(TOTAL // CHUNK):
        if kind == "large object":
            data = await conn.fetchval("SELECT lo_get($1, $2, $3)", key, seq * CHUNK, CHUNK)
        else:
            data = await conn.fetchval("SELECT data FROM chunk WHERE sha = $1 AND seq = $2", key, seq)
        size += len(data)
    return size


async def main() -> None:
    name = "bench_attachments_" + uuid.uuid4().hex[:8]
    await admin(f'CREATE DATABASE "{name}"')
    conn = await asyncpg.connect(ADMIN.rsplit("/", 1)[0] + "/" + name)
    try:
        await conn.execute("CREATE TABLE chunk (sha text, seq int, data bytea, PRIMARY KEY (sha, seq))")
        piece = os.urandom(CHUNK)
        for kind in ("large object", "rows", "large object", "rows"):
            tracemalloc.start()
            started = time.perf_counter()
            key = await write(conn, kind, piece)
            wrote = time.perf_counter() - started
            started = time.perf_counter()
            size = await read(conn, kind, key)
            took = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert size == TOTAL
            print(
                f"{kind:12} chunk {CHUNK >> 10} KiB: write {wrote:.2f} s ({100 / wrote:.0f} MiB/s), "
                f"read {took:.2f} s ({100 / took:.0f} MiB/s), Python peak {peak / 2**20:.1f} MiB"
            )
        sizes = await conn.fetchrow(
            "SELECT pg_total_relation_size('chunk') AS rows, pg_total_relation_size('pg_largeobject') AS lo"
        )
        print(f"disk for 200 MiB: rows {sizes['rows'] / 2**20:.0f} MiB, large objects {sizes['lo'] / 2**20:.0f} MiB")
    finally:
        await conn.close()
        await admin(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
