from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('support', '0002_ticket_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('action', fields.CharField(max_length=60)),
                ('actor', fields.CharField(max_length=200)),
                ('actor_token_id', fields.IntField(null=True)),
                ('subject_type', fields.CharField(max_length=40)),
                ('subject_id', fields.BigIntField(null=True)),
                ('data', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_audit_event', 'app': 'support', 'indexes': [Index(fields=['subject_type', 'subject_id']), Index(fields=['action', 'id'])], 'pk_attr': 'id', 'table_description': 'Append-only record of every money-moving action (approving time, rate cards, prepaid hours, cost'},
            bases=['Model'],
        ),
    ]
