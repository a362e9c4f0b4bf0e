"""A service's answer is read from the live catalogue: its documents, fee, time limit and link to apply."""

from __future__ import annotations

import copy

import pytest

from himaccess.catalog import actions as catalog_actions
from himaccess.catalog.models import Service
from himaccess.chatbot.tests.conftest import Chat
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def _current(code: str) -> dict:
    version = Service.objects.get(code=code).current_version
    assert version is not None
    return version.definition


def test_the_answer_carries_the_documents_fee_time_limit_and_link(personas: Personas) -> None:
    definition = _current("CERT-02")
    answer = Chat().say("what documents are needed for an income certificate")
    reply = answer["reply"]
    assert answer["service_code"] == "CERT-02"
    for document in definition["documents"]:
        assert document["name_en"] in reply
    assert f"{definition['time_limit_hours']} working hours" in reply
    assert "Fee: none." in reply
    assert "/services/apply/CERT-02/" in reply


def test_a_newly_published_version_is_what_the_chatbot_says(personas: Personas) -> None:
    changed = copy.deepcopy(_current("CERT-02"))
    changed["fee_rupees"] = 25
    changed["time_limit_hours"] = 48
    changed["documents"] = [
        *changed["documents"],
        {"code": "ration_card", "name_en": "Ration card", "name_hi": "राशन कार्ड", "required": False},
    ]
    catalog_actions.publish(changed, acting_user=None, note="fee and a document")
    reply = Chat().say("income certificate ke liye kya chahiye")["reply"]
    assert "₹25" in reply and "48" in reply and "rashan card (vaikalpik)" in reply


def test_a_hindi_question_gets_the_documents_in_hindi(personas: Personas) -> None:
    definition = _current("CERT-03")
    reply = Chat().say("जाति प्रमाण पत्र के लिए कौन से दस्तावेज़ चाहिए")["reply"]
    for document in definition["documents"]:
        assert document["name_hi"] in reply
    assert "शुल्क" in reply and "समय सीमा" in reply


def test_an_unclear_service_is_asked_about_with_choices(personas: Personas) -> None:
    chat = Chat()
    answer = chat.say("I need a certificate")
    assert "Which" in answer["reply"] and answer["suggestions"]
    assert answer.get("service_code") is None
    chosen = chat.say("1")
    assert chosen["service_code"]
    assert "/services/apply/" in chosen["reply"]


def test_an_online_service_links_to_its_page(personas: Personas) -> None:
    answer = Chat().say("how do I get my him parivar family id")
    assert answer["service_code"] == "PAR-01"
    assert "online" in answer["reply"]
