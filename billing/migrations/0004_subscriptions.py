"""Integration subscriptions: licence price lists, subscriptions and their charges; an invoice line may be a
time-free subscription line (no ticket, no category, its own unit)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from billing.subscriptions.models import BillingPeriod
from support.models import LicenceKind
from support.policy import Category
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    # Cross-app: the licence and organisation tables (support 0011 adds the licence columns billed here).
    dependencies = [('billing', '0003_payments'), ('support', '0011_partner_programme')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LicencePriceList',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('organisation', fields.ForeignKeyField('support.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='licence_price_lists', on_delete=OnDelete.RESTRICT)),
                ('valid_from_date', fields.DateField()),
                ('valid_until_date', fields.DateField(null=True)),
                ('billing_period', fields.CharEnumField(default=BillingPeriod.yearly, description='yearly: yearly\nquarterly: quarterly', enum_type=BillingPeriod, max_length=10)),
                ('forwarding_percent', fields.DecimalField(default=50, max_digits=6, decimal_places=2)),
                ('created_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_licence_price_list', 'app': 'billing', 'indexes': [Index(fields=['organisation_id', 'valid_from_date'])], 'pk_attr': 'id', 'table_description': 'Annual licence fees ex VAT, valid from–until (inclusive, open-ended when until is null).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LicencePrice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('price_list', fields.ForeignKeyField('billing.LicencePriceList', source_field='price_list_id', db_constraint=True, to_field='id', related_name='prices', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='per_application: per_application\npopulation: population\nxl: xl\nforwarding: forwarding', enum_type=LicenceKind, max_length=20)),
                ('min_population', fields.IntField(null=True)),
                ('max_population', fields.IntField(null=True)),
                ('max_applications', fields.IntField(null=True)),
                ('annual_fee', fields.DecimalField(max_digits=14, decimal_places=2)),
            ],
            options={'table': 'billing_licence_price', 'app': 'billing', 'pk_attr': 'id', 'table_description': 'One annual fee of a price list: per_application and xl have one each, population has one per tier'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Subscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('licence', fields.OneToOneField('support.Licence', source_field='licence_id', db_constraint=True, to_field='id', related_name='subscription', on_delete=OnDelete.RESTRICT)),
                ('payer', fields.ForeignKeyField('support.Organisation', source_field='payer_id', db_constraint=True, to_field='id', related_name='paid_subscriptions', on_delete=OnDelete.RESTRICT)),
                ('billing_period', fields.CharEnumField(default=BillingPeriod.yearly, description='yearly: yearly\nquarterly: quarterly', enum_type=BillingPeriod, max_length=10)),
                ('start_date', fields.DateField()),
                ('end_date', fields.DateField(null=True)),
                ('label', fields.CharField(max_length=200)),
                ('replaced_by', fields.ForeignKeyField('billing.Subscription', source_field='replaced_by_id', null=True, db_constraint=True, to_field='id', related_name='replaces', on_delete=OnDelete.RESTRICT)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_subscription', 'app': 'billing', 'indexes': [Index(fields=['payer_id', 'start_date'])], 'pk_attr': 'id', 'table_description': 'The billing side of one licence: who pays (the licensee, or the authorised partner that resold it),'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubscriptionCharge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscription', fields.ForeignKeyField('billing.Subscription', source_field='subscription_id', db_constraint=True, to_field='id', related_name='charges', on_delete=OnDelete.RESTRICT)),
                ('period_start_date', fields.DateField()),
                ('period_end_date', fields.DateField()),
                ('seq', fields.IntField(default=0)),
                ('covered_from_date', fields.DateField()),
                ('covered_until_date', fields.DateField()),
                ('annual_fee', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('amount', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('invoice', fields.ForeignKeyField('billing.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='subscription_charges', on_delete=OnDelete.CASCADE)),
                ('line_no', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_subscription_charge', 'app': 'billing', 'unique_together': (('subscription', 'period_start_date', 'seq'),), 'indexes': [Index(fields=['invoice_id'])], 'pk_attr': 'id', 'table_description': 'An amount billed (positive) or credited (negative) for the days `covered_from`–`covered_until` of one'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='InvoiceLine',
            options={'table': 'billing_invoice_line', 'app': 'billing', 'unique_together': (('invoice', 'line_no'),), 'pk_attr': 'id', 'table_description': 'One line per (ticket, category, rate), or per subscription charge. `quantity` is the hours invoiced at'},
        ),
        ops.AlterField(
            model_name='InvoiceLine',
            name='category',
            field=fields.CharEnumField(null=True, description='defect: defect\nassistance: assistance\nperformance: performance\nactivation: activation\nextension: extension\nunofficial: unofficial', enum_type=Category, max_length=20),
        ),
        ops.AlterField(
            model_name='InvoiceLine',
            name='ticket',
            field=fields.ForeignKeyField('support.Ticket', source_field='ticket_id', null=True, db_constraint=True, to_field='id', related_name='invoice_lines', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='InvoiceLine',
            name='unit',
            field=fields.CharField(default='HUR', db_default='HUR', max_length=3),
        ),
    ]
