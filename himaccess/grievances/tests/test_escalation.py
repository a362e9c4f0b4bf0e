"""The hourly job moves overdue complaints up the ladder, one level a run, each step a row."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from himaccess.grievances import escalation
from himaccess.grievances.models import ComplaintStep
from himaccess.grievances.tests.conftest import Ladder, texts_to


def test_overdue_complaint_climbs_one_level_per_run_and_both_officers_hear(ladder: Ladder) -> None:
    complaint = ladder.file_for_asha()
    assert escalation.escalate_overdue().rows == 0  # not due yet
    after_limit = complaint.sla_due_at + timedelta(minutes=1)
    with time_machine.travel(after_limit):
        outcome = escalation.escalate_overdue()
    complaint.refresh_from_db()
    assert outcome.rows == 1
    assert complaint.level == 2 and complaint.assignee == ladder.dc_mandi
    assert complaint.due_at == after_limit + timedelta(hours=72)
    step = complaint.steps.get(kind=ComplaintStep.Kind.ESCALATED)
    assert (step.from_level, step.to_level, step.from_officer, step.to_officer, step.actor) == (
        1,
        2,
        ladder.personas.meena,
        ladder.dc_mandi,
        None,
    )
    assert "time limit of level 1" in step.reason
    assert "आपको भेजी गई" in texts_to("9418000002")[-1]
    assert "अगले स्तर पर भेजी गई" in texts_to("9418000001")[-1]

    with time_machine.travel(after_limit + timedelta(hours=1)):
        assert escalation.escalate_overdue().rows == 0  # one level per deadline, not per run
    with time_machine.travel(complaint.due_at + timedelta(minutes=1)):
        escalation.escalate_overdue()
    complaint.refresh_from_db()
    assert complaint.level == 3 and complaint.assignee == ladder.director


def test_missing_rung_sends_it_higher_and_flags_it(ladder: Ladder) -> None:
    ladder.dc_mandi.postings.update(ended_at=timezone.now())
    complaint = ladder.file_for_asha()
    with time_machine.travel(complaint.sla_due_at + timedelta(minutes=1)):
        escalation.escalate_overdue()
    complaint.refresh_from_db()
    assert complaint.level == 3 and complaint.assignee == ladder.director and complaint.routed_up
    assert "sent higher" in complaint.steps.get(kind=ComplaintStep.Kind.ESCALATED).reason


def test_top_of_the_ladder_stays_and_counts_as_overdue(ladder: Ladder) -> None:
    complaint = ladder.file_for_asha()
    moment = complaint.sla_due_at
    for _ in range(5):
        moment += timedelta(hours=200)
        with time_machine.travel(moment):
            escalation.escalate_overdue()
    complaint.refresh_from_db()
    assert complaint.level == 4 and complaint.assignee == ladder.secretary
    assert complaint.steps.filter(kind=ComplaintStep.Kind.ESCALATED).count() == 3


def test_resolved_complaints_are_not_escalated(ladder: Ladder) -> None:
    from himaccess.grievances import actions

    complaint = ladder.file_for_asha()
    actions.resolve(complaint, note="Mutation entered", acting_user=ladder.personas.meena)
    with time_machine.travel(complaint.sla_due_at + timedelta(days=1)):
        assert escalation.escalate_overdue().rows == 0
