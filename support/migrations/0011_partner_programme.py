"""The licence model and the partner programme: production dates and interfaces of applications, licence
kinds population and forwarding, resold licences, the ticket kind, TRIP applications, documentation access,
partner agreements and interface change notices."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from support.models import LicenceKind, TicketKind
from support.programme.models import ApplicationDecision
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('support', '0010_attachments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InterfaceNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('interface', fields.CharField(max_length=100)),
                ('change', fields.TextField(unique=False)),
                ('effective_date', fields.DateField()),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_by', fields.CharField(max_length=200)),
                ('lead_time_days', fields.IntField()),
                ('override_reason', fields.TextField(null=True, unique=False)),
                ('recipients', fields.IntField(default=0)),
            ],
            options={'table': 'support_interface_notice', 'app': 'support', 'indexes': [Index(fields=['interface', 'effective_date']), Index(fields=['effective_date', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoticeRecipient',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notice', fields.ForeignKeyField('support.InterfaceNotice', source_field='notice_id', db_constraint=True, to_field='id', related_name='recipient_organisations', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('support.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='interface_notices', on_delete=OnDelete.RESTRICT)),
                ('reason', fields.CharField(max_length=20)),
            ],
            options={'table': 'support_notice_recipient', 'app': 'support', 'unique_together': (('notice', 'organisation'),), 'pk_attr': 'id', 'table_description': 'An organisation a notice was sent to, and why: its integrators list the notices that concern them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PartnerAgreement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('support.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='partner_agreements', on_delete=OnDelete.RESTRICT)),
                ('valid_from_date', fields.DateField()),
                ('valid_until_date', fields.DateField(null=True)),
                ('may_resell', fields.BooleanField(default=False)),
                ('note', fields.TextField(default='', unique=False)),
                ('created_by', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_partner_agreement', 'app': 'support', 'indexes': [Index(fields=['organisation_id', 'valid_from_date'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PartnerApplication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('support.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='partner_applications', on_delete=OnDelete.RESTRICT)),
                ('contact', fields.ForeignKeyField('support.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='partner_applications', on_delete=OnDelete.RESTRICT)),
                ('ticket', fields.ForeignKeyField('support.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='partner_applications', on_delete=OnDelete.RESTRICT)),
                ('motivation', fields.TextField(default='', unique=False)),
                ('policy_accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('policy_version', fields.CharField(max_length=40)),
                ('decision', fields.CharEnumField(default=ApplicationDecision.pending, description='pending: pending\napproved: approved\ndeclined: declined', enum_type=ApplicationDecision, max_length=10)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.CharField(null=True, max_length=200)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_partner_application', 'app': 'support', 'indexes': [Index(fields=['decision', 'id']), Index(fields=['organisation_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DocumentationAccess',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('support.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='documentation_access', on_delete=OnDelete.RESTRICT)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('granted_by', fields.CharField(max_length=200)),
                ('application', fields.ForeignKeyField('support.PartnerApplication', source_field='application_id', null=True, db_constraint=True, to_field='id', related_name='access', on_delete=OnDelete.RESTRICT)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_by', fields.CharField(null=True, max_length=200)),
                ('revoke_reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'support_documentation_access', 'app': 'support', 'indexes': [Index(fields=['organisation_id', 'revoked_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Application',
            name='interfaces',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='Application',
            name='production_date',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Application',
            name='unlicensed_notified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='Licence',
            name='kind',
            field=fields.CharEnumField(description='per_application: per_application\npopulation: population\nxl: xl\nforwarding: forwarding', enum_type=LicenceKind, max_length=20),
        ),
        ops.AddField(
            model_name='Licence',
            name='covers_applications',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Licence',
            name='extends',
            field=fields.ForeignKeyField('support.Licence', source_field='extends_id', null=True, db_constraint=True, to_field='id', related_name='extensions', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Licence',
            name='purpose',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Licence',
            name='reseller',
            field=fields.ForeignKeyField('support.Organisation', source_field='reseller_id', null=True, db_constraint=True, to_field='id', related_name='resold_licences', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Ticket',
            name='kind',
            field=fields.CharEnumField(default=TicketKind.support, description='support: support\npartner_application: partner_application', db_default='support', enum_type=TicketKind, max_length=20),
        ),
    ]
