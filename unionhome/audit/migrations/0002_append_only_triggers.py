"""Make the audit trail append-only in the database itself."""

from django.db import migrations

from unionhome.audit import append_only


def create_triggers(apps, schema_editor):
    for sql in append_only.create(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    for sql in append_only.drop(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
