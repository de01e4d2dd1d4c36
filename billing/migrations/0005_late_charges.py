"""Late-payment charges: what interest and reminder fees were charged on which later invoice line (each once),
an organisation's agreement to reminder fees, and the invoice line's charge kind. Follows billing 0004."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from billing.payments.models import LateChargeKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    # Cross-app: the organisation table.
    dependencies = [('billing', '0004_subscriptions'), ('support', '0011_partner_programme')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CollectionTerms',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.OneToOneField('support.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='collection_terms', on_delete=OnDelete.RESTRICT)),
                ('reminder_fee_agreed', fields.BooleanField(default=False)),
                ('updated_by', fields.CharField(default='', max_length=200)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'billing_collection_terms', 'app': 'billing', 'pk_attr': 'id', 'table_description': "An organisation's agreed collection terms: whether it agreed in advance to pay a reminder fee (the law"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LateCharge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('late_invoice', fields.ForeignKeyField('billing.Invoice', source_field='late_invoice_id', db_constraint=True, to_field='id', related_name='late_charges', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='late_interest: late_interest\nreminder_fee: reminder_fee', enum_type=LateChargeKind, max_length=20)),
                ('seq', fields.IntField()),
                ('from_date', fields.DateField(null=True)),
                ('until_date', fields.DateField(null=True)),
                ('rate', fields.DecimalField(null=True, max_digits=6, decimal_places=2)),
                ('amount', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('invoice', fields.ForeignKeyField('billing.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='carried_late_charges', on_delete=OnDelete.CASCADE)),
                ('line_no', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_late_charge', 'app': 'billing', 'unique_together': (('late_invoice', 'kind', 'seq'),), 'indexes': [Index(fields=['invoice_id'])], 'pk_attr': 'id', 'table_description': 'What was charged, once, for paying `late_invoice` late: interest for the days `from`–`until` (seq counts'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='InvoiceLine',
            name='charge',
            field=fields.CharField(null=True, max_length=20),
        ),
    ]
