"""A person's own applications, complaints and decisions are shown only after a code sent to their mobile.

The conversation then sees what that number's citizen login sees, and no
more: Karan, verified with his own number, cannot reach Asha's application
or complaint by typing their numbers.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from himaccess.audit.models import AuditEntry
from himaccess.chatbot.models import Conversation
from himaccess.chatbot.tests.conftest import (
    Chat,
    character_certificate_for_ravi,
    code_sent_to,
    verify,
    water_complaint_of_asha,
)
from himaccess.conftest import Personas
from himaccess.notifications import sms

pytestmark = pytest.mark.django_db

ASHA, KARAN = "9816000001", "9816000003"


def test_an_application_status_is_refused_until_the_code_is_typed(personas: Personas) -> None:
    application = character_certificate_for_ravi(personas)
    chat = Chat()
    asked = chat.say("what is the status of my application")
    assert asked["intent"] == "track_application"
    assert application.display_number not in asked["reply"]
    assert "mobile number" in asked["reply"]
    chat.say(ASHA)
    assert application.display_number not in chat.reply
    answer = chat.say(code_sent_to(ASHA))
    assert "confirmed" in answer["reply"]
    assert application.display_number in answer["reply"]
    assert "Character certificate" in answer["reply"] and "Ravi Kumar" in answer["reply"]


def test_a_wrong_code_does_not_verify(personas: Personas) -> None:
    character_certificate_for_ravi(personas)
    chat = Chat()
    chat.say("status of my application")
    chat.say(ASHA)
    right = code_sent_to(ASHA)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answer = chat.say(wrong)
    assert "not right" in answer["reply"]
    assert not Conversation.objects.get().is_verified()


def test_the_reply_to_an_unknown_number_is_the_same_and_no_sms_goes_out(personas: Personas) -> None:
    chat = Chat()
    chat.say("status of my complaint")
    known = chat.say(ASHA)["reply"].replace("0001", "####")
    other = Chat()
    other.say("status of my complaint")
    unknown = other.say("9999912345")["reply"].replace("2345", "####")
    assert known == unknown
    assert not [m for m in sms.outbox if m.to == "9999912345"]


def test_karan_verified_cannot_see_ashas_application_or_complaint(personas: Personas) -> None:
    application = character_certificate_for_ravi(personas)
    complaint = water_complaint_of_asha(personas)
    chat = Chat()
    answer = verify(chat, KARAN, f"status of application {application.number}")
    assert "No application" in answer["reply"] and "visible to you" in answer["reply"]
    assert "Ravi" not in answer["reply"] and "Character" not in answer["reply"]
    answer = chat.say(f"status of my complaint {complaint.reference}")
    assert "No complaint" in answer["reply"]
    assert "water" not in answer["reply"].lower()
    listed = chat.say("show my complaints")
    assert complaint.display_reference not in listed["reply"]


def test_asha_verified_sees_her_complaint(personas: Personas) -> None:
    complaint = water_complaint_of_asha(personas)
    chat = Chat()
    answer = verify(chat, ASHA, "meri shikayat ka status kya hai")
    assert complaint.display_reference in answer["reply"]
    # Romanised Hindi is answered in Hindi in Latin letters, the category named as the register
    # names it in Hindi.
    assert answer["reply_language"] == "hi-Latn"
    assert "pani ki apurti nahin" in answer["reply"]


def test_a_logged_in_citizen_gets_the_code_on_her_own_number_without_typing_it(personas: Personas) -> None:
    character_certificate_for_ravi(personas)
    client = Client()
    client.force_login(personas.asha)
    chat = Chat(client=client)
    # A session caller sends the CSRF token, as the widget does.
    client.get("/")
    chat.client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    asked = chat.say("status of my application")
    assert "XXXXXX0001" in asked["reply"]
    answer = chat.say(code_sent_to(ASHA))
    assert "Ravi Kumar" in answer["reply"]


def test_verification_is_recorded_in_the_audit_chain(personas: Personas) -> None:
    chat = Chat()
    verify(chat, ASHA, "status of my complaint")
    entry = AuditEntry.objects.filter(action="chatbot.verified").get()
    assert entry.actor is not None and entry.actor.mobile == ASHA


def test_the_verification_lapses_after_its_minutes(personas: Personas, settings: Settings) -> None:
    chat = Chat()
    verify(chat, ASHA, "status of my complaint")
    later = timezone.now() + timedelta(minutes=settings.CHATBOT_VERIFIED_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        again = chat.say("status of my complaint")
    assert "mobile number" in again["reply"]


def test_a_phone_shared_by_two_members_asks_who_is_writing(shared_phone: str) -> None:
    """As at login: the person says which of the people on the number they are, then is answered."""
    chat = Chat()
    answer = verify(chat, shared_phone, "status of my application")
    assert "Which of them are you" in answer["reply"]
    assert set(answer["suggestions"]) == {"Pushpa Katoch", "Anju Katoch"}
    answer = chat.say("Anju Katoch")
    assert "no service applications of your family" in answer["reply"]
    user = Conversation.objects.get().verified_user
    assert user is not None and user.member_links.get().member.name_en == "Anju Katoch"
