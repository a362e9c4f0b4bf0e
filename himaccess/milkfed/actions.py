"""Use cases of Milkfed: societies, secretaries, farmer registration and membership.

Each validates, checks the actor's scope, and writes its rows and audit entry
in one transaction. Collections are in ``collections``, statements in
``statements``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.milkfed import access
from himaccess.milkfed.models import MILK_SCHEME_ID, DairyFarmer, Membership, Secretary, Society
from himaccess.registry.models import Member
from himaccess.schemes import ledger
from himaccess.schemes.models import Scheme


@transaction.atomic
def set_society_status(society: Society, status: str, *, acting_user: User) -> Society:
    """A Milkfed official opens or closes a society of their area; a closed one records no milk."""
    if (
        not access.is_milkfed_official(acting_user)
        or not access.societies_for(acting_user).filter(pk=society.pk).exists()
    ):
        raise PermissionDenied
    if status not in Society.Status.values:
        raise ValidationError(_("Choose open or closed."), code="invalid_status")
    locked = Society.objects.select_for_update().get(pk=society.pk)
    before = locked.status
    locked.status = status
    locked.save(update_fields=["status"])
    audit.record(
        acting_user, "milkfed.society_status", locked, before={"status": before}, after={"status": status}
    )
    return locked


@transaction.atomic
def appoint_secretary(society: Society, user: User, *, on: date, acting_user: User | None) -> Secretary:
    """A new secretary for a society; the previous one's term ends the day before."""
    if acting_user is not None and not access.may_register_in(acting_user, society):
        raise PermissionDenied
    Secretary.objects.filter(society=society, ended_on__isnull=True).update(ended_on=on - timedelta(days=1))
    Secretary.objects.filter(user=user, ended_on__isnull=True).update(ended_on=on - timedelta(days=1))
    secretary = Secretary.objects.create(society=society, user=user, started_on=on)
    audit.record(
        acting_user, "milkfed.secretary_appointed", society, after={"user": user.pk, "on": on.isoformat()}
    )
    return secretary


def _channel(acting_user: User, member: Member, society: Society) -> str:
    if access.may_register_in(acting_user, society):
        return (
            DairyFarmer.Channel.SECRETARY
            if access.secretary_society_id(acting_user) == society.pk
            else DairyFarmer.Channel.OFFICIAL
        )
    if not acting_user.is_official and acting_user.active_posting is None:
        from_family = Member.objects.visible_to(acting_user).filter(pk=member.pk).exists()
        if from_family:
            return DairyFarmer.Channel.CITIZEN
    raise PermissionDenied


@transaction.atomic
def register_farmer(member: Member, society: Society, *, joined_on: date, acting_user: User) -> DairyFarmer:
    """Register a member of the family register as a dairy farmer of a society (or join a new one).

    By the society's secretary, a Milkfed official of its district or the
    state, or a citizen for a member of their own family. The registration is
    the sanction of the member's enrolment in the milk payment scheme.
    """
    channel = _channel(acting_user, member, society)
    society = Society.objects.select_for_update().get(pk=society.pk)
    if not society.is_open:
        raise ValidationError(
            _("The society %(code)s is closed.") % {"code": society.code}, code="society_closed"
        )
    member = Member.objects.select_related("family").get(pk=member.pk)
    if not member.is_living:
        raise ValidationError(_("The register does not record this member as living."), code="not_living")
    today = timezone.localdate()
    if joined_on > today:
        raise ValidationError({"joined_on": _("The date is in the future.")})
    if joined_on < date(1990, 1, 1):
        raise ValidationError({"joined_on": _("Enter a date from 1990 on.")})
    farmer = DairyFarmer.objects.select_for_update().filter(member=member).first()
    if farmer is not None:
        current = farmer.memberships.filter(left_on__isnull=True).select_related("society").first()
        if current is not None:
            raise ValidationError(
                _("This member already belongs to the society %(code)s; they leave it first.")
                % {"code": current.society.code},
                code="already_member",
            )
        last = farmer.memberships.order_by("-left_on").first()
        if last is not None and last.left_on is not None and joined_on <= last.left_on:
            raise ValidationError(
                {"joined_on": _("The date must be after the day they left their last society.")}
            )
    else:
        scheme = Scheme.objects.get(scheme_id=MILK_SCHEME_ID)
        enrolment = ledger.enrol_by_department(
            member, scheme, acting_user=acting_user, note=f"dairy farmer of {society.code}", since=joined_on
        )
        farmer = DairyFarmer.objects.create(
            member=member, enrolment=enrolment, channel=channel, registered_by=acting_user
        )
    Membership.objects.create(farmer=farmer, society=society, joined_on=joined_on, recorded_by=acting_user)
    audit.record(
        acting_user,
        "milkfed.farmer_joined",
        member,
        after={"society": society.code, "joined_on": joined_on.isoformat(), "channel": channel},
    )
    return farmer


@transaction.atomic
def end_membership(farmer: DairyFarmer, *, left_on: date, acting_user: User) -> Membership:
    """The farmer leaves their society (by its secretary or a Milkfed official over it)."""
    membership = (
        Membership.objects.select_for_update()
        .filter(farmer=farmer, left_on__isnull=True)
        .select_related("society")
        .first()
    )
    if membership is None:
        raise ValidationError(_("This farmer belongs to no society now."), code="no_membership")
    if not access.may_register_in(acting_user, membership.society):
        raise PermissionDenied
    if left_on < membership.joined_on or left_on > timezone.localdate():
        raise ValidationError({"left_on": _("The date must be between joining and today.")})
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    audit.record(
        acting_user,
        "milkfed.farmer_left",
        farmer.member,
        after={"society": membership.society.code, "left_on": left_on.isoformat()},
    )
    return membership
