"""Why a benefit was stopped or refused, explained in the chat as the schemes page explains it.

Only a verified conversation of the family sees it: Ravi asks about his
mother's allowance; Karan, of another family, is told of nothing of Asha's.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase

from himaccess.accounts.models import Level, Role
from himaccess.chatbot.tests.conftest import Chat, Stopped, verify
from himaccess.conftest import MANDI, Personas, make_official
from himaccess.lib.rules import Clause
from himaccess.registry.actions import corrections
from himaccess.registry.models import Source
from himaccess.schemes import eligibility
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import EligibilityDecision, Offer

pytestmark = pytest.mark.django_db

RAVI, KARAN = "9816000002", "9816000003"


def test_ravi_hears_why_his_mothers_allowance_was_stopped(stopped_allowance: Stopped) -> None:
    asha = stopped_allowance.personas.member(stopped_allowance.personas.asha)
    chat = Chat()
    answer = verify(chat, RAVI, "why was my mother's pension stopped")
    reply = answer["reply"]
    assert answer["intent"] == "explain_decision"
    assert "Asha Devi" in reply and "Disability Relief Allowance" in reply and "stopped" in reply
    assert "Medical board certificate says 20 percent" in reply  # the officer's reason
    decision = EligibilityDecision.objects.filter(
        member=asha, scheme__scheme_id="disability_relief_allowance"
    ).first()
    assert decision is not None and not decision.eligible
    # The same reason the schemes page gives, word for word.
    assert eligibility.reason(Clause.from_dict(decision.explanation)) in reply
    assert f"/schemes/members/{asha.member_id}/disability_relief_allowance/" in reply


def test_the_explanation_is_given_in_hindi_to_a_hindi_question(stopped_allowance: Stopped) -> None:
    chat = Chat()
    answer = verify(chat, RAVI, "माँ की पेंशन क्यों बंद हुई")
    assert "समीक्षा के बाद" in answer["reply"] and "आशा देवी" in answer["reply"]


def test_karan_is_told_nothing_of_ashas_family(stopped_allowance: Stopped) -> None:
    chat = Chat()
    answer = verify(chat, KARAN, "why was my mother's pension stopped")
    assert "Asha" not in answer["reply"] and "Disability" not in answer["reply"]
    assert "No benefit of your family has been stopped or refused" in answer["reply"]


def test_not_being_eligible_for_a_named_scheme_is_explained(personas: Personas) -> None:
    chat = Chat()
    answer = verify(chat, KARAN, "why am I not eligible for widow pension")
    assert answer["intent"] == "explain_decision"
    assert "Karan Thakur: not eligible" in answer["reply"]
    assert "Not met:" in answer["reply"]


def test_a_refused_application_is_explained_with_the_officers_reason(personas: Any) -> None:
    priya = make_official("priya", Role.DISTRICT_WELFARE_OFFICER, Level.DISTRICT, district_id=MANDI)
    priya.postings.update(department="social_justice")
    asha = personas.member(personas.asha)
    with TestCase.captureOnCommitCallbacks(execute=True):
        corrections.correct_member(
            asha, {"disability_percent": 60}, acting_user=personas.meena, source=Source.OFFICIAL
        )
        reevaluation.reevaluate_member(asha, trigger="test")
        offer = Offer.objects.get(member=asha, scheme__scheme_id="disability_relief_allowance")
        enrolment = schemes_enrolment.accept_offer(offer, acting_user=personas.asha)
        schemes_enrolment.reject_enrolment(
            enrolment, reason="The disability certificate is not from a medical board", acting_user=priya
        )
    chat = Chat()
    answer = verify(chat, "9816000001", "why was my disability allowance application rejected")
    assert "the application was rejected" in answer["reply"]
    assert "The disability certificate is not from a medical board" in answer["reply"]
