"""``POST /api/v1/chatbot/messages``: the fields of the answer, and whose conversation an id opens."""

from __future__ import annotations

import pytest
from django.test import Client

from himaccess.api import api
from himaccess.chatbot.models import Conversation
from himaccess.chatbot.tests.conftest import API, Chat, verify
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def test_the_first_answer_issues_a_conversation_id_and_has_every_field(personas: Personas) -> None:
    answer = Chat().say("what documents are needed for an income certificate")
    assert set(answer) >= {"conversation_id", "reply", "intent", "language", "suggestions"}
    assert len(answer["conversation_id"]) >= 40
    assert answer["intent"] == "service_documents" and answer["language"] == "en"
    assert answer["service_code"] == "CERT-02" and answer["scheme_id"] is None
    assert isinstance(answer["suggestions"], list)


def test_a_scheme_answer_names_its_scheme(personas: Personas) -> None:
    answer = Chat().say("who can get widow pension, vidhwa, ekal nari")
    assert answer["scheme_id"] == "widow_destitute_ekal_nari_pension" and answer["service_code"] is None


def test_the_id_is_not_stored_as_given(personas: Personas) -> None:
    chat = Chat()
    chat.say("namaste")
    assert chat.conversation_id is not None
    assert not Conversation.objects.filter(token_hash=chat.conversation_id).exists()
    assert chat.conversation_id not in Conversation.objects.get().reference


def test_a_made_up_id_is_a_404(personas: Personas) -> None:
    response = Client().post(
        API, {"text": "hi", "conversation_id": "made-up-conversation-id"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_someone_elses_logged_in_conversation_cannot_be_continued(personas: Personas) -> None:
    asha = personas.client_for(personas.asha)
    asha.get("/")
    chat = Chat(client=asha)
    asha.defaults["HTTP_X_CSRFTOKEN"] = asha.cookies["csrftoken"].value
    chat.say("namaste")
    for intruder in (Client(), personas.client_for(personas.karan)):
        intruder.get("/")
        if "csrftoken" in intruder.cookies:
            intruder.defaults["HTTP_X_CSRFTOKEN"] = intruder.cookies["csrftoken"].value
        response = intruder.post(
            API,
            {"text": "status of my application", "conversation_id": chat.conversation_id},
            content_type="application/json",
        )
        assert response.status_code == 404


def test_a_verified_anonymous_conversation_forgets_the_verification_when_someone_logs_in(
    personas: Personas,
) -> None:
    chat = Chat()
    verify(chat, "9816000001", "status of my application")
    assert Conversation.objects.get().is_verified()
    karan = personas.client_for(personas.karan)
    karan.get("/")
    karan.defaults["HTTP_X_CSRFTOKEN"] = karan.cookies["csrftoken"].value
    later = Chat(client=karan, conversation_id=chat.conversation_id)
    answer = later.say("status of my application")
    assert "XXXXXX0003" in answer["reply"]  # asked to verify again, with his own number
    assert not Conversation.objects.get().is_verified()


def test_a_logged_in_caller_must_send_the_csrf_token(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.asha)
    refused = client.post(API, {"text": "namaste"}, content_type="application/json")
    assert refused.status_code == 403
    client.get("/")
    allowed = client.post(
        API,
        {"text": "namaste"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert allowed.status_code == 200


def test_the_endpoint_is_in_the_openapi_document(db: object) -> None:
    paths = api.get_openapi_schema()["paths"]
    assert "/api/v1/chatbot/messages" in paths
    assert "post" in paths["/api/v1/chatbot/messages"]
