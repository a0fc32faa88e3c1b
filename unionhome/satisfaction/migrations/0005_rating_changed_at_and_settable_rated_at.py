# A rating may be changed within the edit window (changed_at), and its time is set by the one write
# path (rating_record: now, an anonymous answer's hour, or the demo's past) instead of auto_now_add.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0004_service_line_registered_by_features"),
    ]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="rating",
            name="rated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
    ]
