# Service lines are registered by the features (satisfaction/service_lines.py): no fixed choices.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0003_appeal_ratings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rating",
            name="service_line",
            field=models.CharField(max_length=40, verbose_name="service line"),
        ),
    ]
