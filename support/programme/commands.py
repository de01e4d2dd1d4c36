"""`tripdesk unlicensed-applications`: production applications without a fitting licence, one JSON object per
line (application_id, name, organisation_id, organisation_name, production_date, reason, notified_at)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from core.auth import Principal, Role
from support.programme import schemas, service

OPERATOR = Principal(token_id=0, name="tripdesk cli", role=Role.admin)


def register(sub: Any, database: Callable[[], AbstractAsyncContextManager[None]]) -> None:
    report = sub.add_parser(
        "unlicensed-applications", help="production applications without a fitting licence, as JSON lines"
    )
    report.add_argument("--organisation", type=int, default=None, help="only this organisation id")
    report.add_argument("--on", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default today)")

    def run(args: argparse.Namespace) -> int:
        async def fetch() -> schemas.UnlicensedReport:
            async with database():
                query = schemas.UnlicensedQuery(organisation_id=args.organisation, on=args.on)
                return await service.unlicensed_report(principal=OPERATOR, query=query)

        for item in asyncio.run(fetch()).items:
            print(json.dumps(item.model_dump(mode="json"), ensure_ascii=False))
        return 0

    report.set_defaults(handler=run)
