"""Inbound mail (issue 17): the claimed inbound messages with their originals, failing addresses, and the
coalescing key of outbox rows that merge into one email."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from notifications.models import InboundKind, InboundStatus
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('notifications', '0002_render_at_delivery')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FailingAddress',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('reason', fields.TextField(default='', unique=False)),
                ('bounces', fields.IntField(default=1)),
                ('first_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications_failing_address', 'app': 'notifications', 'pk_attr': 'id', 'table_description': 'An address that bounced: its mail fails. Staff see it, and a later personal mail from it clears it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboundMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message_key', fields.CharField(unique=True, max_length=250)),
                ('message_id', fields.CharField(null=True, max_length=250)),
                ('status', fields.CharEnumField(default=InboundStatus.claimed, description='claimed: claimed\nretry: retry\nprocessed: processed\nignored: ignored\nheld: held\naccepted: accepted\ndiscarded: discarded\nfailed: failed', enum_type=InboundStatus, max_length=10)),
                ('kind', fields.CharEnumField(null=True, description='personal: personal\nauto_reply: auto_reply\nmailing_list: mailing_list\nbounce: bounce', enum_type=InboundKind, max_length=12)),
                ('from_address', fields.CharField(default='', max_length=254)),
                ('from_name', fields.CharField(default='', max_length=200)),
                ('subject', fields.CharField(default='', max_length=300)),
                ('size', fields.IntField(default=0)),
                ('attempts', fields.IntField(default=0)),
                ('claimed_by', fields.CharField(null=True, max_length=100)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('original', fields.BinaryField(null=True)),
                ('outcome', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('processed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications_inbound', 'app': 'notifications', 'indexes': [Index(fields=['status', 'id'])], 'pk_attr': 'id', 'table_description': 'One message read from the support mailbox, claimed by its key (the Message-ID, or a hash of the header'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='coalesce_key',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddIndex(
            model_name='OutboxMessage',
            index=Index(fields=['coalesce_key', 'status']),
        ),
    ]
