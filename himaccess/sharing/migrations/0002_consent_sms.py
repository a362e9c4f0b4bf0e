"""The code a citizen receives when a department asks, at its counter, to read their data.

It names the department, the field groups and the purpose, so the citizen
knows who asks and for what before giving the code. DLT registers each text;
its template id is entered in the admin once registered."""

from django.db import migrations

KEY = "department_consent"
DESCRIPTION = "Code for a department to read a member's data for one purpose, given at its counter"
TEXT_EN = (
    "{code} is your Him Access code to let {department} read your {fields} for {purpose}. "
    "Valid for {minutes} minutes. Give it only if you agree; you can withdraw consent on Him Access "
    "at any time. If you did not ask for this, call 1100. - Govt. of HP"
)
TEXT_HI = (
    "{code} आपका हिम एक्सेस कोड है, जिससे {department} {purpose} के लिए आपकी {fields} जानकारी पढ़ सके। "
    "यह {minutes} मिनट तक मान्य है। सहमत हों तभी यह कोड दें; आप हिम एक्सेस पर कभी भी सहमति वापस ले सकते हैं। "
    "यदि आपने यह नहीं माँगा, तो 1100 पर कॉल करें। - हि.प्र. सरकार"
)


def seed(apps, schema_editor):
    apps.get_model("notifications", "SmsTemplate").objects.update_or_create(
        key=KEY, defaults={"description": DESCRIPTION, "text_en": TEXT_EN, "text_hi": TEXT_HI}
    )


def unseed(apps, schema_editor):
    apps.get_model("notifications", "SmsTemplate").objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
        ("notifications", "0002_seed_templates"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
