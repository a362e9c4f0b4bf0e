"""Cards, e-KYC, register changes and departments: how-to answers, and own links for a logged-in person."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from himaccess.chatbot.tests.conftest import API, Chat

pytestmark = pytest.mark.django_db


def _as_asha(personas: Any) -> Chat:
    client = personas.client_for(personas.asha)
    client.get("/")
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return Chat(client=client)


def test_a_logged_in_citizen_is_given_her_own_family_cards_link(personas: Any) -> None:
    reply = _as_asha(personas).say("how do I download my family card")["reply"]
    assert f"/cards/family/{personas.asha_family.family_id}.pdf" in reply
    anonymous = Client().post(
        API, {"text": "how do I download my family card"}, content_type="application/json"
    )
    assert (
        "/cards/family/" not in anonymous.json()["reply"]
        and "/register/my-family/" in anonymous.json()["reply"]
    )


def test_ekyc_help_lists_the_familys_status_for_a_logged_in_citizen(personas: Any) -> None:
    reply = _as_asha(personas).say("ekyc kaise kare")["reply"]
    # Asked in Hindi typed in Latin letters: the family's names come in Latin letters too.
    assert "asha devi" in reply and "ravi kumar" in reply
    assert "karan" not in reply.lower() and "करण" not in reply


def test_a_register_change_is_named_by_its_kind(personas: Any) -> None:
    answer = Chat().say("my father died, how do I update the family register")
    assert answer["intent"] == "family_change"
    assert "For this, choose: Death." in answer["reply"]


def test_milkfed_is_answered_with_its_rates_dated_and_sourced(personas: Any) -> None:
    reply = Chat().say("what does milkfed pay for cow milk")["reply"]
    assert "Milkfed" in reply and "Rs 51 a litre" in reply
    assert "2025-07" in reply and "himtimes.com" in reply


def test_natural_farming_is_answered_in_hindi_with_the_agriculture_departments_services(
    personas: Any,
) -> None:
    reply = Chat().say("प्राकृतिक खेती के बारे में बताइए")["reply"]
    assert "कृषि विभाग" in reply and "गेहूं ₹60 प्रति किलो" in reply
    assert "मृदा परीक्षण" in reply  # Soil testing, from the live catalogue


def test_another_department_lists_its_services_schemes_and_complaints(personas: Any) -> None:
    reply = Chat().say("what does the social justice department do")["reply"]
    assert "Department of Social Justice and Empowerment" in reply
    assert "Old Age Pension" in reply and "register a complaint" in reply
