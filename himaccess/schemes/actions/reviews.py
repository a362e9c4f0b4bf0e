"""Reviews opened when a member may no longer be eligible, and the officer's decision on them."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.lib.errors import NotFoundForYou
from himaccess.schemes.actions.records import _move, _notify, can_officiate, today
from himaccess.schemes.models import (
    EligibilityDecision,
    Enrolment,
    ReviewCase,
)


def open_review(
    enrolment: Enrolment, *, decision: EligibilityDecision | None, trigger: str, reason: str
) -> ReviewCase | None:
    """Open a review of a sanctioned benefit (once), and tell the citizen; the benefit continues.

    Once per decision too: an officer who continued the benefit is not asked
    again, nor the citizen told again, until the facts or the rule change
    (a new decision), however often the member is re-evaluated meanwhile.
    """
    reviews = ReviewCase.objects.filter(enrolment=enrolment)
    if reviews.filter(status=ReviewCase.Status.OPEN).exists():
        return None
    if decision is not None and reviews.filter(decision=decision).exists():
        return None
    grace_until = today() + timedelta(days=ReviewCase.GRACE_DAYS)
    review = ReviewCase.objects.create(
        enrolment=enrolment, decision=decision, trigger=trigger[:40], reason=reason, grace_until=grace_until
    )
    audit.record(None, "scheme.review_opened", enrolment, after={"trigger": trigger, "reason": reason})
    _notify(enrolment.member, "scheme_review_notice", enrolment.scheme, date=grace_until.strftime("%d-%m-%Y"))
    return review


@transaction.atomic
def decide_review(review: ReviewCase, *, stop: bool, note: str, acting_user: User) -> ReviewCase:
    """An officer continues or stops a benefit under review; stopping waits for the grace period."""
    locked = ReviewCase.objects.select_for_update(of=("self",)).select_related("enrolment").get(pk=review.pk)
    if not can_officiate(acting_user, locked.enrolment):
        raise NotFoundForYou
    if locked.status != ReviewCase.Status.OPEN:
        raise ValidationError(_("This review has already been decided."), code="already_decided")
    if not note.strip():
        raise ValidationError(
            {"note": ValidationError(_("Record the reason for the decision."), code="reason_required")}
        )
    if stop and today() <= locked.grace_until:
        raise ValidationError(
            _("The citizen has until %(date)s to respond; the benefit cannot be stopped before then.")
            % {"date": locked.grace_until.strftime("%d-%m-%Y")},
            code="grace_period",
        )
    locked.status = ReviewCase.Status.STOPPED if stop else ReviewCase.Status.CONTINUED
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit.record(acting_user, f"scheme.review_{locked.status}", locked.enrolment, after={"note": locked.note})
    if stop:
        _move(locked.enrolment, Enrolment.Status.STOPPED, acting_user=acting_user, note=locked.note)
    _notify(
        locked.enrolment.member,
        "scheme_enrolment_decided",
        locked.enrolment.scheme,
        reference=locked.enrolment.reference,
    )
    return locked
