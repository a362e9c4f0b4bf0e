"""The shipped schemes (data/rules.yaml) as published rule versions, and the SMS templates of schemes.

DLT template ids stay blank until the state registers each text on the DLT platform."""

from django.db import migrations

def load(apps, schema_editor):
    from himaccess.schemes.catalogue import load_schemes
    from himaccess.schemes.sms_templates import TEMPLATES

    load_schemes(apps)
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for key, description, text_en, text_hi in TEMPLATES:
        SmsTemplate.objects.update_or_create(
            key=key, defaults={"description": description, "text_en": text_en, "text_hi": text_hi}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("schemes", "0001_initial"),
        ("notifications", "0002_seed_templates"),
        ("departments", "0002_load_departments"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
