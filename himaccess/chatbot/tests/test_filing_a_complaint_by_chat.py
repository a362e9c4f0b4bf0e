"""Filing a complaint in the chat: the missing details asked one at a time, read back, then filed.

The complaint goes through the grievances app's own ``file_complaint``, on the
``chatbot`` channel from the web and ``whatsapp`` from WhatsApp, to the officer
the ladder names, with the reference number read back and sent by SMS.
"""

from __future__ import annotations

import pytest
from django.test import Client

from himaccess.chatbot import whatsapp
from himaccess.chatbot.tests.conftest import Chat, code_sent_to, signed_post, verify, whatsapp_text
from himaccess.conftest import Personas
from himaccess.grievances.models import Complaint
from himaccess.lib import identifiers
from himaccess.notifications import sms

pytestmark = pytest.mark.django_db

ASHA = "9816000001"


def test_asha_files_a_water_complaint_step_by_step(personas: Personas) -> None:
    chat = Chat()
    answer = verify(chat, ASHA, "I want to file a complaint")
    assert "What is the complaint about" in answer["reply"]
    answer = chat.say("no water in the tap")
    assert "Where is the problem" in answer["reply"]
    assert any("At my home" in suggestion for suggestion in answer["suggestions"])
    answer = chat.say(answer["suggestions"][0])
    assert "describe the problem" in answer["reply"]
    answer = chat.say("The tap in ward 3 has been dry for four days since the pipe was dug up")
    assert "Please check before I register it" in answer["reply"]
    assert "No water supply" in answer["reply"] and "dry for four days" in answer["reply"]
    assert not Complaint.objects.exists()
    answer = chat.say("yes")
    complaint = Complaint.objects.get()
    assert complaint.channel == "chatbot"
    assert complaint.category.code == "jal-shakti-no-water"
    assert complaint.complainant_mobile == ASHA
    assert complaint.member == personas.member(personas.asha)
    assert complaint.district_id == personas.asha_family.district_id
    assert complaint.description == "The tap in ward 3 has been dry for four days since the pipe was dug up"
    assert complaint.display_reference in answer["reply"]
    assert any(m.to == ASHA and complaint.reference in m.text for m in sms.outbox)


def test_a_described_problem_is_kept_and_the_place_typed(personas: Personas) -> None:
    chat = Chat()
    answer = verify(chat, ASHA, "the road to our village is damaged with big potholes near the school")
    assert answer["intent"] == "file_complaint"
    answer = chat.say(answer["suggestions"][0])  # Road damaged or potholes
    answer = chat.say("Kangra")
    assert "Which tehsil of Kangra" in answer["reply"]
    answer = chat.say("Kangra")
    # The description came with the first message: it is read back, not asked again.
    assert "potholes near the school" in answer["reply"]
    chat.say("haan")
    complaint = Complaint.objects.get()
    assert complaint.category.code == "pwd-road-damaged"
    assert complaint.district.name_en == "Kangra" and complaint.tehsil.name_en == "Kangra"


def test_saying_no_at_the_read_back_files_nothing(personas: Personas) -> None:
    chat = Chat()
    verify(chat, ASHA, "bijli nahi hai kal se")
    chat.say("1")
    chat.say(chat.last["suggestions"][0])
    chat.say("Bijli kal shaam se nahi hai poore mohalle me")
    answer = chat.say("नहीं")
    assert "nothing was registered" in answer["reply"].lower() or "कुछ भी दर्ज नहीं" in answer["reply"]
    assert not Complaint.objects.exists()


def test_a_number_typed_in_the_description_is_not_kept(personas: Personas) -> None:
    chat = Chat()
    verify(chat, ASHA, "I want to file a complaint")
    chat.say("no water supply")
    chat.say("At my home (Mandi, Mandi)")
    answer = chat.say("No water for a week, call me on 9418012345, my aadhaar is 2345 6789 0123")
    assert "9418012345" not in answer["reply"] and "0123" not in answer["reply"]
    chat.say("yes")
    description = Complaint.objects.get().description
    assert "9418012345" not in description and "6789" not in description


def test_a_complaint_by_whatsapp_is_filed_on_the_whatsapp_channel(personas: Personas) -> None:
    client = Client()
    sender = "91" + ASHA
    steps = [
        "mujhe shikayat darj karni hai",
        None,
        "1",
        "1",
        "Nal mein teen din se pani nahi aa raha hai",
        "haan",
    ]
    for number, text in enumerate(steps):
        if text is None:
            text = code_sent_to(ASHA)
        response = signed_post(client, whatsapp_text(sender, text, f"wamid.file-{number}"))
        assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.channel == "whatsapp"
    assert complaint.complainant_mobile == ASHA
    last = whatsapp.outbox[-1]
    assert last.to == sender and identifiers.display(complaint.reference) in last.text
