"""Planner statistics for the centre's large tables (PostgreSQL only): none of this changes any data.

1. ``unit_path`` with a finer histogram (statistics target 1000 instead of 100). With the default,
   PostgreSQL estimates any ``unit_path LIKE 'prefix%'`` range at about 1 % of a table however narrow
   it is; for one union of a federation (0.1 % of the rows or less) it then prefers to AND the scope
   index with a status index of a quarter of a million rows.
2. The number of distinct ``substring(unit_path, 1, 8)`` values (PostgreSQL 14 and later): the report of
   a top unit (the federation, or a union on its own) groups its rows by that expression, the path of
   the child unit they lie under. Without these statistics PostgreSQL guesses one group per distinct
   ``unit_path`` (tens of thousands instead of about a thousand), sorts a million rows on disk instead
   of counting them in a hash table, and the federation's yearly report takes twice as long.
"""

from django.db import migrations

TABLES = (
    "assistance_hardshipfile",
    "assistance_assistance",
    "assistance_payment",
    "assistance_followup",
    "assistance_aidapplication",
    "assistance_visit",
)
TARGET = 1000
CHILD_OF_TOP = "substring(unit_path, 1, 8)"  # selectors.reports: Substr(unit_path, 1, (depth + 1) * 4) at depth 1


def _statistics_name(table: str) -> str:
    return f"{table}_top_child"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "unit_path" SET STATISTICS {TARGET}')
        if connection.pg_version >= 140000:  # statistics on expressions
            schema_editor.execute(f'CREATE STATISTICS "{_statistics_name(table)}" ON ({CHILD_OF_TOP}) FROM "{table}"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f'DROP STATISTICS IF EXISTS "{_statistics_name(table)}"')
        schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "unit_path" SET STATISTICS -1')


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0004_list_order_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
