"""A register change opens one eligibility review, however often its event is delivered again."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from himaccess.events import bus, relay
from himaccess.events.models import Event
from himaccess.events.tests.consumers import Consumer
from himaccess.notifications import sms
from himaccess.registry.actions import corrections
from himaccess.registry.models import Source
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.actions import reevaluation, reviews
from himaccess.schemes.models import Offer, ReviewCase

START = date(2025, 6, 15)


def _sanctioned_disability_allowance(people: Any) -> Any:
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
def test_a_continued_review_is_not_reopened_when_the_event_is_delivered_again(
    people: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    asha, enrolment = _sanctioned_disability_allowance(people)
    # Another consumer of the same event is down: the event stays undelivered and the relay retries it.
    webhook = Consumer(name="state_dashboard_webhook", down=True)
    monkeypatch.setitem(
        bus._handlers, "member.corrected", [*bus._handlers["member.corrected"], webhook.handler()]
    )
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        corrections.correct_member(
            asha, {"disability_percent": 20}, acting_user=people.p.meena, source=Source.OFFICIAL
        )
    review = ReviewCase.objects.get(enrolment=enrolment)
    # Priya finds the register entry wrong and continues the benefit before the event is redelivered.
    reviews.decide_review(review, stop=False, note="register entry wrong", acting_user=people.priya)
    webhook.down = False
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        relay.relay()
    event = Event.objects.filter(name="member.corrected").latest("id")
    assert event.dispatched_at is not None and event.attempts == 1
    assert ReviewCase.objects.filter(enrolment=enrolment).count() == 1
    assert ReviewCase.objects.get().status == ReviewCase.Status.CONTINUED
    assert len([m for m in sms.outbox if m.to == asha.mobile and "समीक्षा" in m.text]) == 1
