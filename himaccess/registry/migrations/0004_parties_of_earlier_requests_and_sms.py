"""Families of the change requests filed before requests recorded them, and the SMS that ask
and tell a family about a request that moves its people.

A pending request that moves people between families still needs the consent of each family
(nothing was asked of them when it was filed); decided ones are history and need nothing.
"""

import re

from django.db import migrations

MOVING = {"marriage_in", "marriage_out", "split", "merge", "change_head"}
OTHER_ROLE = {"marriage_out": "receiving", "merge": "joining", "marriage_in": "giving"}

TEMPLATES = [
    (
        "change_request_consent_needed",
        "Asks a family's head to agree to a request that moves people into, out of or between families",
        "Request {reference} in the Him Parivar register moves people into or out of your family {family_id}. Nothing changes unless the head of the family agrees. Agree or refuse at {url} . If you do not know of it, call 1100. - Govt. of HP",
        "हिम परिवार रजिस्टर में अनुरोध {reference} से आपके परिवार {family_id} में लोग जुड़ते या निकलते हैं। परिवार के मुखिया की सहमति के बिना कुछ नहीं बदलेगा। {url} पर सहमति दें या मना करें। यदि आपको इसकी जानकारी नहीं है, तो 1100 पर कॉल करें। - हि.प्र. सरकार",
    ),
    (
        "change_request_applied",
        "Tells each family concerned that an approved request changed its record",
        "Request {reference} has been approved and the Him Parivar record of your family {family_id} changed. See it at {url} . If you do not know of it, call 1100. - Govt. of HP",
        "अनुरोध {reference} स्वीकृत हो गया है और हिम परिवार में आपके परिवार {family_id} का रिकॉर्ड बदल गया है। इसे {url} पर देखें। यदि आपको इसकी जानकारी नहीं है, तो 1100 पर कॉल करें। - हि.प्र. सरकार",
    ),
]


def _other_family_pk(apps, request):
    Family = apps.get_model("registry", "Family")
    Member = apps.get_model("registry", "Member")
    payload = request.payload or {}
    code = re.sub(r"[\s\-./]", "", str(payload.get("to_family_id") or payload.get("other_family_id") or "")).upper()
    if code:
        return Family.objects.filter(family_id=code).values_list("pk", flat=True).first()
    member = re.sub(r"[\s\-./]", "", str(payload.get("from_member_id") or "")).upper()
    if member:
        return Member.objects.filter(member_id=member).values_list("family_id", flat=True).first()
    return None


def forward(apps, schema_editor):
    ChangeRequest = apps.get_model("registry", "ChangeRequest")
    Party = apps.get_model("registry", "ChangeRequestParty")
    for request in ChangeRequest.objects.filter(parties__isnull=True).iterator():
        needs = request.kind in MOVING and request.status == "pending"
        Party.objects.create(
            change_request=request, family_id=request.family_id, role="filing", consent_required=needs
        )
        other = request.other_family_id or (_other_family_pk(apps, request) if request.kind in MOVING else None)
        if other and other != request.family_id:
            Party.objects.create(
                change_request=request,
                family_id=other,
                role=OTHER_ROLE.get(request.kind, "receiving"),
                consent_required=needs,
            )
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for key, description, text_en, text_hi in TEMPLATES:
        SmsTemplate.objects.update_or_create(
            key=key, defaults={"description": description, "text_en": text_en, "text_hi": text_hi}
        )


def backward(apps, schema_editor):
    apps.get_model("notifications", "SmsTemplate").objects.filter(key__in=[t[0] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_change_request_parties"),
        ("notifications", "0002_seed_templates"),
    ]

    operations = [migrations.RunPython(forward, backward)]
