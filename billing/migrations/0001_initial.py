import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from billing.models import CeilingKind, InvoiceKind, InvoiceStatus
from support.policy import Category


class Migration(migrations.Migration):
    initial = True
    # Cross-app foreign keys: the generator does not declare these (see ARCHITECTURE.md).
    dependencies = [('support', '0001_initial')]

    operations = [
        ops.CreateModel(
            name='CostCeiling',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.OneToOneField('support.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='cost_ceiling', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='hours: hours\namount: amount', enum_type=CeilingKind, max_length=10)),
                ('limit_value', fields.DecimalField(max_digits=14, decimal_places=4)),
                ('revision', fields.IntField(default=1)),
                ('set_by', fields.CharField(max_length=200)),
                ('set_by_token_id', fields.IntField(null=True)),
                ('set_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by', fields.CharField(null=True, max_length=200)),
                ('approved_by_token_id', fields.IntField(null=True)),
                ('notified_revision', fields.IntField(null=True)),
            ],
            options={'table': 'billing_cost_ceiling', 'app': 'billing', 'pk_attr': 'id', 'table_description': "The integrator's limit on a billable ticket. Time beyond it is held from invoicing until approved."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvoiceRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period_start_date', fields.DateField()),
                ('period_end_date', fields.DateField()),
                ('started_by', fields.CharField(max_length=200)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('organisations_considered', fields.IntField(default=0)),
                ('invoices_created', fields.IntField(default=0)),
                ('skipped', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'billing_invoice_run', 'app': 'billing', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invoice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(default=InvoiceKind.invoice, description='invoice: invoice\ncredit_note: credit_note', enum_type=InvoiceKind, max_length=12)),
                ('status', fields.CharEnumField(default=InvoiceStatus.draft, description='draft: draft\nissued: issued\ndiscarded: discarded', enum_type=InvoiceStatus, max_length=10)),
                ('organisation', fields.ForeignKeyField('support.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='invoices', on_delete=OnDelete.RESTRICT)),
                ('run', fields.ForeignKeyField('billing.InvoiceRun', source_field='run_id', null=True, db_constraint=True, to_field='id', related_name='invoices', on_delete=OnDelete.SET_NULL)),
                ('corrects', fields.ForeignKeyField('billing.Invoice', source_field='corrects_id', null=True, db_constraint=True, to_field='id', related_name='credit_notes', on_delete=OnDelete.RESTRICT)),
                ('period_start_date', fields.DateField()),
                ('period_end_date', fields.DateField()),
                ('open_key', fields.CharField(null=True, unique=True, max_length=64)),
                ('number', fields.CharField(null=True, unique=True, max_length=32)),
                ('ocr', fields.CharField(null=True, max_length=25)),
                ('issue_date', fields.DateField(null=True)),
                ('due_date', fields.DateField(null=True)),
                ('currency', fields.CharField(default='SEK', max_length=3)),
                ('reverse_charge', fields.BooleanField(default=False)),
                ('net_amount', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
                ('vat_amount', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
                ('gross_amount', fields.DecimalField(default=0, max_digits=14, decimal_places=2)),
                ('note', fields.TextField(null=True, unique=False)),
                ('your_reference', fields.CharField(null=True, max_length=200)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('snapshot', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('issued_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('issued_by', fields.CharField(null=True, max_length=200)),
                ('discarded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('paid_by', fields.CharField(null=True, max_length=200)),
            ],
            options={'table': 'billing_invoice', 'app': 'billing', 'indexes': [Index(fields=['organisation_id', 'id']), Index(fields=['status', 'id']), Index(fields=['period_start_date', 'period_end_date'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvoiceLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.ForeignKeyField('billing.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('line_no', fields.IntField()),
                ('ticket', fields.ForeignKeyField('support.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='invoice_lines', on_delete=OnDelete.RESTRICT)),
                ('ticket_number', fields.CharField(max_length=32)),
                ('description', fields.CharField(max_length=300)),
                ('category', fields.CharEnumField(description='defect: defect\nassistance: assistance\nperformance: performance\nactivation: activation\nextension: extension\nunofficial: unofficial', enum_type=Category, max_length=20)),
                ('rate_card_name', fields.CharField(default='', max_length=300)),
                ('quantity', fields.DecimalField(max_digits=10, decimal_places=4)),
                ('total_hours', fields.DecimalField(max_digits=10, decimal_places=4)),
                ('prepaid_hours', fields.DecimalField(default=0, max_digits=10, decimal_places=4)),
                ('unit_price', fields.DecimalField(max_digits=12, decimal_places=4)),
                ('amount', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('vat_category', fields.CharField(default='S', max_length=2)),
                ('vat_rate', fields.DecimalField(max_digits=5, decimal_places=2)),
                ('credited_line', fields.ForeignKeyField('billing.InvoiceLine', source_field='credited_line_id', null=True, unique=True, db_constraint=True, to_field='id', related_name='credits', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'billing_invoice_line', 'app': 'billing', 'unique_together': (('invoice', 'line_no'),), 'pk_attr': 'id', 'table_description': 'One line per (ticket, category, rate). `quantity` is the hours invoiced at `unit_price` (after prepaid'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InvoiceLineEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('line', fields.ForeignKeyField('billing.InvoiceLine', source_field='line_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('invoice_id', fields.IntField()),
                ('time_entry_id', fields.IntField()),
                ('work_date', fields.DateField()),
                ('staff_name', fields.CharField(max_length=200)),
                ('minutes', fields.IntField()),
                ('hours', fields.DecimalField(max_digits=10, decimal_places=4)),
                ('prepaid_hours', fields.DecimalField(default=0, max_digits=10, decimal_places=4)),
                ('description', fields.TextField(unique=False)),
                ('category', fields.CharEnumField(description='defect: defect\nassistance: assistance\nperformance: performance\nactivation: activation\nextension: extension\nunofficial: unofficial', enum_type=Category, max_length=20)),
                ('rate_card_id', fields.IntField(null=True)),
            ],
            options={'table': 'billing_invoice_line_entry', 'app': 'billing', 'indexes': [Index(fields=['invoice_id']), Index(fields=['time_entry_id']), Index(fields=['rate_card_id'])], 'pk_attr': 'id', 'table_description': 'A time entry behind an invoice line, as billed (denormalised so the draft preview and the frozen'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PrepaidPackage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('support.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='prepaid_packages', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=200)),
                ('hours', fields.DecimalField(max_digits=10, decimal_places=4)),
                ('valid_from_date', fields.DateField()),
                ('valid_until_date', fields.DateField()),
                ('created_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_prepaid_package', 'app': 'billing', 'indexes': [Index(fields=['organisation_id', 'valid_until_date'])], 'pk_attr': 'id', 'table_description': 'A block of consulting hours an organisation bought (klippkort), usable for work dated in its validity.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PrepaidDrawdown',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('package', fields.ForeignKeyField('billing.PrepaidPackage', source_field='package_id', db_constraint=True, to_field='id', related_name='drawdowns', on_delete=OnDelete.RESTRICT)),
                ('invoice', fields.ForeignKeyField('billing.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='drawdowns', on_delete=OnDelete.CASCADE)),
                ('line_no', fields.IntField()),
                ('time_entry_id', fields.IntField()),
                ('hours', fields.DecimalField(max_digits=10, decimal_places=4)),
                ('released_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('released_by_invoice_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_prepaid_drawdown', 'app': 'billing', 'indexes': [Index(fields=['package_id', 'released_at']), Index(fields=['time_entry_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateCard',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('organisation', fields.ForeignKeyField('support.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='rate_cards', on_delete=OnDelete.RESTRICT)),
                ('valid_from_date', fields.DateField()),
                ('valid_until_date', fields.DateField(null=True)),
                ('created_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_rate_card', 'app': 'billing', 'indexes': [Index(fields=['organisation_id', 'valid_from_date'])], 'pk_attr': 'id', 'table_description': 'Hourly rates ex VAT per category, valid from–until (inclusive, open-ended when until is null).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateCardRate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('card', fields.ForeignKeyField('billing.RateCard', source_field='card_id', db_constraint=True, to_field='id', related_name='rates', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharEnumField(description='defect: defect\nassistance: assistance\nperformance: performance\nactivation: activation\nextension: extension\nunofficial: unofficial', enum_type=Category, max_length=20)),
                ('hourly_rate', fields.DecimalField(max_digits=12, decimal_places=4)),
            ],
            options={'table': 'billing_rate_card_rate', 'app': 'billing', 'unique_together': (('card', 'category'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
