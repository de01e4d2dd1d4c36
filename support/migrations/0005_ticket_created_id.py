"""A ticket's creation time with its id: a closed date range is answered from the index alone (see
support/tickets/listing.py). It replaces the index on created_at alone, which it covers."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('support', '0004_ticket_lookups')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['created_at', 'id']),
        ),
        ops.RemoveIndex(
            model_name='Ticket',
            fields=['created_at'],
        ),
    ]
