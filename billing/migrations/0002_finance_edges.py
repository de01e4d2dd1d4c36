"""Invoice runs keep a truthful state: status (running/finished/abandoned), a heartbeat and how many
organisations are done. Existing finished runs become `finished`; unfinished ones stay `running` until the
next run finds them stale and marks them abandoned (billing/run_state.py)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from billing.models import RunStatus


class Migration(migrations.Migration):
    dependencies = [('billing', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InvoiceRun',
            name='status',
            field=fields.CharEnumField(description='running: running\nfinished: finished\nabandoned: abandoned',
                                       enum_type=RunStatus, default=RunStatus.running,
                                       db_default=RunStatus.finished.value, max_length=10),
        ),
        ops.AddField(
            model_name='InvoiceRun',
            name='heartbeat_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='InvoiceRun',
            name='organisations_done',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunSQL(
            "UPDATE billing_invoice_run SET status = 'running' WHERE finished_at IS NULL",
            reverse_sql="SELECT 1",
        ),
    ]
