from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('billing', '0005_late_charges'), ('support', '0012_ticket_external_reference')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='InvoiceRun',
            options={'table': 'billing_invoice_run', 'app': 'billing', 'pk_attr': 'id', 'table_description': "A run's counts are written in the transaction of each draft it makes, so they are true whenever the"},
        ),
    ]
