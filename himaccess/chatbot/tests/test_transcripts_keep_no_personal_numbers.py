"""What the transcript keeps: mobile numbers, Aadhaar-like numbers and one-time codes are replaced first.

A code typed by mistake is never echoed back, and the person is warned.
"""

from __future__ import annotations

import pytest

from himaccess.chatbot.models import Handover, Message
from himaccess.chatbot.tests.conftest import Chat, code_sent_to, verify
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db

ASHA = "9816000001"


def _stored() -> str:
    return "\n".join(Message.objects.values_list("text", flat=True))


def test_a_mobile_number_an_aadhaar_number_and_a_code_are_not_stored(personas: Personas) -> None:
    chat = Chat()
    chat.say("my aadhaar is 2345 6789 0123 and my phone +91 98160 00099, otp 482913")
    stored = _stored()
    for secret in ("2345 6789 0123", "234567890123", "98160 00099", "9816000099", "482913"):
        assert secret not in stored
    assert "[redacted: 12-digit number]" in stored and "[redacted: mobile number]" in stored


def test_a_code_typed_by_mistake_is_not_echoed_and_the_person_is_warned(personas: Personas) -> None:
    chat = Chat()
    answer = chat.say("783412")
    assert "783412" not in answer["reply"]
    assert "one-time code" in answer["reply"]
    assert "783412" not in _stored()


def test_the_code_of_a_verification_is_not_stored(personas: Personas) -> None:
    chat = Chat()
    chat.say("status of my complaint")
    chat.say(ASHA)
    code = code_sent_to(ASHA)
    chat.say(code)
    stored = _stored()
    assert code not in stored and ASHA not in stored
    assert "[redacted: code]" in stored


def test_register_numbers_stay_readable_for_the_helpline(personas: Personas) -> None:
    chat = Chat()
    chat.say("status of complaint G 4821 0937 562")
    assert "G 4821 0937 562" in _stored()


def test_a_callback_number_is_kept_only_on_the_handover(personas: Personas) -> None:
    chat = Chat()
    chat.say("talk to an agent")
    chat.say("9418012345")
    assert "9418012345" not in _stored()
    assert Handover.objects.get().callback_mobile == "9418012345"


def test_the_verified_number_is_masked_in_the_replies(personas: Personas) -> None:
    chat = Chat()
    answer = verify(chat, ASHA, "status of my application")
    assert ASHA not in answer["reply"]
    assert ASHA not in _stored()
