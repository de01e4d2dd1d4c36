from tortoise import migrations
from tortoise.migrations import operations as ops
from notifications.models import OutboxStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dedupe_key', fields.CharField(unique=True, max_length=200)),
                ('message_id', fields.CharField(unique=True, max_length=250)),
                ('template', fields.CharField(max_length=64)),
                ('language', fields.CharField(max_length=2)),
                ('to_email', fields.CharField(max_length=254)),
                ('to_name', fields.CharField(max_length=200)),
                ('reply_to', fields.CharField(null=True, max_length=254)),
                ('subject', fields.CharField(max_length=300)),
                ('text_body', fields.TextField(unique=False)),
                ('html_body', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=OutboxStatus.pending, description='pending: pending\nsending: sending\nsent: sent\nparked: parked', enum_type=OutboxStatus, max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=100)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications_outbox', 'app': 'notifications', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message', fields.ForeignKeyField('notifications.OutboxMessage', source_field='message_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('filename', fields.CharField(max_length=200)),
                ('content_type', fields.CharField(max_length=100)),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'notifications_attachment', 'app': 'notifications', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
