"""A rule or data change making a beneficiary ineligible opens a review with notice; only an officer stops."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from pytest_django import DjangoCaptureOnCommitCallbacks

from himaccess.notifications import sms
from himaccess.registry.actions import corrections, members
from himaccess.registry.models import Member, Source
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.actions import reevaluation, reviews, rules
from himaccess.schemes.models import Enrolment, Offer, ReviewCase, Scheme
from himaccess.schemes.tests.conftest import SchemePeople

START = date(2025, 6, 15)


def _sanctioned_disability_allowance(people: SchemePeople) -> tuple[Member, Enrolment]:
    asha = people.p.member(people.p.asha)
    corrections.correct_member(
        asha, {"disability_percent": 75}, acting_user=people.p.meena, source=Source.OFFICIAL
    )
    reevaluation.reevaluate_member(asha, trigger="test")
    offer = Offer.objects.get(member=asha, scheme__scheme_id="disability_relief_allowance")
    return asha, schemes_enrolment.sanction_enrolment(
        schemes_enrolment.accept_offer(offer, acting_user=people.p.asha), acting_user=people.priya
    )


@time_machine.travel(START, tick=False)
def test_data_correction_opens_a_review_and_tells_the_citizen(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    asha, enrolment = _sanctioned_disability_allowance(people)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        corrections.correct_member(
            asha, {"disability_percent": 20}, acting_user=people.p.meena, source=Source.OFFICIAL
        )
    review = ReviewCase.objects.get(enrolment=enrolment)
    assert review.status == ReviewCase.Status.OPEN
    assert "Disability" in review.reason
    assert review.grace_until == START + timedelta(days=ReviewCase.GRACE_DAYS)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.SANCTIONED  # still paid
    assert any(m.to == asha.mobile and "समीक्षा" in m.text for m in sms.outbox)  # Asha reads Hindi


@time_machine.travel(START, tick=False)
def test_officer_cannot_stop_before_the_grace_period_ends(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    asha, enrolment = _sanctioned_disability_allowance(people)
    with django_capture_on_commit_callbacks(execute=True):
        corrections.correct_member(
            asha, {"disability_percent": 20}, acting_user=people.p.meena, source=Source.OFFICIAL
        )
    review = ReviewCase.objects.get(enrolment=enrolment)
    with pytest.raises(ValidationError, match="cannot be stopped"):
        reviews.decide_review(review, stop=True, note="not disabled", acting_user=people.priya)
    with time_machine.travel(START + timedelta(days=ReviewCase.GRACE_DAYS + 1), tick=False):
        with pytest.raises(ValidationError):
            reviews.decide_review(review, stop=True, note="  ", acting_user=people.priya)
        decided = reviews.decide_review(
            review, stop=True, note="board certificate says 20%", acting_user=people.priya
        )
    assert decided.status == ReviewCase.Status.STOPPED
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.STOPPED


@time_machine.travel(START, tick=False)
def test_officer_may_continue_the_benefit(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    asha, enrolment = _sanctioned_disability_allowance(people)
    with django_capture_on_commit_callbacks(execute=True):
        corrections.correct_member(
            asha, {"disability_percent": 20}, acting_user=people.p.meena, source=Source.OFFICIAL
        )
    review = ReviewCase.objects.get(enrolment=enrolment)
    reviews.decide_review(review, stop=False, note="register entry wrong", acting_user=people.priya)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.SANCTIONED


@time_machine.travel(START, tick=False)
def test_a_stricter_published_rule_opens_reviews_not_stops(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    _asha, enrolment = _sanctioned_disability_allowance(people)
    scheme = Scheme.objects.get(scheme_id="disability_relief_allowance")
    draft = rules.save_draft(
        scheme,
        rule={"all": [{"attr": "disability_percent", "op": ">=", "value": 80}]},
        bands=[{"when": {"all": []}, "amount": 1700, "label_en": "all", "label_hi": "सभी"}],
        effective_from=START,
        choice_note_en="test",
        choice_note_hi="",
        acting_user=people.anil,
    )
    with django_capture_on_commit_callbacks(execute=True):
        rules.publish(draft, acting_user=people.anil)
    assert ReviewCase.objects.filter(enrolment=enrolment, status="open", trigger="rule.published").exists()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.SANCTIONED


def test_death_of_a_beneficiary_opens_a_review(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    kamla = people.member(people.kamla)
    reevaluation.reevaluate_member(kamla, trigger="test")
    offer = Offer.objects.get(member=kamla, scheme__scheme_id="old_age_pension_state")
    enrolment = schemes_enrolment.sanction_enrolment(
        schemes_enrolment.accept_offer(offer, acting_user=people.kamla), acting_user=people.priya
    )
    with django_capture_on_commit_callbacks(execute=True):
        members.record_death(kamla, on=date(2025, 1, 1), acting_user=people.p.meena, source=Source.OFFICIAL)
    assert ReviewCase.objects.filter(enrolment=enrolment, trigger="member.died").exists()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.SANCTIONED
