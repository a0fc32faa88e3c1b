"""Audit trail at scale and principled scoping.

* ``union_path``: the union an event tied to no org unit (logins, denials, account events) belongs to.
* ``actor`` keeps the user id without a foreign-key constraint: deleting an account must not rewrite
  (SET NULL) the append-only trail.
* Indexes for keyset pagination (occurred_at, id) and the list filters; the single-column indexes on
  ``occurred_at`` and ``action`` are superseded by them.

SQLite rebuilds the table for some of these changes, which drops its triggers, so the append-only
triggers are lifted first and restored at the end, on both databases.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from unionhome.audit import append_only


def drop_triggers(apps, schema_editor):
    for sql in append_only.drop(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def create_triggers(apps, schema_editor):
    for sql in append_only.create(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.AddField(
            model_name="auditevent",
            name="union_path",
            field=models.CharField(
                blank=True,
                help_text="For events tied to no org unit (logins, denials, accounts): the union of the person concerned.",
                max_length=255,
                verbose_name="union path",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=80, verbose_name="action"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor account",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="occurred_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="time"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="request_id",
            field=models.CharField(blank=True, max_length=32, verbose_name="request id"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="unit_path",
            field=models.CharField(
                blank=True, help_text="The org unit of the record acted on.", max_length=255, verbose_name="unit path"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="user_agent",
            field=models.CharField(blank=True, max_length=200, verbose_name="user agent"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["occurred_at", "id"], name="audit_time_id"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["unit_path"], name="audit_unit_path", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action"], name="audit_action_prefix", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor_label", "occurred_at"], name="audit_actor_label_time"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
