"""The shipped procurement terms (data/procurement_terms.yaml), the PK3Y procurement scheme and the SMS texts.

DLT template ids stay blank until the state registers each text on the DLT platform."""

from django.db import migrations


def load(apps, schema_editor):
    from himaccess.natural_farming.loading import load as load_shipped

    load_shipped(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("natural_farming", "0001_initial"),
        ("schemes", "0002_shipped_schemes_and_sms"),
        ("notifications", "0002_seed_templates"),
        ("departments", "0002_load_departments"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
