"""Attachments (support/attachments/): stored contents by sha256, their chunks (database store), the files on
tickets and comments, and the record of files removed by the retention purge."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [('support', '0008_mail_conversations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AttachmentBlob',
            fields=[
                ('sha256', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('size', fields.BigIntField()),
                ('content_type', fields.CharField(max_length=100)),
                ('refs', fields.IntField(default=0)),
                ('preview', fields.TextField(null=True, unique=False)),
                ('has_thumbnail', fields.BooleanField(default=False)),
                ('thumbnail', fields.BinaryField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_attachment_blob', 'app': 'support', 'pk_attr': 'sha256', 'table_description': "One stored content, shared by every attachment with the same bytes"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttachmentChunk',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(max_length=64)),
                ('seq', fields.IntField()),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'support_attachment_chunk', 'app': 'support', 'unique_together': (('sha256', 'seq'),), 'pk_attr': 'id', 'table_description': "A slice of a blob's bytes (the database store)"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('support.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('comment', fields.ForeignKeyField('support.Comment', source_field='comment_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('blob', fields.ForeignKeyField('support.AttachmentBlob', source_field='blob_id', db_constraint=True, to_field='sha256', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('filename', fields.CharField(max_length=255)),
                ('uploaded_by', fields.CharField(max_length=200)),
                ('uploaded_by_token_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_attachment', 'app': 'support', 'indexes': [Index(fields=['ticket_id', 'id'])], 'pk_attr': 'id', 'table_description': 'A file on a ticket, or on one of its comments'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttachmentRemoval',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('attachment_id', fields.IntField()),
                ('ticket_id', fields.IntField()),
                ('comment_id', fields.IntField(null=True)),
                ('filename', fields.CharField(max_length=255)),
                ('sha256', fields.CharField(max_length=64)),
                ('size', fields.BigIntField()),
                ('content_type', fields.CharField(max_length=100)),
                ('reason', fields.CharField(max_length=200)),
                ('removed_by', fields.CharField(max_length=200)),
                ('removed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_attachment_removal', 'app': 'support', 'indexes': [Index(fields=['ticket_id', 'id'])], 'pk_attr': 'id', 'table_description': 'A file removed by the retention purge: what it was, and who removed it when'},
            bases=['Model'],
        ),
    ]
