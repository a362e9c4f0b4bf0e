"""Enrolment: a citizen accepts an offer; an officer sanctions or rejects it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.lib import identifiers
from himaccess.lib.errors import NotFoundForYou
from himaccess.registry.models import IdCounter
from himaccess.schemes.actions.records import _move, _notify, can_officiate, citizen_may_act_for
from himaccess.schemes.actions.reevaluation import reevaluate_member
from himaccess.schemes.models import (
    Enrolment,
    EnrolmentStep,
    Offer,
)


def _new_reference() -> str:
    return identifiers.make_id("E", IdCounter.reserve("E"), settings.REGISTER_ID_KEY)


@transaction.atomic
def accept_offer(offer: Offer, *, acting_user: User) -> Enrolment:
    """The citizen accepts with one click: an enrolment is filed for the department's officer."""
    locked = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("member__family", "scheme")
        .get(pk=offer.pk)
    )
    if not citizen_may_act_for(acting_user, locked.member):
        raise NotFoundForYou
    if locked.status != Offer.Status.OPEN:
        raise ValidationError(_("This offer is no longer open."), code="offer_closed")
    outcomes = reevaluate_member(locked.member, trigger="offer.accepted")
    current = next((o for o in outcomes if o.decision.scheme_id == locked.scheme_id), None)
    if current is None or not current.decision.eligible:
        raise ValidationError(
            _("You no longer appear eligible for this scheme; see the explanation."), code="not_eligible"
        )
    locked.refresh_from_db()
    locked.status = Offer.Status.ACCEPTED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    enrolment = Enrolment.objects.create(
        reference=_new_reference(),
        member=locked.member,
        scheme=locked.scheme,
        offer=locked,
        monthly_amount=current.decision.monthly_amount,
        filed_by=acting_user,
    )
    EnrolmentStep.objects.create(enrolment=enrolment, to_status=enrolment.status, actor=acting_user)
    audit.record(acting_user, "scheme.enrolment_filed", enrolment, after={"scheme": locked.scheme.scheme_id})
    return enrolment


@transaction.atomic
def sanction_enrolment(enrolment: Enrolment, *, acting_user: User, note: str = "") -> Enrolment:
    if not can_officiate(acting_user, enrolment):
        raise NotFoundForYou
    scheme = enrolment.scheme
    if scheme.one_per_family:
        others = Enrolment.objects.receiving().filter(
            scheme=scheme, member__family_id=enrolment.member.family_id
        )
        if others.exclude(pk=enrolment.pk).exists():
            raise ValidationError(
                _("Another member of this family already receives this scheme (one per family)."),
                code="one_per_family",
            )
    sanctioned = _move(enrolment, Enrolment.Status.SANCTIONED, acting_user=acting_user, note=note)
    _notify(sanctioned.member, "scheme_enrolment_decided", scheme, reference=sanctioned.reference)
    return sanctioned


@transaction.atomic
def reject_enrolment(enrolment: Enrolment, *, reason: str, acting_user: User) -> Enrolment:
    if not can_officiate(acting_user, enrolment):
        raise NotFoundForYou
    if not reason.strip():
        raise ValidationError(
            {"note": ValidationError(_("Give the reason for rejecting."), code="reason_required")}
        )
    rejected = _move(enrolment, Enrolment.Status.REJECTED, acting_user=acting_user, note=reason.strip())
    _notify(rejected.member, "scheme_enrolment_decided", rejected.scheme, reference=rejected.reference)
    return rejected
