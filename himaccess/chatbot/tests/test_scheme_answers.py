"""A scheme's conditions in plain words, and for a logged-in person their own eligibility, explained."""

from __future__ import annotations

import pytest
from django.test import Client

from himaccess.chatbot.tests.conftest import Chat
from himaccess.conftest import Personas
from himaccess.lib.rules import Clause
from himaccess.schemes import eligibility
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import EligibilityDecision, Scheme

pytestmark = pytest.mark.django_db


def test_anyone_gets_the_conditions_and_amounts_of_a_scheme(personas: Personas) -> None:
    answer = Chat().say("am I eligible for old age pension")
    assert answer["intent"] == "scheme_eligibility"
    assert answer["scheme_id"] == "old_age_pension_state"
    reply = answer["reply"]
    assert "Age (completed years) is at least 60" in reply
    assert "₹1,700" in reply and "₹1,000" in reply
    assert "Log in" in reply


def test_the_conditions_are_worded_in_hindi_for_a_hindi_question(personas: Personas) -> None:
    reply = Chat().say("बुढ़ापा पेंशन के लिए कितनी उम्र होनी चाहिए")["reply"]
    assert "आयु (पूरे वर्ष) कम से कम 60 है" in reply


def test_a_logged_in_citizen_sees_her_own_eligibility_with_the_pages_explanation(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    reevaluation.reevaluate_member(asha, trigger="test")
    scheme = Scheme.objects.get(scheme_id="widow_destitute_ekal_nari_pension")
    decision = EligibilityDecision.objects.filter(member=asha, scheme=scheme).first()
    assert decision is not None
    client = Client()
    client.force_login(personas.asha)
    client.get("/")
    chat = Chat(client=client)
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    reply = chat.say("can a single woman get a pension, ekal nari")["reply"]
    assert "Asha Devi: " in reply
    assert eligibility.reason(Clause.from_dict(decision.explanation)) in reply
    assert f"/schemes/members/{asha.member_id}/widow_destitute_ekal_nari_pension/" in reply
