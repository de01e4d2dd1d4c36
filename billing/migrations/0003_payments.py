"""Payments: imported bank files, their payments, what each applied to which invoice, and per-invoice
collection state (dispute, reminders). Follows billing 0002 (finance edges)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from billing.payments.models import AllocationSource, PaymentState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('billing', '0002_finance_edges')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InvoiceCollection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.OneToOneField('billing.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='collection', on_delete=OnDelete.RESTRICT)),
                ('disputed', fields.BooleanField(default=False)),
                ('dispute_reason', fields.TextField(null=True, unique=False)),
                ('reminders_sent', fields.IntField(default=0)),
                ('last_reminder_date', fields.DateField(null=True)),
            ],
            options={'table': 'billing_invoice_collection', 'app': 'billing', 'pk_attr': 'id', 'table_description': 'Collection state of an issued invoice: disputed or not, and the reminders sent so far.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PaymentFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('format', fields.CharField(max_length=10)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('identity', fields.CharField(unique=True, max_length=120)),
                ('import_key', fields.CharField(max_length=32)),
                ('filename', fields.CharField(default='', max_length=200)),
                ('bankgiro', fields.CharField(default='', max_length=10)),
                ('written_at', fields.CharField(default='', max_length=20)),
                ('test_file', fields.BooleanField(default=False)),
                ('payments', fields.IntField(default=0)),
                ('duplicates', fields.IntField(default=0)),
                ('total_amount', fields.DecimalField(default=0, max_digits=16, decimal_places=2)),
                ('imported_by', fields.CharField(max_length=200)),
                ('imported_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_payment_file', 'app': 'billing', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Payment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('file', fields.ForeignKeyField('billing.PaymentFile', source_field='file_id', db_constraint=True, to_field='id', related_name='payment_rows', on_delete=OnDelete.RESTRICT)),
                ('identity', fields.CharField(unique=True, max_length=120)),
                ('payment_date', fields.DateField()),
                ('amount', fields.DecimalField(max_digits=16, decimal_places=2)),
                ('unallocated', fields.DecimalField(default=0, max_digits=16, decimal_places=2)),
                ('reference', fields.CharField(default='', max_length=35)),
                ('reference_code', fields.CharField(default='', max_length=1)),
                ('sender_bankgiro', fields.CharField(default='', max_length=10)),
                ('payer_name', fields.CharField(default='', max_length=200)),
                ('payer_organisation_number', fields.CharField(default='', max_length=12)),
                ('bank_serial', fields.CharField(default='', max_length=12)),
                ('invoice', fields.ForeignKeyField('billing.Invoice', source_field='invoice_id', null=True, db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.RESTRICT)),
                ('state', fields.CharEnumField(description='matched: matched\nneeds_hands: needs_hands\nresolved: resolved', enum_type=PaymentState, max_length=12)),
                ('reason', fields.CharField(null=True, max_length=40)),
                ('resolution_note', fields.TextField(null=True, unique=False)),
                ('resolved_by', fields.CharField(null=True, max_length=200)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_date', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_payment', 'app': 'billing', 'indexes': [Index(fields=['state', 'id']), Index(fields=['payment_date'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PaymentAllocation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.ForeignKeyField('billing.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='allocations', on_delete=OnDelete.RESTRICT)),
                ('payment', fields.ForeignKeyField('billing.Payment', source_field='payment_id', null=True, db_constraint=True, to_field='id', related_name='allocations', on_delete=OnDelete.RESTRICT)),
                ('amount', fields.DecimalField(max_digits=16, decimal_places=2)),
                ('source', fields.CharEnumField(description='ocr: ocr\nassigned: assigned\nmanual: manual', enum_type=AllocationSource, max_length=10)),
                ('booked_date', fields.DateField()),
                ('created_by', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'billing_payment_allocation', 'app': 'billing', 'indexes': [Index(fields=['invoice_id']), Index(fields=['booked_date'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
