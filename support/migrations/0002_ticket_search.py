"""Trigram indexes for free-text ticket search on PostgreSQL (no-op on SQLite); see support/tickets/search.py."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from support.tickets.search import ensure_search_indexes


async def forwards(apps, schema_editor) -> None:
    await ensure_search_indexes(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [ops.RunPython(forwards, reverse_code=ops.RunPython.noop)]
