from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('notifications', '0003_inbound_mail')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='OutboxAttachment',
            options={'table': 'notifications_attachment', 'app': 'notifications', 'pk_attr': 'id', 'table_description': 'A file sent with an outbox message, stored with it when it is queued (`enqueue_email`) and deleted with it.'},
        ),
        ops.AlterModelOptions(
            name='OutboxMessage',
            options={'table': 'notifications_outbox', 'app': 'notifications', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['coalesce_key', 'status'])], 'pk_attr': 'id', 'table_description': 'One email, queued in the transaction of the change that causes it and sent later by the worker. One email per'},
        ),
    ]
