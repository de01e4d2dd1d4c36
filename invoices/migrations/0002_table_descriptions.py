from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('billing', '0006_invoice_run_description'), ('invoices', '0001_initial')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='InvoiceDocument',
            options={'table': 'invoices_document', 'app': 'invoices', 'unique_together': (('invoice', 'format'),), 'pk_attr': 'id', 'table_description': 'The PDF or the UBL XML of an issued invoice or credit note, rendered from its snapshot and stored in the issuing'},
        ),
    ]
