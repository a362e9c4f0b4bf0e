"""The shipped rates (data/rates.csv, each with its source), the milk payment scheme and Milkfed's SMS texts.

DLT template ids stay blank until the state registers each text on the DLT platform."""

from django.db import migrations


def load(apps, schema_editor):
    from himaccess.milkfed.loading import load as load_shipped

    load_shipped(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("milkfed", "0001_initial"),
        ("notifications", "0003_sms_next_attempt"),
        ("departments", "0002_load_departments"),
        ("schemes", "0003_idempotency_records_to_shared_store"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
