"""`himaccess seed_history` writes a small, consistent, repeatable year of synthetic history."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import translation

from himaccess.applications.models import Action, Application, AssistedConsent, Status, Step
from himaccess.audit.models import AuditEntry
from himaccess.audit.verification import verify_chain
from himaccess.grievances.models import Complaint, ComplaintStep
from himaccess.schemes.models import Benefit, Enrolment

pytestmark = pytest.mark.django_db

UNTIL = date(2025, 4, 1)


@pytest.fixture
def register() -> None:
    call_command("load_geography", stdout=StringIO())
    call_command("seed", families=200, seed=3, stdout=StringIO(), stderr=StringIO())


def _history(**options: object) -> str:
    out = StringIO()
    call_command("seed_history", until=UNTIL, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_a_tiny_year_has_every_kind_of_row_and_the_audit_chain_verifies(register: None) -> None:
    text = _history(scale=0.0004, seed=5)
    assert "synthetic history" in text
    applications = Application.objects.count()
    # 0.0004 of the state's 22.78 lakh services a year, less those no official could work.
    assert 600 <= applications <= 912
    assert AssistedConsent.objects.count() == applications
    assert Complaint.objects.count() > 30
    assert Enrolment.objects.count() > 0 and Benefit.objects.count() > Enrolment.objects.count()
    assert verify_chain().ok
    entry = AuditEntry.objects.get(action="history.imported")
    assert entry.actor_id is None and '"synthetic":true' in entry.after.replace(" ", "")


def test_applications_are_what_filing_and_deciding_write(register: None) -> None:
    _history(scale=0.0004, seed=5)
    decided = Application.objects.filter(status__in=[Status.APPROVED, Status.REJECTED])
    assert decided.exists() and not decided.filter(decided_at__isnull=True).exists()
    assert (
        not Application.objects.exclude(status__in=[Status.APPROVED, Status.REJECTED])
        .filter(decided_at__isnull=False)
        .exists()
    )
    # Every application starts with its submission by the Lok Mitra operator, at the moment it was filed.
    firsts = Step.objects.filter(action=Action.SUBMIT)
    assert firsts.count() == Application.objects.count()
    assert not firsts.exclude(at=F("application__submitted_at")).exists()
    assert not firsts.exclude(actor=F("application__filed_by")).exists()
    # The clock runs from submission; the overdue flag is set only after it ran out.
    assert not Application.objects.filter(due_at__lte=F("submitted_at")).exists()
    assert not Application.objects.filter(overdue_at__lt=F("due_at")).exists()
    # Each flag is the overdue job's step (a correction resubmitted restarts the clock and clears it).
    flagged = Application.objects.filter(overdue_at__isnull=False)
    assert flagged.exists()
    assert not flagged.exclude(steps__action=Action.OVERDUE, steps__at=F("overdue_at")).exists()
    assert not Step.objects.filter(action=Action.OVERDUE).exclude(actor__isnull=True).exists()
    # Each decision names the officer whose stage it was; a rejection gives its reason.
    decisions = Step.objects.filter(action__in=[Action.APPROVE, Action.REJECT])
    assert decisions.count() == decided.count()
    assert not decisions.filter(Q(actor__isnull=True) | Q(actor_role="")).exists()
    assert not decisions.filter(action=Action.REJECT, reason="").exists()
    # The officer acted within the jurisdiction of the posting they hold.
    for step in decisions.select_related("application__family", "actor")[:50]:
        assert step.actor is not None
        posting = step.actor.active_posting
        assert posting is not None and posting.role == step.actor_role
        assert Application.objects.filter(pk=step.application_id).in_jurisdiction(posting).exists()
    # The version counts the moves that changed the row, as the actions do.
    moves = Count("steps", filter=~Q(steps__action=Action.OVERDUE))
    assert not Application.objects.annotate(moves=moves).exclude(version=F("moves")).exists()


def test_complaints_close_only_through_an_answer_or_the_job(register: None) -> None:
    _history(scale=0.001, seed=5)
    closed = Complaint.objects.filter(status=Complaint.Status.CLOSED)
    assert closed.exists()
    assert not closed.filter(Q(closed_at__isnull=True) | Q(closed_how="")).exists()
    assert not closed.filter(resolved_at__isnull=True).exists()
    confirmed = closed.filter(closed_how=Complaint.ClosedHow.CONFIRMED).count()
    assert confirmed == ComplaintStep.objects.filter(kind=ComplaintStep.Kind.CONFIRMED).count()
    unanswered = closed.filter(closed_how=Complaint.ClosedHow.NO_ANSWER)
    assert not unanswered.filter(closed_at__lt=F("confirm_by")).exists()
    assert not Complaint.objects.filter(status=Complaint.Status.OPEN, assignee__isnull=True).exists()
    filed = ComplaintStep.objects.filter(kind=ComplaintStep.Kind.FILED)
    assert filed.count() == Complaint.objects.count()


def test_benefits_are_one_a_month_from_a_sanctioned_enrolment(register: None) -> None:
    _history(scale=0.001, seed=5)
    assert not Enrolment.objects.exclude(status=Enrolment.Status.SANCTIONED).exists()
    assert not Benefit.objects.exclude(period__day=1).exists()
    assert not Benefit.objects.filter(paid_on__lt=F("period")).exists()
    assert not Benefit.objects.filter(paid_on__gte=UNTIL).exists()
    assert not Benefit.objects.exclude(amount=F("enrolment__monthly_amount")).exists()
    # Never a month before the enrolment began.
    early = [
        b
        for b in Benefit.objects.select_related("enrolment")
        if b.period < b.enrolment.filed_at.date().replace(day=1)
    ]
    assert early == []
    # One social-security pension per person.
    assert not Enrolment.objects.values("member").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_the_same_seed_gives_the_same_history(register: None) -> None:
    def drawn() -> list[tuple[object, ...]]:
        return list(
            Application.objects.order_by("pk").values_list(
                "member_id", "service_id", "status", "submitted_at"
            )
        )

    with transaction.atomic():
        before = transaction.savepoint()
        _history(scale=0.0002, seed=9)
        first = drawn()
        transaction.savepoint_rollback(before)
    assert Application.objects.count() == 0
    _history(scale=0.0002, seed=9)
    assert first and drawn() == first


def test_a_bad_scale_is_refused_with_a_clear_message(register: None) -> None:
    with pytest.raises(CommandError, match="scale"):
        call_command("seed_history", "--scale", "0", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="days"):
        call_command("seed_history", "--days", "zero", stdout=StringIO(), stderr=StringIO())
    assert Application.objects.count() == 0


def test_an_empty_register_is_refused() -> None:
    call_command("load_geography", stdout=StringIO())
    with pytest.raises(CommandError, match="no living members"):
        call_command("seed_history", "--scale", "0.0001", stdout=StringIO(), stderr=StringIO())


def test_an_empty_register_is_refused_in_hindi_too() -> None:
    call_command("load_geography", stdout=StringIO())
    with translation.override("hi"), pytest.raises(CommandError, match="कोई जीवित सदस्य नहीं"):
        call_command("seed_history", "--scale", "0.0001", stdout=StringIO(), stderr=StringIO())
