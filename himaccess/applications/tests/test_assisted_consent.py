"""Assisted mode: an operator asks consent only of families the centre serves, and the SMS says who asks.

The centre's area is the operator's posting (Lalit: Mandi tehsil). A family
outside it, in Kangra or in another tehsil of Mandi, is a 404, the answer for
any object outside the caller's scope, and no code is sent. The code's SMS
names the operator, the centre and the service, in the citizen's language;
the consent covers that one service.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from himaccess.accounts.models import Level, OneTimeCode, Role, User
from himaccess.accounts.testing import last_code_sent_to
from himaccess.applications.actions import drafts
from himaccess.applications.models import Application, AssistedConsent
from himaccess.catalog.models import Service
from himaccess.conftest import MANDI, MANDI_TEHSIL, Personas, make_official, mandi_address
from himaccess.geography.models import Tehsil
from himaccess.lib.errors import NotAllowed
from himaccess.notifications import sms
from himaccess.notifications.models import SmsMessage
from himaccess.registry.actions import families as registry_families
from himaccess.registry.actions import members
from himaccess.registry.models import Gender, Member, Relation, Source

pytestmark = pytest.mark.django_db

SUNDARNAGAR_TEHSIL = 132  # in Mandi district, outside Lalit's centre


def _send(client: Any, member: Member, service: str = "CERT-05") -> Any:
    return client.post(
        reverse("applications:assisted"), {"send": "1", "member_id": member.member_id, "service": service}
    )


def _sundarnagar_family() -> Member:
    sundarnagar = Tehsil.objects.get(pk=SUNDARNAGAR_TEHSIL)
    family = registry_families.register_family(
        mandi_address(tehsil=sundarnagar, block=None, panchayat=None, house="9"),
        members.NewMember(
            name_en="Geeta Verma",
            name_hi="गीता वर्मा",
            gender=Gender.FEMALE,
            date_of_birth=date(1970, 3, 3),
            relation=Relation.HEAD,
            mobile="9816000031",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    head = family.head()
    assert head is not None
    return head


def _nothing_sent() -> bool:
    return not SmsMessage.objects.exists() and not OneTimeCode.objects.exists() and not sms.outbox


def test_operator_in_mandi_gets_404_for_a_kangra_family_and_nothing_is_sent(
    personas: Personas, lalit: User
) -> None:
    pushpa = personas.kangra_family.head()
    assert pushpa is not None
    assert _send(personas.client_for(lalit), pushpa).status_code == 404
    assert _nothing_sent()


def test_operator_gets_404_for_a_mandi_family_outside_the_centres_area(
    personas: Personas, lalit: User
) -> None:
    geeta = _sundarnagar_family()
    assert geeta.family.district_id == MANDI
    client = personas.client_for(lalit)
    assert _send(client, geeta).status_code == 404
    confirm = client.post(
        reverse("applications:assisted"), {"confirm": "1", "member_id": geeta.member_id, "code": "123456"}
    )
    assert confirm.status_code == 404
    assert _nothing_sent()


def test_unknown_member_and_district_level_operator_get_the_same_404(personas: Personas, lalit: User) -> None:
    unknown = Member(member_id="M" + "0" * 11)
    assert _send(personas.client_for(lalit), unknown).status_code == 404
    wide = make_official("kiran", Role.LOK_MITRA_OPERATOR, Level.DISTRICT, district_id=MANDI)
    ravi = personas.member(personas.ravi)
    assert _send(personas.client_for(wide), ravi).status_code == 404  # a centre serves a local area only
    assert _nothing_sent()


def test_consent_sms_names_the_operator_the_centre_and_the_service_in_both_languages(
    personas: Personas, lalit: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client_for(lalit)
    ravi, asha = personas.member(personas.ravi), personas.member(personas.asha)
    personas.ravi.preferred_language = "en"
    personas.ravi.save(update_fields=["preferred_language"])  # Asha keeps Hindi, the default
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(client, ravi).status_code == 200
        assert _send(client, asha).status_code == 200
    service = Service.objects.get(code="CERT-05")
    centre = Tehsil.objects.get(pk=MANDI_TEHSIL)
    english = next(m for m in sms.outbox if m.to == ravi.mobile)
    hindi = next(m for m in sms.outbox if m.to == asha.mobile)
    assert english.language == "en" and hindi.language == "hi"
    for message, language in ((english, "en"), (hindi, "hi")):
        assert "Lalit Sharma" in message.text
        assert centre.name_in(language) in message.text
        assert service.name_in(language) in message.text
    assert "Lok Mitra Kendra" in english.text and "लोक मित्र केंद्र" in hindi.text
    assert service.name_hi not in english.text and service.name_en not in hindi.text
    stored = SmsMessage.objects.get(to=ravi.mobile)
    assert stored.template.key == "assisted_consent"
    assert stored.params["code"] == "******"  # the code itself never reaches the log


def test_consent_covers_only_the_service_the_sms_named(
    personas: Personas, lalit: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client_for(lalit)
    ravi = personas.member(personas.ravi)
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, ravi, service="CERT-05")
    confirmed = client.post(
        reverse("applications:assisted"),
        {"confirm": "1", "member_id": ravi.member_id, "code": last_code_sent_to(ravi.mobile)},
    )
    assert confirmed["Location"] == reverse("applications:apply", args=["CERT-05"])
    consent = AssistedConsent.objects.get()
    assert consent.service_id == "CERT-05"
    other = client.post(reverse("applications:apply", args=["CERT-01"]), {"member_id": ravi.member_id})
    assert other.status_code == 302
    assert other["Location"] == reverse("applications:assisted") + "?service=CERT-01"
    with pytest.raises(NotAllowed):
        drafts.start_draft(Service.objects.get(code="CERT-01"), ravi, acting_user=lalit, consent=consent)
    assert not Application.objects.exists()
    applied = client.post(reverse("applications:apply", args=["CERT-05"]), {"member_id": ravi.member_id})
    assert applied.status_code == 302
    assert Application.objects.get().service_id == "CERT-05"


def test_a_code_confirms_only_the_member_it_was_asked_for(
    personas: Personas, lalit: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client_for(lalit)
    ravi, karan = personas.member(personas.ravi), personas.member(personas.karan)
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, ravi)
    swapped = client.post(
        reverse("applications:assisted"),
        {"confirm": "1", "member_id": karan.member_id, "code": last_code_sent_to(ravi.mobile)},
    )
    assert swapped.status_code == 400
    assert not AssistedConsent.objects.exists()
