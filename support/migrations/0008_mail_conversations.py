"""Email conversations: a contact's mail preference (files received by email go to the attachments store)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

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
    ]
