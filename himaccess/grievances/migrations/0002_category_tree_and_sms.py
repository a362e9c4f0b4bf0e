"""The initial category tree and escalation ladders (a product definition:
``data/categories.csv`` and ``data/ladders.csv``, docs/decisions/0900) and the
SMS texts of CM Seva Sankalp. DLT template ids stay blank until registered."""

from django.db import migrations

TEMPLATES = [
    (
        "grievance_registered",
        "A complaint was registered (reference number)",
        "Your complaint {reference} is registered with CM Seva Sankalp 1100. Track it at {url} - Govt. of HP",
        "मुख्यमंत्री सेवा संकल्प 1100 में आपकी शिकायत {reference} दर्ज हो गई है। इसकी स्थिति {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "grievance_repeat",
        "The caller complained again about an open complaint",
        "Your complaint is already registered as {reference}; this call has been added to it. Track it at {url} - Govt. of HP",
        "आपकी शिकायत पहले से {reference} के रूप में दर्ज है; यह कॉल उसी में जोड़ दी गई है। स्थिति {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "grievance_resolved",
        "The officer resolved a complaint: confirm or reject",
        "Your complaint {reference} is marked resolved. Confirm or reject within {days} days at {url} or call 1100. - Govt. of HP",
        "आपकी शिकायत {reference} का समाधान दर्ज किया गया है। {days} दिन के भीतर {url} पर या 1100 पर कॉल करके पुष्टि करें या अस्वीकार करें। - हि.प्र. सरकार",
    ),
    (
        "grievance_closed",
        "A complaint was closed: rate it or reopen it",
        "Your complaint {reference} is closed. Rate the resolution or reopen it within {days} days at {url} - Govt. of HP",
        "आपकी शिकायत {reference} बंद कर दी गई है। {days} दिन के भीतर {url} पर समाधान को रेटिंग दें या इसे फिर से खोलें - हि.प्र. सरकार",
    ),
    (
        "grievance_assigned",
        "A complaint was assigned to an officer",
        "CM Seva Sankalp complaint {reference} is assigned to you. Time limit: {due}. Queue: {url}",
        "मुख्यमंत्री सेवा संकल्प की शिकायत {reference} आपको सौंपी गई है। समय-सीमा: {due}। सूची: {url}",
    ),
    (
        "grievance_escalated_to",
        "Complaints were escalated to an officer for delay (one message per run)",
        "{count} CM Seva Sankalp complaints were escalated to you for delay. Queue: {url}",
        "मुख्यमंत्री सेवा संकल्प की {count} शिकायतें देरी के कारण आपको भेजी गई हैं। सूची: {url}",
    ),
    (
        "grievance_escalated_from",
        "Complaints in an officer's charge were escalated for delay (one message per run)",
        "{count} CM Seva Sankalp complaints in your charge were escalated to the next level for delay. Queue: {url}",
        "आपके पास लंबित मुख्यमंत्री सेवा संकल्प की {count} शिकायतें देरी के कारण अगले स्तर पर भेजी गई हैं। सूची: {url}",
    ),
    (
        "suggestion_recorded",
        "A suggestion or demand was recorded",
        "Your suggestion or demand {reference} is recorded and sent to the department. - Govt. of HP",
        "आपका सुझाव या माँग {reference} दर्ज कर विभाग को भेज दी गई है। - हि.प्र. सरकार",
    ),
]


def load(apps, schema_editor):
    from himaccess.grievances.loading import load_tree

    load_tree(apps)
    sms_template = apps.get_model("notifications", "SmsTemplate")
    for key, description, text_en, text_hi in TEMPLATES:
        sms_template.objects.update_or_create(
            key=key, defaults={"description": description, "text_en": text_en, "text_hi": text_hi}
        )


def unload(apps, schema_editor):
    apps.get_model("notifications", "SmsTemplate").objects.filter(key__in=[t[0] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0001_initial"),
        ("departments", "0002_load_departments"),
        ("notifications", "0002_seed_templates"),
    ]
    operations = [migrations.RunPython(load, unload)]
