"""Outbox messages are rendered at delivery: a `context` column, and the rendered columns become nullable
(rows queued before this migration keep their rendered content). The Python attributes are renamed to
`stored_*`; the columns keep their names (AlterField sets `source_field` first, so RenameField runs no SQL)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(model_name="OutboxMessage", name="context", field=fields.JSONField(null=True)),
        ops.AlterField(model_name="OutboxMessage", name="subject",
                       field=fields.CharField(source_field="subject", null=True, max_length=300)),
        ops.AlterField(model_name="OutboxMessage", name="text_body",
                       field=fields.TextField(source_field="text_body", null=True, unique=False)),
        ops.AlterField(model_name="OutboxMessage", name="html_body",
                       field=fields.TextField(source_field="html_body", null=True, unique=False)),
        ops.RenameField(model_name="OutboxMessage", old_name="subject", new_name="stored_subject"),
        ops.RenameField(model_name="OutboxMessage", old_name="text_body", new_name="stored_text"),
        ops.RenameField(model_name="OutboxMessage", old_name="html_body", new_name="stored_html"),
    ]
