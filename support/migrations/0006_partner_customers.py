"""Which customers a partner acts for (support_partner_customer), and one organisation per registration
number and country."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('support', '0005_ticket_created_id')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PartnerCustomer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('partner', fields.ForeignKeyField('support.Organisation', source_field='partner_id', db_constraint=True, to_field='id', related_name='customer_links', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('support.Organisation', source_field='customer_id', db_constraint=True, to_field='id', related_name='partner_links', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_partner_customer', 'app': 'support', 'unique_together': (('partner', 'customer'),), 'pk_attr': 'id', 'table_description': "A customer organisation a partner organisation is recorded to act for (admins keep it). A partner's"},
            bases=['Model'],
        ),
        ops.AddConstraint(
            model_name='Organisation',
            constraint=UniqueConstraint(fields=('country_code', 'organisation_number'), name=None),
        ),
    ]
