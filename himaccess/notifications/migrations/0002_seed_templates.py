"""The SMS templates the product sends. DLT template ids stay blank until the
state registers each text on the DLT platform and enters its id in the admin."""

from django.db import migrations

TEMPLATES = [
    (
        "otp_login",
        "Login code for citizens",
        "{code} is your Him Access login code. It is valid for {minutes} minutes. Do not share it with anyone. - Govt. of HP",
        "{code} आपका हिम एक्सेस लॉग इन कोड है। यह {minutes} मिनट तक मान्य है। इसे किसी से साझा न करें। - हि.प्र. सरकार",
    ),
    (
        "otp_consent",
        "Code to confirm a consent given to a department",
        "{code} is your Him Access code to confirm your consent. It is valid for {minutes} minutes. Do not share it with anyone. - Govt. of HP",
        "{code} हिम एक्सेस पर आपकी सहमति की पुष्टि का कोड है। यह {minutes} मिनट तक मान्य है। इसे किसी से साझा न करें। - हि.प्र. सरकार",
    ),
    (
        "otp_sensitive_change",
        "Code to confirm a change of mobile number or bank account",
        "{code} is your Him Access code to confirm a change of mobile number or bank account. It is valid for {minutes} minutes. If you did not ask for this, call 1100. - Govt. of HP",
        "{code} हिम एक्सेस पर मोबाइल नंबर या बैंक खाते में बदलाव की पुष्टि का कोड है। यह {minutes} मिनट तक मान्य है। यदि आपने यह नहीं माँगा, तो 1100 पर कॉल करें। - हि.प्र. सरकार",
    ),
    (
        "otp_ekyc",
        "Code to consent to Aadhaar e-KYC",
        "{code} is your Him Access code to consent to Aadhaar e-KYC. It is valid for {minutes} minutes. Do not share it with anyone. - Govt. of HP",
        "{code} हिम एक्सेस पर आधार ई-केवाईसी की सहमति का कोड है। यह {minutes} मिनट तक मान्य है। इसे किसी से साझा न करें। - हि.प्र. सरकार",
    ),
    (
        "change_request_received",
        "A family's change request was received",
        "Your request {reference} to change the Him Parivar register has been received. Track it at {url} - Govt. of HP",
        "हिम परिवार रजिस्टर में बदलाव का आपका अनुरोध {reference} प्राप्त हो गया है। इसकी स्थिति {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "change_request_decided",
        "A decision was taken on a family's change request",
        "A decision has been taken on your Him Parivar request {reference}. See it at {url} - Govt. of HP",
        "हिम परिवार में आपके अनुरोध {reference} पर निर्णय हो गया है। इसे {url} पर देखें - हि.प्र. सरकार",
    ),
    (
        "mobile_number_changed",
        "Sent to the old number when a member's mobile number changes",
        "The mobile number of {name} in the Him Parivar register was changed on {date}. If you did not ask for this, call 1100. - Govt. of HP",
        "हिम परिवार रजिस्टर में {name} का मोबाइल नंबर {date} को बदला गया। यदि आपने यह नहीं माँगा, तो 1100 पर कॉल करें। - हि.प्र. सरकार",
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
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
