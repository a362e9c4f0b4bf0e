"""What every step of a change request leaves behind: a party's decision, a status step, an audit row."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.events.bus import emit
from himaccess.lib import transitions
from himaccess.lib.errors import Conflict
from himaccess.registry.change_requests.access import source_for
from himaccess.registry.models import (
    ChangeRequest,
    ChangeRequestParty,
    ChangeRequestStep,
    Member,
    PartyDecision,
)

# The wording of the consent screen a head agrees to; change it whenever that text changes.
CONSENT_TEXT_VERSION = "consent-2026-12"


def _decide_for_party(
    party: ChangeRequestParty, kind: str, actor: User, channel: str, *, head: Member | None = None
) -> PartyDecision:
    decision = PartyDecision.objects.create(
        party=party,
        kind=kind,
        channel=channel,
        actor=actor,
        head=head or (party.family.head() if channel != PartyDecision.Channel.OFFICIAL else None),
        mobile_last_digits=actor.mobile[-4:] if channel != PartyDecision.Channel.OFFICIAL else "",
        text_version=CONSENT_TEXT_VERSION if channel != PartyDecision.Channel.OFFICIAL else "",
    )
    audit.record(
        actor,
        f"change_request.{kind}",
        party.change_request,
        after={"family": party.family.family_id, "channel": channel},
        source=source_for(actor),
    )
    return decision


def _lock_pending(request: ChangeRequest) -> ChangeRequest:
    locked = transitions.lock(request)
    if locked.status != ChangeRequest.Status.PENDING:
        raise Conflict(_("This request has already been decided."))
    return locked


def _transition(request: ChangeRequest, to_status: str, *, acting_user: User, note: str) -> ChangeRequest:
    """Move a request locked by ``_lock_pending``."""
    transitions.move(
        request,
        to_status,
        transitions=ChangeRequest.TRANSITIONS,
        refused=lambda: Conflict(_("This request has already been decided.")),
        changes={"decided_by": acting_user, "decided_at": timezone.now(), "reason": note},
        step=lambda previous: ChangeRequestStep.objects.create(
            change_request=request, from_status=previous, to_status=to_status, actor=acting_user, note=note
        ),
        audit=lambda previous: audit.record(
            acting_user,
            f"change_request.{to_status}",
            request,
            after={"reason": note},
            source=source_for(acting_user),
        ),
    )
    emit(
        "change_request.decided",
        family_id=request.family.family_id,
        reference=request.reference,
        status=to_status,
    )
    return request
