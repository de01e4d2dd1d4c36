"""Email conversations (issue 17): a contact's mail preference and the files received by email."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('support', '0006_partner_customers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContactMailPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.OneToOneField('support.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='mail_preference', on_delete=OnDelete.CASCADE)),
                ('non_essential', fields.BooleanField(default=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'support_contact_mail_preference', 'app': 'support', 'pk_attr': 'id', 'table_description': 'A contact who opted out of non-essential email (support/notify.py says which mail that is).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('support.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='mail_attachments', on_delete=OnDelete.CASCADE)),
                ('comment_id', fields.IntField(null=True)),
                ('inbound_id', fields.IntField(null=True)),
                ('filename', fields.CharField(max_length=200)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('data', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_mail_attachment', 'app': 'support', 'indexes': [Index(fields=['ticket_id', 'id'])], 'pk_attr': 'id', 'table_description': 'A file that came with an email on a ticket (within the size and type limits).'},
            bases=['Model'],
        ),
    ]
