"""Why a benefit is under review reads as a plain sentence of fact, in the reader's language.

Kamla receives the old-age pension for BPL families (IGNOAPS); the register then records that she
is not below the poverty line. Priya, the officer, reads "Is not below the poverty line (BPL) —
Family register (...): no, recorded <day>", worded when she reads it, in her language, whatever
language was active when the review opened.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from pytest_django import DjangoCaptureOnCommitCallbacks

from himaccess.registry.actions import corrections, members
from himaccess.registry.models import Source
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import Enrolment, Offer, ReviewCase
from himaccess.schemes.tests.conftest import SchemePeople

INDIA = ZoneInfo("Asia/Kolkata")


def _night() -> datetime:
    """Half past one at night in India, some weeks ahead: still the day before in UTC."""
    return datetime.combine(timezone.localdate() + timedelta(days=40), time(1, 30), tzinfo=INDIA)


def _kamla_receives_ignoaps(people: SchemePeople) -> Enrolment:
    kamla = people.member(people.kamla)
    corrections.correct_member(kamla, {"is_bpl": True}, acting_user=people.p.meena, source=Source.OFFICIAL)
    reevaluation.reevaluate_member(kamla, trigger="test")
    offer = Offer.objects.get(member=kamla, scheme__scheme_id="ignoaps")
    return schemes_enrolment.sanction_enrolment(
        schemes_enrolment.accept_offer(offer, acting_user=people.kamla), acting_user=people.priya
    )


@pytest.fixture
def under_review(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> ReviewCase:
    """Kamla's IGNOAPS under review: the correction made at night, by someone reading Hindi."""
    enrolment = _kamla_receives_ignoaps(people)
    with (
        time_machine.travel(_night(), tick=False),
        translation.override("hi"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        corrections.correct_member(
            enrolment.member, {"is_bpl": False}, acting_user=people.p.meena, source=Source.OFFICIAL
        )
    return ReviewCase.objects.get(enrolment=enrolment, status=ReviewCase.Status.OPEN)


def _get(client: Client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_officer_reads_why_as_a_sentence_of_fact(people: SchemePeople, under_review: ReviewCase) -> None:
    recorded = _night().strftime("%d-%m-%Y")
    sentence = (
        "Is not below the poverty line (BPL) — Family register (Verified by an official): "
        f"no, recorded {recorded}."
    )
    client = people.p.client_for(people.priya)
    queue = _get(client, "/schemes/queue/", "en")
    assert sentence in queue
    detail = _get(client, f"/schemes/enrolments/{under_review.enrolment.reference}/", "en")
    assert f"Why: {sentence}" in detail
    for flat in ("Does not hold", "is yes", "(value:", "Not met:", "पूरी नहीं"):
        assert flat not in queue and flat not in detail


def test_the_officer_reads_it_in_hindi(people: SchemePeople, under_review: ReviewCase) -> None:
    recorded = _night().strftime("%d-%m-%Y")
    queue = _get(people.p.client_for(people.priya), "/schemes/queue/", "hi")
    assert "गरीबी रेखा से नीचे (बीपीएल) नहीं है — परिवार रजिस्टर (" in queue
    assert f"): नहीं, {recorded} को दर्ज।" in queue


def test_the_stored_reason_is_the_english_sentence_for_the_audit_trail(under_review: ReviewCase) -> None:
    assert under_review.reason.startswith("Is not below the poverty line (BPL) — Family register")


def test_the_citizen_sees_why_her_benefit_is_under_review(
    people: SchemePeople, under_review: ReviewCase
) -> None:
    kamla = people.member(people.kamla)
    body = _get(people.p.client_for(people.kamla), f"/schemes/members/{kamla.member_id}/ignoaps/", "en")
    grace = under_review.grace_until.strftime("%d-%m-%Y")
    assert f"It continues until an officer decides, and cannot be stopped before {grace}." in body
    assert "Why: Is not below the poverty line (BPL)" in body


def test_a_review_without_a_decision_is_translated_for_the_reader(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """Kamla's death opens a review that no decision explains: its reason is translated when read."""
    enrolment = _kamla_receives_ignoaps(people)
    with django_capture_on_commit_callbacks(execute=True):
        members.record_death(
            enrolment.member,
            on=timezone.localdate() - timedelta(days=1),
            acting_user=None,
            source=Source.PANCHAYAT,
        )
    review = ReviewCase.objects.get(enrolment=enrolment, status=ReviewCase.Status.OPEN)
    assert review.decision is None
    client = people.p.client_for(people.priya)
    url = f"/schemes/enrolments/{enrolment.reference}/"
    assert "The register records that the beneficiary is no longer living in the family." in _get(
        client, url, "en"
    )
    assert "रजिस्टर के अनुसार लाभार्थी अब परिवार में जीवित/निवासी नहीं है।" in _get(client, url, "hi")
