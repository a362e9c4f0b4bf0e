"""The SMS of e-KYC: the consent code (own login and Lok Mitra Kendra) and the campaign reminder.

Each names what it is for, so the resident can refuse a code they did not ask
for. DLT registers each text; its template ids are entered in the admin once
registered."""

from django.db import migrations

TEMPLATES = [
    (
        "kyc_consent",
        "Code for a member's consent to Aadhaar e-KYC on Him Access",
        "{code} is your Him Access code to consent to Aadhaar e-KYC of {member}: your name, date of birth "
        "and gender from Aadhaar will be checked against the Him Parivar register. Valid for {minutes} "
        "minutes. If you did not ask for this, call 1100. - Govt. of HP",
        "{code} आपका हिम एक्सेस कोड है, जिससे {member} के आधार ई-केवाईसी की सहमति दी जाती है: आधार से "
        "नाम, जन्म तिथि और लिंग का हिम परिवार रजिस्टर से मिलान होगा। यह {minutes} मिनट तक मान्य है। "
        "यदि आपने यह नहीं माँगा, तो 1100 पर कॉल करें। - हि.प्र. सरकार",
    ),
    (
        "kyc_assisted_consent",
        "Code for a Lok Mitra Kendra operator to do Aadhaar e-KYC of a member",
        "{code} is your Him Access code to let {operator} of Lok Mitra Kendra {centre} do Aadhaar e-KYC "
        "of {member}. Valid for {minutes} minutes. Give it only to that operator, in person. If you did "
        "not ask for this, call 1100. - Govt. of HP",
        "{code} आपका हिम एक्सेस कोड है, जिससे लोक मित्र केंद्र {centre} के {operator} {member} का आधार "
        "ई-केवाईसी कर सकें। यह {minutes} मिनट तक मान्य है। यह कोड केवल उसी संचालक को, सामने, बताएँ। "
        "यदि आपने यह नहीं माँगा, तो 1100 पर कॉल करें। - हि.प्र. सरकार",
    ),
    (
        "kyc_reminder",
        "Weekly reminder to a family with members whose Aadhaar e-KYC is not done",
        "Aadhaar e-KYC of {pending} member(s) of your family {family_id} in the Him Parivar register is not "
        "done. Do it at {url} , at a Lok Mitra Kendra or at your panchayat's camp. - Govt. of HP",
        "हिम परिवार रजिस्टर में आपके परिवार {family_id} के {pending} सदस्यों का आधार ई-केवाईसी नहीं हुआ है। "
        "इसे {url} पर, लोक मित्र केंद्र पर या अपनी पंचायत के शिविर में करवाएँ। - हि.प्र. सरकार",
    ),
]


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for key, description, text_en, text_hi in TEMPLATES:
        SmsTemplate.objects.update_or_create(
            key=key, defaults={"description": description, "text_en": text_en, "text_hi": text_hi}
        )


def unseed(apps, schema_editor):
    apps.get_model("notifications", "SmsTemplate").objects.filter(key__in=[t[0] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kyc", "0001_initial"),
        ("notifications", "0002_seed_templates"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
