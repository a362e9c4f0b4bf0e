"""Closing only on the complainant's word: SMS link, site, helpline callback, or silence."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from pytest_django import Settings

from himaccess.grievances import actions, confirmation, escalation
from himaccess.grievances.models import Complaint, ComplaintStep
from himaccess.grievances.tests.conftest import Ladder


def _resolved(ladder: Ladder) -> Complaint:
    complaint = ladder.file_for_asha()
    return actions.resolve(complaint, note="Mutation entered on 3 March", acting_user=ladder.personas.meena)


def test_confirming_by_sms_link_closes_and_the_link_then_fails(ladder: Ladder, client: Client) -> None:
    complaint = _resolved(ladder)
    path = "/" + confirmation.url_for(complaint).split("/", 3)[3]
    assert client.get(path).status_code == 200
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RESOLVED  # opening the link changes nothing
    response = client.post(path, {"decision": "confirm"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (
        complaint.status == Complaint.Status.CLOSED and complaint.closed_how == Complaint.ClosedHow.CONFIRMED
    )
    reused = client.post(path, {"decision": "reject", "reason": "no"})
    assert reused.status_code == 410 and b"already been used" in reused.content
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED


def test_forged_link_is_refused(ladder: Ladder, client: Client) -> None:
    complaint = _resolved(ladder)
    path = "/" + confirmation.url_for(complaint).split("/", 3)[3]
    forged = path.replace(path.rstrip("/")[-3:], "abc")
    assert client.get(forged).status_code == 400
    assert client.post("/grievances/answer/not-a-token/", {"decision": "confirm"}).status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RESOLVED


def test_expired_link_is_refused(ladder: Ladder, client: Client, settings: Settings) -> None:
    complaint = _resolved(ladder)
    path = "/" + confirmation.url_for(complaint).split("/", 3)[3]
    assert complaint.resolved_at is not None
    with time_machine.travel(
        complaint.resolved_at + timedelta(days=settings.GRIEVANCE_CONFIRM_DAYS, hours=1)
    ):
        assert client.get(path).status_code == 410


def test_rejection_reopens_at_the_next_level(ladder: Ladder) -> None:
    complaint = _resolved(ladder)
    client = ladder.personas.client_for(ladder.personas.asha)
    response = client.post(
        f"/grievances/c/{complaint.reference}/answer/", {"decision": "reject", "reason": "Still not entered"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (
        complaint.status == Complaint.Status.OPEN
        and complaint.level == 2
        and complaint.assignee == ladder.dc_mandi
    )
    assert complaint.reopen_count == 1
    step = complaint.steps.get(kind=ComplaintStep.Kind.REJECTED)
    assert (step.from_level, step.to_level, step.reason) == (1, 2, "Still not entered")


def test_sunita_records_the_callers_answer(ladder: Ladder) -> None:
    complaint = _resolved(ladder)
    client = ladder.personas.client_for(ladder.personas.sunita)
    assert (
        client.post(f"/grievances/c/{complaint.reference}/answer/", {"decision": "confirm"}).status_code
        == 302
    )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert complaint.steps.get(kind=ComplaintStep.Kind.CONFIRMED).channel == "helpline"


def test_no_answer_closes_after_the_period_and_is_counted_apart(ladder: Ladder, settings: Settings) -> None:
    complaint = _resolved(ladder)
    assert complaint.confirm_by is not None
    with time_machine.travel(complaint.confirm_by - timedelta(minutes=1)):
        assert escalation.close_unanswered().rows == 0
    with time_machine.travel(complaint.confirm_by + timedelta(minutes=1)):
        assert escalation.close_unanswered().rows == 1
    complaint.refresh_from_db()
    assert (
        complaint.status == Complaint.Status.CLOSED and complaint.closed_how == Complaint.ClosedHow.NO_ANSWER
    )
    assert complaint.steps.filter(kind=ComplaintStep.Kind.CLOSED_NO_ANSWER).count() == 1


def test_reopen_within_the_window_and_not_after(ladder: Ladder, settings: Settings) -> None:
    complaint = _resolved(ladder)
    actions.confirm_resolution(complaint, acting_user=ladder.personas.asha, channel="web")
    complaint.refresh_from_db()
    assert complaint.closed_at is not None
    too_late = complaint.closed_at + timedelta(days=settings.GRIEVANCE_REOPEN_DAYS + 1)
    with time_machine.travel(too_late), pytest.raises(ValidationError):
        actions.reopen(complaint, reason="It broke again", acting_user=ladder.personas.asha)
    actions.reopen(complaint, reason="It broke again", acting_user=ladder.personas.asha)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.OPEN and complaint.level == 2


def test_rating_after_closure_only_by_the_complainant(ladder: Ladder) -> None:
    complaint = _resolved(ladder)
    with pytest.raises(ValidationError):
        actions.rate(complaint, rating=5, acting_user=ladder.personas.asha)
    actions.confirm_resolution(complaint, acting_user=None, channel="web")
    with pytest.raises(PermissionDenied):
        actions.rate(complaint, rating=1, acting_user=ladder.personas.karan)
    client = ladder.personas.client_for(ladder.personas.asha)
    assert client.post(f"/grievances/c/{complaint.reference}/rate/", {"rating": "6"}).status_code == 400
    assert client.post(f"/grievances/c/{complaint.reference}/rate/", {"rating": "4"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.rating == 4


def test_supervisor_reassigns_with_a_reason(ladder: Ladder) -> None:
    from himaccess.accounts.models import Level, Role
    from himaccess.conftest import MANDI_TEHSIL, make_official

    naib = make_official("naib_mandi", Role.TEHSILDAR, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)
    complaint = ladder.file_for_asha()
    with pytest.raises(PermissionDenied):
        actions.reassign(complaint, to=naib, reason="load", acting_user=ladder.personas.meena)
    actions.reassign(complaint, to=naib, reason="Meena is on leave", acting_user=ladder.dc_mandi)
    complaint.refresh_from_db()
    assert complaint.assignee == naib
    step = complaint.steps.get(kind=ComplaintStep.Kind.REASSIGNED)
    assert (step.actor, step.from_officer, step.reason) == (
        ladder.dc_mandi,
        ladder.personas.meena,
        "Meena is on leave",
    )


def test_officers_queue_is_by_time_left_and_supervisor_sees_the_team(ladder: Ladder) -> None:
    first = ladder.file_for_asha()
    second = ladder.file_for_asha(code="revenue-jamabandi-error")  # 7 days: less time left
    page = ladder.personas.client_for(ladder.personas.meena).get("/grievances/queue/").content.decode()
    assert page.index(second.reference) < page.index(first.reference)
    team = ladder.personas.client_for(ladder.dc_mandi).get("/grievances/queue/").content.decode()
    assert first.reference in team and "meena" in team
