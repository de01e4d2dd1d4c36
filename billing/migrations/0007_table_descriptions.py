from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('billing', '0006_invoice_run_description'), ('support', '0001_initial'), ('support', '0002_ticket_search'), ('support', '0003_audit_event'), ('support', '0004_ticket_lookups'), ('support', '0005_ticket_created_id'), ('support', '0006_partner_customers'), ('support', '0008_mail_conversations'), ('support', '0010_attachments'), ('support', '0011_partner_programme'), ('support', '0012_ticket_external_reference')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Invoice',
            options={'table': 'billing_invoice', 'app': 'billing', 'indexes': [Index(fields=['organisation_id', 'id']), Index(fields=['status', 'id']), Index(fields=['period_start_date', 'period_end_date'])], 'pk_attr': 'id', 'table_description': 'An invoice or a credit note (`kind`). An invoice run creates an invoice as a draft, the only state that may be'},
        ),
        ops.AlterModelOptions(
            name='Payment',
            options={'table': 'billing_payment', 'app': 'billing', 'indexes': [Index(fields=['state', 'id']), Index(fields=['payment_date'])], 'pk_attr': 'id', 'table_description': 'One payment in an imported file, recorded once (`identity`). At import it is applied, by its OCR reference, to'},
        ),
        ops.AlterModelOptions(
            name='PaymentAllocation',
            options={'table': 'billing_payment_allocation', 'app': 'billing', 'indexes': [Index(fields=['invoice_id']), Index(fields=['booked_date'])], 'pk_attr': 'id', 'table_description': 'An amount applied to one issued invoice, from a payment or by hand with mark-paid (`payment` null). Written'},
        ),
        ops.AlterModelOptions(
            name='PaymentFile',
            options={'table': 'billing_payment_file', 'app': 'billing', 'pk_attr': 'id', 'table_description': 'One imported bank file (BgMax), claimed by its unique `sha256` and `identity` so that it is applied once, with'},
        ),
        ops.AlterModelOptions(
            name='PrepaidDrawdown',
            options={'table': 'billing_prepaid_drawdown', 'app': 'billing', 'indexes': [Index(fields=['package_id', 'released_at']), Index(fields=['time_entry_id'])], 'pk_attr': 'id', 'table_description': 'Prepaid hours of `package` used by one time entry on line `line_no` of `invoice`, written by the invoice run'},
        ),
        ops.AlterModelOptions(
            name='RateCardRate',
            options={'table': 'billing_rate_card_rate', 'app': 'billing', 'unique_together': (('card', 'category'),), 'pk_attr': 'id', 'table_description': 'The hourly rate ex VAT of one category on a rate card (one row per card and category), created with its card'},
        ),
    ]
