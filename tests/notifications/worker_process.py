"""A delivery worker in its own process, for the multi-worker test: initialise Tortoise on DATABASE_URL, print
`ready`, wait for `go` on stdin (so the processes start together), drain the outbox into SMTP_URL, print a
JSON summary."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from tortoise import Tortoise

from notifications.mailer import SmtpMailer
from notifications.settings import MailSettings
from notifications.worker import OutboxWorker
from tripdesk.db import tortoise_config


async def main() -> None:
    await Tortoise.init(config=tortoise_config(os.environ["DATABASE_URL"]), _enable_global_fallback=True)
    try:
        settings = MailSettings()
        worker = OutboxWorker(mailer=SmtpMailer(settings.smtp_url or ""), settings=settings)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        await worker.drain()
        await worker.mailer.close()
        print(
            json.dumps(
                {"worker": worker.worker_id, "sent": worker.sent, "retried": worker.retried, "parked": worker.parked}
            ),
            flush=True,
        )
    finally:
        await Tortoise.close_connections()


if __name__ == "__main__":
    asyncio.run(main())
