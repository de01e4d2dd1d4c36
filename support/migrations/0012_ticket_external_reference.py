"""A ticket's external reference: the integrator's own reference for it, set at intake and matched exactly
by the ticket list (indexed with the id, the list's order)."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('support', '0011_partner_programme')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Ticket',
            name='external_reference',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['external_reference', 'id']),
        ),
    ]
