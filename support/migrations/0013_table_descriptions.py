from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('support', '0001_initial'), ('support', '0002_ticket_search'), ('support', '0003_audit_event'), ('support', '0004_ticket_lookups'), ('support', '0005_ticket_created_id'), ('support', '0006_partner_customers'), ('support', '0008_mail_conversations'), ('support', '0010_attachments'), ('support', '0011_partner_programme'), ('support', '0012_ticket_external_reference')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Application',
            options={'table': 'support_application', 'app': 'support', 'pk_attr': 'id', 'table_description': "An organisation's application using the official interfaces. From its `production_date` it needs a fitting"},
        ),
        ops.AlterModelOptions(
            name='Comment',
            options={'table': 'support_comment', 'app': 'support', 'pk_attr': 'id', 'table_description': 'A comment on a ticket by staff, an integrator, or a contact replying by email. Integrators see only public'},
        ),
        ops.AlterModelOptions(
            name='Contact',
            options={'table': 'support_contact', 'app': 'support', 'unique_together': (('organisation', 'email'),), 'pk_attr': 'id', 'table_description': 'A person of an organisation, one per organisation and email address: opens tickets and gets their emails, in'},
        ),
        ops.AlterModelOptions(
            name='DocumentationAccess',
            options={'table': 'support_documentation_access', 'app': 'support', 'indexes': [Index(fields=['organisation_id', 'revoked_at'])], 'pk_attr': 'id', 'table_description': 'Access to the interface documentation granted to an organisation, when its partner application is approved.'},
        ),
        ops.AlterModelOptions(
            name='InterfaceNotice',
            options={'table': 'support_interface_notice', 'app': 'support', 'indexes': [Index(fields=['interface', 'effective_date']), Index(fields=['effective_date', 'id'])], 'pk_attr': 'id', 'table_description': 'A published change of an official interface, written once when staff publish it, in the transaction that'},
        ),
        ops.AlterModelOptions(
            name='LabelledExample',
            options={'table': 'support_labelled_example', 'app': 'support', 'pk_attr': 'id', 'table_description': "A ticket's subject and body with the category staff confirmed or chose instead, written when staff classify"},
        ),
        ops.AlterModelOptions(
            name='Licence',
            options={'table': 'support_licence', 'app': 'support', 'pk_attr': 'id', 'table_description': 'A licence of an organisation (the licensee) to use the official interfaces, valid from–until (inclusive, open-'},
        ),
        ops.AlterModelOptions(
            name='Organisation',
            options={'table': 'support_organisation', 'app': 'support', 'unique_together': (('country_code', 'organisation_number'),), 'pk_attr': 'id', 'table_description': 'A customer or partner organisation: the buyer on its invoices (numbers, address, `invoice_email`) and the owner'},
        ),
        ops.AlterModelOptions(
            name='PartnerAgreement',
            options={'table': 'support_partner_agreement', 'app': 'support', 'indexes': [Index(fields=['organisation_id', 'valid_from_date'])], 'pk_attr': 'id', 'table_description': 'An agreement that makes a partner organisation an authorised partner, valid from–until (inclusive, open-ended'},
        ),
        ops.AlterModelOptions(
            name='PartnerApplication',
            options={'table': 'support_partner_application', 'app': 'support', 'indexes': [Index(fields=['decision', 'id']), Index(fields=['organisation_id', 'id'])], 'pk_attr': 'id', 'table_description': "An organisation's application to become a registered (TRIP) partner, with the policy version accepted and the"},
        ),
        ops.AlterModelOptions(
            name='Staff',
            options={'table': 'support_staff', 'app': 'support', 'pk_attr': 'id', 'table_description': 'A member of the support staff: logs time and is assigned tickets. An active lead (`is_lead`) may approve time.'},
        ),
        ops.AlterModelOptions(
            name='Ticket',
            options={'table': 'support_ticket', 'app': 'support', 'indexes': [Index(fields=['status', 'id']), Index(fields=['organisation_id', 'id']), Index(fields=['bill_to_id', 'id']), Index(fields=['category', 'id']), Index(fields=['assignee_id', 'id']), Index(fields=['created_at', 'id']), Index(fields=['external_reference', 'id'])], 'pk_attr': 'id', 'table_description': 'A support request by a contact (`requester`) of `organisation`, or a TRIP partner application (`kind`).'},
        ),
        ops.AlterModelOptions(
            name='TimeEntry',
            options={'table': 'support_time_entry', 'app': 'support', 'indexes': [Index(fields=['work_date', 'billable']), Index(fields=['ticket_id', 'work_date']), Index(fields=['invoice_id']), Index(fields=['staff_id', 'work_date'])], 'pk_attr': 'id', 'table_description': "Minutes a staff member worked on a ticket on `work_date`, with the ticket's category then and whether it was"},
        ),
    ]
