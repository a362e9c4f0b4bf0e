"""The code a citizen receives when a Lok Mitra Kendra operator asks to apply on their behalf.

It names the operator, the centre and the service, so the citizen knows who
is asking and for what before giving the code. A text of its own (not the
generic consent code): DLT registers each text, and its template id is
entered in the admin once registered."""

from django.db import migrations

KEY = "assisted_consent"
DESCRIPTION = "Code for a Lok Mitra Kendra operator to apply for one service on a citizen's behalf"
TEXT_EN = (
    "{code} is your Him Access code to let {operator} of Lok Mitra Kendra {centre} apply for "
    "{service} on your behalf. Valid for {minutes} minutes. Give it only to that operator, in person. "
    "If you did not ask for this, call 1100. - Govt. of HP"
)
TEXT_HI = (
    "{code} आपका हिम एक्सेस कोड है, जिससे लोक मित्र केंद्र {centre} के {operator} आपकी ओर से "
    "{service} के लिए आवेदन कर सकें। यह {minutes} मिनट तक मान्य है। यह कोड केवल उसी संचालक को, "
    "सामने, बताएँ। यदि आपने यह नहीं माँगा, तो 1100 पर कॉल करें। - हि.प्र. सरकार"
)


def seed(apps, schema_editor):
    apps.get_model("notifications", "SmsTemplate").objects.update_or_create(
        key=KEY, defaults={"description": DESCRIPTION, "text_en": TEXT_EN, "text_hi": TEXT_HI}
    )


def unseed(apps, schema_editor):
    apps.get_model("notifications", "SmsTemplate").objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0003_assisted_consent_service"),
        ("notifications", "0002_seed_templates"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
