"""`tripdesk` command line (SPEC §3). Scripts and operators depend on these commands and their output.

Part of the composition root: it alone wires every package's commands together.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from tortoise import Tortoise

from core.auth import Role
from support.db import close_connections, tortoise_config
from support.settings import get_settings

Handler = Callable[[argparse.Namespace], int]


@contextlib.asynccontextmanager
async def database() -> AsyncIterator[None]:
    await Tortoise.init(config=tortoise_config(get_settings().database_url), _enable_global_fallback=True)
    try:
        yield
    finally:
        await close_connections()


async def apply_migrations(*, quiet: bool = False) -> None:
    """Apply every package's migrations in dependency order (idempotent)."""
    from tortoise.migrations.api import migrate

    def progress(event: str, app_label: str, name: str) -> None:
        if not quiet and event == "apply_done":
            print(f"  applied {app_label}.{name}")

    await migrate(config=tortoise_config(get_settings().database_url), progress=progress)
    await close_connections()


def cmd_migrate(args: argparse.Namespace) -> int:
    asyncio.run(apply_migrations())
    print("database is up to date")
    return 0


def cmd_create_token(args: argparse.Namespace) -> int:
    from core.errors import DomainError
    from support import service

    async def run() -> str:
        async with database():
            _, token = await service.create_token(name=args.name, role=Role(args.role),
                                                  organisation_id=args.organisation)
            return token

    if args.role == "integrator" and args.organisation is None:
        print("an integrator token needs --organisation ID", file=sys.stderr)
        return 2
    try:
        token = asyncio.run(run())
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"created {args.role} token '{args.name}' (shown once, store it now):")
    print(token)
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from billing.demo import seed_billing_demo
    from support.demo import seed_demo

    async def run() -> dict[str, Any]:
        async with database():
            summary = await seed_demo()
            summary.update(await seed_billing_demo())
            summary.update(await seed_programme_demo())
            return summary

    summary = asyncio.run(run())
    for key, value in summary.items():
        print(f"{key}: {value}")
    return 0


DEMO_TOKEN_FILE = "demo-admin-token"


async def seed_programme_demo() -> dict[str, Any]:
    """The licence model and the partner programme: partners and notices first, then the subscriptions that
    bill the licences (the resold licence needs the partner's agreement)."""
    from billing.subscriptions.demo import seed_subscription_demo
    from support.programme.demo import seed_partner_demo

    summary = await seed_partner_demo()
    summary.update(await seed_subscription_demo())
    return summary


async def first_start() -> str | None:
    """On an empty database: migrate, seed the demo data, create a demo admin token (kept in the data dir
    so later starts can remind the user of it)."""
    from billing.demo import seed_billing_demo
    from support import service
    from support.demo import seed_demo
    from support.models import Organisation

    await apply_migrations(quiet=True)
    token_file = get_settings().data_dir / DEMO_TOKEN_FILE
    async with database():
        if not await Organisation.exists():
            await seed_demo()
            await seed_billing_demo()
            await seed_programme_demo()
            _, token = await service.create_token(name="demo admin", role=Role.admin)
            token_file.parent.mkdir(parents=True, exist_ok=True)
            token_file.write_text(token + "\n")
            os.chmod(token_file, 0o600)
    return token_file.read_text().strip() if token_file.exists() else None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from support.app import create_app
    from support.logs import configure_logging

    settings = get_settings()
    configure_logging(json_logs=settings.log_json)
    if args.first_start:
        token = asyncio.run(first_start())
        if token:
            print(f"demo admin token: {token}\n  try: curl -H 'Authorization: Bearer {token}' "
                  f"http://{args.host}:{args.port}/api/v1/tickets", flush=True)
    uvicorn.run(create_app(settings=settings), host=args.host, port=args.port, log_level="warning",
                access_log=False, timeout_graceful_shutdown=20)
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from support.classification import cli as classification_cli

    if args.eval:
        return classification_cli.run_eval(args.eval, show_errors=args.show_errors)
    return classification_cli.run_classify(sys.stdin, sys.stdout)


def cmd_retrain(args: argparse.Namespace) -> int:
    from support.classification import cli as classification_cli

    async def run() -> int:
        async with database():
            return await classification_cli.run_retrain_async()

    return asyncio.run(run())


def build_parser() -> argparse.ArgumentParser:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="tripdesk", description="Support desk and consultancy billing.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the HTTP API (and the outbox worker)")
    serve.add_argument("--host", default=settings.host)
    serve.add_argument("--port", type=int, default=settings.port)
    serve.add_argument("--first-start", action="store_true",
                       help="migrate, and on an empty database seed demo data and print an admin token")
    serve.set_defaults(handler=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(handler=cmd_migrate)
    sub.add_parser("seed-demo", help="load deterministic demo data").set_defaults(handler=cmd_seed_demo)

    token = sub.add_parser("create-token", help="create an API token; prints it alone on the last line")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--name", required=True)
    token.add_argument("--organisation", type=int, default=None, help="organisation id (integrator tokens)")
    token.set_defaults(handler=cmd_create_token)

    classify = sub.add_parser("classify", help="classify JSON lines from stdin, or --eval labelled files")
    classify.add_argument("--eval", metavar="FILE", action="append", default=None,
                          help="report on a labelled JSONL file (repeatable: one report per file)")
    classify.add_argument("--show-errors", metavar="N", type=int, default=0,
                          help="list the first N mistakes (for error analysis, never on the frozen set)")
    classify.set_defaults(handler=cmd_classify)
    sub.add_parser("retrain", help="retrain the classifier with staff corrections").set_defaults(
        handler=cmd_retrain)

    for module_name in ("billing.commands", "invoices.commands", "notifications.commands",
                        "support.programme.commands"):
        module = _optional(module_name)
        if module is not None:
            module.register(sub, database)
    return parser


def _optional(module_name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None


def install_hooks() -> None:
    """Wire the packages' hooks (billing's issue → invoices' documents and email; the receipt's context at
    delivery into the outbox; inbound mail → support's conversations). Idempotent; the app and every command call it."""
    import billing.hooks
    import invoices.hooks
    from support import mail_conversations, notify

    billing.hooks.install()
    invoices.hooks.install()
    notify.install()
    mail_conversations.install()


def main(argv: list[str] | None = None) -> None:
    os.chdir(Path.cwd())
    install_hooks()
    args = build_parser().parse_args(argv)
    sys.exit(args.handler(args))


if __name__ == "__main__":
    main()
