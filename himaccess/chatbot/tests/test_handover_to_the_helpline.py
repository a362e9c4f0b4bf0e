"""The chat goes to the 1100 helpline when asked, or when the bot fails to understand twice.

Helpline agents see the handed-over conversations with their transcripts on
a page linked from their console; they take one, reply (WhatsApp) and close
it. Nobody else sees that page.
"""

from __future__ import annotations

import pytest
from django.test import Client

from himaccess.accounts.models import Level, Role
from himaccess.audit.models import AuditEntry
from himaccess.chatbot import whatsapp
from himaccess.chatbot.models import Handover, Message
from himaccess.chatbot.tests.conftest import Chat, signed_post, whatsapp_text
from himaccess.conftest import Personas, make_official

pytestmark = pytest.mark.django_db

PAGE = "/chatbot/handovers/"


def test_asking_for_a_person_hands_over_and_takes_a_callback_number(personas: Personas) -> None:
    chat = Chat()
    answer = chat.say("I want to talk to a person")
    assert answer["intent"] == "human_handoff" and answer["handed_over"]
    assert "1100" in answer["reply"]
    answer = chat.say("please call me on 94180 12345")
    assert "XXXXXX2345" in answer["reply"]
    handover = Handover.objects.get()
    assert handover.reason == Handover.Reason.ASKED and handover.callback_mobile == "9418012345"
    assert AuditEntry.objects.filter(action="chatbot.handover").exists()


def test_two_messages_not_understood_hand_over(personas: Personas) -> None:
    chat = Chat()
    first = chat.say("qwzx plorb vvnt")
    assert first["intent"] == "unknown" and not first["handed_over"]
    second = chat.say("zzkq mmbr frpt")
    assert second["handed_over"] and second["intent"] == "human_handoff"
    assert Handover.objects.get().reason == Handover.Reason.NOT_UNDERSTOOD


def test_a_whatsapp_sender_is_called_back_on_their_own_number(personas: Personas) -> None:
    signed_post(Client(), whatsapp_text("919816000004", "insaan se baat karni hai", "wamid.human-1"))
    handover = Handover.objects.get()
    assert handover.callback_mobile == "9816000004"
    assert "XXXXXX0004" in whatsapp.outbox[-1].text


def test_sunita_sees_the_transcript_and_works_the_handover(personas: Personas) -> None:
    chat = Chat()
    chat.say("namaste")
    chat.say("mujhe kisi insaan se baat karni hai")
    chat.say("9418012345")
    sunita = personas.client_for(personas.sunita)
    console = sunita.get("/grievances/console/")
    assert PAGE in console.content.decode()
    page = sunita.get(PAGE)
    body = page.content.decode()
    assert page.status_code == 200
    assert "mujhe kisi insaan se baat karni hai" in body and "9418012345" in body
    handover = Handover.objects.get()
    taken = sunita.post(PAGE, {"handover": handover.pk, "action": "take"})
    assert taken.status_code == 302
    closed = sunita.post(PAGE, {"handover": handover.pk, "action": "close", "text": "Called back, explained"})
    assert closed.status_code == 302
    handover.refresh_from_db()
    assert handover.status == Handover.Status.CLOSED and handover.taken_by == personas.sunita


def test_an_agent_replies_on_whatsapp(personas: Personas) -> None:
    signed_post(Client(), whatsapp_text("919816000004", "agent se baat karwao", "wamid.human-2"))
    handover = Handover.objects.get()
    sunita = personas.client_for(personas.sunita)
    sunita.post(PAGE, {"handover": handover.pk, "action": "take"})
    response = sunita.post(
        PAGE, {"handover": handover.pk, "action": "reply", "text": "Namaste, main Sunita, 1100 se"}
    )
    assert response.status_code == 302
    assert whatsapp.outbox[-1].to == "919816000004" and "Sunita" in whatsapp.outbox[-1].text
    assert Message.objects.filter(role=Message.Role.AGENT, sent_by=personas.sunita).exists()


def test_a_second_agent_cannot_take_a_taken_handover(personas: Personas) -> None:
    Chat().say("talk to agent")
    handover = Handover.objects.get()
    sunita = personas.client_for(personas.sunita)
    sunita.post(PAGE, {"handover": handover.pk, "action": "take"})
    other = personas.client_for(make_official("neha", Role.HELPLINE_AGENT, Level.STATE))
    response = other.post(PAGE, {"handover": handover.pk, "action": "take"})
    assert response.status_code == 400
    handover.refresh_from_db()
    assert handover.taken_by == personas.sunita


@pytest.mark.parametrize("who", ["asha", "meena", "vikram", "karan"])
def test_the_handover_page_is_not_found_for_anyone_but_agents(personas: Personas, who: str) -> None:
    Chat().say("talk to agent")
    handover = Handover.objects.get()
    client = personas.client_for(getattr(personas, who))
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"handover": handover.pk, "action": "take"}).status_code == 404
    handover.refresh_from_db()
    assert handover.status == Handover.Status.OPEN


def test_the_handover_page_sends_anonymous_visitors_to_log_in(personas: Personas) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
