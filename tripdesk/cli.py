"""`tripdesk` command line (SPEC §3). Scripts and operators depend on these commands and their output.

It alone gathers every package's commands.
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
from support.settings import get_settings
from tripdesk.db import close_connections, tortoise_config
from tripdesk.wiring import install_hooks

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

    async def run() -> tuple[str, str | None]:
        async with database():
            staff = await service.get_staff(staff_id=args.staff) if args.staff is not None else None
            _, token = await service.create_token(
                name=args.name, role=Role(args.role), organisation_id=args.organisation, staff_id=args.staff
            )
            return token, None if staff is None else f"staff {staff.id} ({staff.name})"

    if args.role == "integrator" and args.organisation is None:
        print("an integrator token needs --organisation ID", file=sys.stderr)
        return 2
    if args.role != "integrator" and args.organisation is not None:
        print("only integrator tokens are scoped to an organisation (--organisation)", file=sys.stderr)
        return 2
    try:
        token, acts_as = asyncio.run(run())
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    who = (
        f", acting as {acts_as}"
        if acts_as
        else ("" if args.role == "integrator" else " (no staff member: it cannot log or approve time; see --staff)")
    )
    print(f"created {args.role} token '{args.name}'{who} (shown once, store it now):")
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

    summary = asyncio.run(run())  # an unmigrated database is one line (see `main`)
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

    from tripdesk.app import create_app
    from tripdesk.logs import configure_logging

    settings = get_settings()
    configure_logging(json_logs=settings.log_json)
    if args.first_start:
        token = asyncio.run(first_start())
        if token:
            print(
                f"demo admin token: {token}\n  try: curl -H 'Authorization: Bearer {token}' "
                f"http://{args.host}:{args.port}/api/v1/tickets",
                flush=True,
            )
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"tripdesk serving on http://{host}:{args.port}/ (API docs: http://{host}:{args.port}/docs; stop with Ctrl-C)",
        flush=True,
    )
    uvicorn.run(
        create_app(settings=settings),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=20,
    )
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

    print("retraining the classifier on its corpus and the staff's corrections (this takes a while) ...", flush=True)
    return asyncio.run(run())


ENVIRONMENT = """environment:
  DATABASE_URL            database (default sqlite://var/tripdesk.sqlite3; or postgres://user:pass@host:5432/db)
  TRIPDESK_DATA_DIR       mail folder, stored documents, model cache, demo token (default var)
  SMTP_URL                smtp://user:pass@host:587?starttls=true or smtps://...; unset: .eml files in the data dir
  MAIL_FROM               sender of every email
  TRIPDESK_HOST, _PORT    serve's address (default 127.0.0.1, 8000)
  TRIPDESK_OUTBOX_WORKER  run the outbox worker inside serve (default true)
  TRIPDESK_METRICS_TOKEN  bearer token for GET /metrics (admin tokens work too)
  TRIPDESK_TIMEZONE       business time zone for "today" (default Europe/Stockholm)
the full list: README.md, "Configuration"."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout and names every optional argument's default."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            action.option_strings
            and not action.required
            and "%(default)" not in text
            and action.default not in (None, False, argparse.SUPPRESS)
        ):
            text += " (default: %(default)s)"
        return text


def build_parser() -> argparse.ArgumentParser:
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="tripdesk",
        description="Support desk and consultancy billing. `tripdesk COMMAND --help` says more.",
        epilog=ENVIRONMENT,
        formatter_class=HelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the HTTP API (and the outbox worker)")
    serve.add_argument("--host", default=settings.host, help="address to listen on (env TRIPDESK_HOST)")
    serve.add_argument("--port", type=int, default=settings.port, help="port to listen on (env TRIPDESK_PORT)")
    serve.add_argument(
        "--first-start",
        action="store_true",
        help="migrate, and on an empty database seed demo data and print an admin token",
    )
    serve.set_defaults(handler=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations (safe to repeat)").set_defaults(handler=cmd_migrate)
    sub.add_parser(
        "seed-demo", help="load deterministic demo data into a migrated database (safe to repeat)"
    ).set_defaults(handler=cmd_seed_demo)

    token = sub.add_parser("create-token", help="create an API token; prints it alone on the last line")
    token.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help="admin, support and finance are staff; an integrator sees one organisation",
    )
    token.add_argument("--name", required=True, help="who or what uses the token (shown in ticket history)")
    token.add_argument(
        "--organisation",
        type=int,
        metavar="ID",
        help="the organisation id an integrator token is scoped to (integrator tokens only)",
    )
    token.add_argument(
        "--staff",
        type=int,
        metavar="ID",
        help="the staff member id the token acts as: needed to log and approve time (GET /api/v1/staff lists them)",
    )
    token.set_defaults(handler=cmd_create_token)

    classify = sub.add_parser(
        "classify",
        help='classify JSON lines {"subject", "body"} from stdin, one result line each on stdout, '
        "or --eval labelled files",
    )
    classify.add_argument(
        "--eval",
        metavar="FILE",
        action="append",
        help='instead: report on a labelled JSON lines file {"subject", "body", "category"} '
        "(repeatable: one report per file)",
    )
    classify.add_argument(
        "--show-errors",
        metavar="N",
        type=int,
        default=0,
        help="list the first N mistakes (for error analysis, never on the frozen set)",
    )
    classify.set_defaults(handler=cmd_classify)
    sub.add_parser("retrain", help="retrain the classifier with staff corrections").set_defaults(handler=cmd_retrain)

    for module_name in (
        "billing.commands",
        "billing.payments.commands",
        "invoices.commands",
        "notifications.commands",
        "support.programme.commands",
        "support.attachments.commands",
    ):
        module = _optional(module_name)
        if module is not None:
            module.register(sub, database)
    _explain(sub)
    return parser


_FORMATS = {"YYYY-MM": "a calendar month, e.g. 2026-11", "DIR": "a directory (created when missing)"}


def _explain(sub: Any) -> None:
    """Every command's --help: its summary as description, defaults, input formats and the environment."""
    summaries = {action.dest: action.help for action in sub._choices_actions}
    for name, command in sub.choices.items():
        command.formatter_class = HelpFormatter
        command.description = command.description or summaries.get(name)
        command.epilog = command.epilog or ENVIRONMENT
        for action in command._actions:
            if action.help is None and isinstance(action.metavar, str):
                action.help = _FORMATS.get(action.metavar, action.metavar)


def _optional(module_name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None


def main(argv: list[str] | None = None) -> None:
    os.chdir(Path.cwd())
    install_hooks()
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
    except Exception as exc:  # an operator reads one line, not a traceback, for the two common set-up faults
        message = set_up_fault(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        code = 2
    sys.exit(code)


def set_up_fault(exc: BaseException) -> str | None:
    """A database without tripdesk's tables, or one that cannot be reached: what to do, in one line."""
    from tripdesk.failures import missing_table, unavailable

    if missing_table(exc):
        return "the database has no tripdesk tables yet: run `tripdesk migrate` first"
    if unavailable(exc):
        return f"cannot reach the database ({type(exc).__name__}); check DATABASE_URL and that the server is up"
    return None


if __name__ == "__main__":
    main()
