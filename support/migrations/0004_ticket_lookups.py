"""A ticket's events by ticket; a year's tickets by number year on PostgreSQL (see support/tickets/search.py)."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from support.tickets.search import ensure_number_year_index


async def forwards(apps, schema_editor) -> None:
    await ensure_number_year_index(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('support', '0003_audit_event')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='TicketEvent',
            index=Index(fields=['ticket_id', 'id']),
        ),
        ops.RunPython(forwards, reverse_code=ops.RunPython.noop),
    ]
