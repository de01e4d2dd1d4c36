from tortoise import migrations
from tortoise.migrations import operations as ops
from invoices.models import DocumentFormat
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True
    # Cross-app foreign keys: the generator does not declare these (see ARCHITECTURE.md).
    dependencies = [('billing', '0001_initial'), ('support', '0001_initial')]

    operations = [
        ops.CreateModel(
            name='InvoiceDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invoice', fields.ForeignKeyField('billing.Invoice', source_field='invoice_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.RESTRICT)),
                ('format', fields.CharEnumField(description='pdf: pdf\nxml: xml', enum_type=DocumentFormat, max_length=4)),
                ('content', fields.BinaryField()),
                ('sha256', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('filename', fields.CharField(max_length=100)),
                ('content_type', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'invoices_document', 'app': 'invoices', 'unique_together': (('invoice', 'format'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
