"""A mail fetcher in its own process, for the multi-fetcher and crash tests: initialise Tortoise on
DATABASE_URL, wire the hooks, print `ready`, wait for `go` on stdin (so processes start together), read the
mailbox (IMAP_URL) until it is empty, print a JSON summary. A message handled is reported as `handled N` so a
test can kill the process mid-batch."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys

from tortoise import Tortoise

from notifications.inbound.fetcher import MailFetcher
from tripdesk.db import tortoise_config
from tripdesk.wiring import install_hooks


async def main() -> None:
    await Tortoise.init(config=tortoise_config(os.environ["DATABASE_URL"]), _enable_global_fallback=True)
    install_hooks()
    from support.classification.model_store import load_classifier_async

    await load_classifier_async()
    fetcher = MailFetcher()
    try:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        fetcher.on_handled = lambda uid, result: print(f"handled {uid} {result}", flush=True)
        while await fetcher.run_once():
            pass
        print(json.dumps({"worker": fetcher.worker_id, **dataclasses.asdict(fetcher.stats)}), flush=True)
    finally:
        await fetcher.close()
        await Tortoise.close_connections()


if __name__ == "__main__":
    asyncio.run(main())
