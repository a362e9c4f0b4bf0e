"""The check a trained model passes before it is put in force (decision 1243).

Existing rows were in force before the check existed: ``accepted`` is added with the
default True, so they stay in force; their check figures stay empty.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0002_identifiers_without_like_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainedmodel",
            name="accepted",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="trainedmodel",
            name="check_precision",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="trainedmodel",
            name="check_recall",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="trainedmodel",
            name="check_recall_in_force",
            field=models.FloatField(blank=True, null=True),
        ),
    ]
