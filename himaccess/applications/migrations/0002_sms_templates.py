"""The SMS Him Seva sends. DLT template ids stay blank until the state registers
each text on the DLT platform and enters its id in the admin."""

from django.db import migrations

TEMPLATES = [
    (
        "service_submitted",
        "A service application was submitted",
        "Your application {number} has been received. The service is due by {due}. Track it at {url} - Govt. of HP",
        "आपका आवेदन {number} प्राप्त हो गया है। सेवा {due} तक देय है। इसकी स्थिति {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "service_moved",
        "An application was verified and sent to the next official",
        "Your application {number} has been verified and sent to the next official. Track it at {url} - Govt. of HP",
        "आपका आवेदन {number} सत्यापित होकर अगले अधिकारी को भेज दिया गया है। इसकी स्थिति {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "service_returned",
        "An application was returned to the citizen for correction",
        "Your application {number} has been returned to you for correction. See what to correct at {url} - Govt. of HP",
        "आपका आवेदन {number} सुधार हेतु आपको लौटाया गया है। क्या सुधारना है, {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "service_approved",
        "An application was approved",
        "Your application {number} has been approved. Download the certificate or the order at {url} - Govt. of HP",
        "आपका आवेदन {number} स्वीकृत हो गया है। प्रमाण पत्र या आदेश {url} से डाउनलोड करें - हि.प्र. सरकार",
    ),
    (
        "service_rejected",
        "An application was rejected",
        "Your application {number} has been rejected. See the reason, and how to appeal, at {url} - Govt. of HP",
        "आपका आवेदन {number} अस्वीकृत कर दिया गया है। कारण और अपील का तरीका {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "service_overdue",
        "An application passed its time limit without a decision",
        "Your application {number} was not decided within its time limit. You may file an appeal at {url} - Govt. of HP",
        "आपके आवेदन {number} पर समय सीमा में निर्णय नहीं हुआ। आप {url} पर अपील कर सकते हैं - हि.प्र. सरकार",
    ),
    (
        "service_appeal_filed",
        "An appeal was filed",
        "Your appeal (level {level}) on application {number} has been filed. Track it at {url} - Govt. of HP",
        "आवेदन {number} पर आपकी अपील (स्तर {level}) दर्ज हो गई है। इसकी स्थिति {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "service_appeal_decided",
        "An appeal was decided",
        "Your appeal (level {level}) on application {number} has been decided. See the order at {url} - Govt. of HP",
        "आवेदन {number} पर आपकी अपील (स्तर {level}) पर निर्णय हो गया है। आदेश {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "service_certificate_revoked",
        "A certificate was revoked",
        "The certificate issued on your application {number} has been revoked. See the reason at {url} - Govt. of HP",
        "आपके आवेदन {number} पर जारी प्रमाण पत्र रद्द कर दिया गया है। कारण {url} पर देखें - हि.प्र. सरकार",
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
    dependencies = [("applications", "0001_initial"), ("notifications", "0002_seed_templates")]
    operations = [migrations.RunPython(seed, unseed)]
