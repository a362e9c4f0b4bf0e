"""Step 3: officials approve or reject for their jurisdiction; the filer may withdraw."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.lib.errors import Conflict, NotFoundForYou
from himaccess.registry.change_requests import applying
from himaccess.registry.change_requests.access import _awaiting_approval, awaiting_consent, parties_in_scope
from himaccess.registry.change_requests.notices import _tell
from himaccess.registry.change_requests.records import _decide_for_party, _lock_pending, _transition
from himaccess.registry.models import (
    ChangeRequest,
    PartyDecision,
)


@transaction.atomic
def approve_change_request(request: ChangeRequest, *, acting_user: User, note: str = "") -> ChangeRequest:
    """Approve for the families in the official's jurisdiction; apply once every family is approved."""
    if not parties_in_scope(acting_user, request):
        raise NotFoundForYou
    locked = _lock_pending(request)
    mine = _awaiting_approval(parties_in_scope(acting_user, locked))
    if not mine:
        raise Conflict(
            _(
                "You have approved this request for your area; "
                "it awaits an official of the other family's area."
            )
        )
    waiting = awaiting_consent(locked)
    if waiting:
        raise ValidationError(
            _("The head of family %(families)s has not yet agreed to this request."),
            params={"families": ", ".join(p.family.display_id for p in waiting)},
            code="awaiting_consent",
        )
    for party in mine:
        _decide_for_party(party, PartyDecision.Kind.APPROVED, acting_user, PartyDecision.Channel.OFFICIAL)
    if locked.parties.exclude(decisions__kind=PartyDecision.Kind.APPROVED).exists():
        return locked  # another jurisdiction's official still has to approve
    _transition(locked, ChangeRequest.Status.APPROVED, acting_user=acting_user, note=note)
    applying.apply(locked, acting_user=acting_user)
    for party in locked.parties.select_related("family"):
        _tell(party.family, "change_request_applied", locked)
    return locked


@transaction.atomic
def reject_change_request(request: ChangeRequest, *, reason: str, acting_user: User) -> ChangeRequest:
    if not parties_in_scope(acting_user, request):
        raise NotFoundForYou
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Give the reason for rejecting."), code="reason_required")}
        )
    locked = _lock_pending(request)
    _transition(locked, ChangeRequest.Status.REJECTED, acting_user=acting_user, note=reason.strip())
    _tell(locked.family, "change_request_decided", locked)
    return locked


@transaction.atomic
def withdraw_change_request(request: ChangeRequest, *, acting_user: User) -> ChangeRequest:
    if request.requested_by_id != acting_user.pk:
        raise NotFoundForYou
    locked = _lock_pending(request)
    return _transition(locked, ChangeRequest.Status.WITHDRAWN, acting_user=acting_user, note="")
