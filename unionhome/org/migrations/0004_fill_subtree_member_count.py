"""Fill the new subtree counters from the direct counters already kept per unit."""

from django.db import migrations

STEPLEN = 4


def fill(apps, schema_editor):
    OrgUnit = apps.get_model("org", "OrgUnit")
    rows = list(OrgUnit.objects.order_by("path").only("pk", "path", "direct_member_count"))
    subtree = {unit.path: unit.direct_member_count for unit in rows}
    for unit in reversed(rows):
        parent = unit.path[:-STEPLEN]
        if parent in subtree:
            subtree[parent] += subtree[unit.path]
    for unit in rows:
        unit.subtree_member_count = subtree[unit.path]
    OrgUnit.objects.bulk_update(rows, ["subtree_member_count"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("org", "0003_orgunit_subtree_member_count")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
