"""Step 2: the head of each family the request touches agrees or refuses (confirmed by a code)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.lib.errors import Conflict, NotFoundForYou
from himaccess.registry.change_requests.access import party_for_head
from himaccess.registry.change_requests.notices import _tell
from himaccess.registry.change_requests.records import _decide_for_party, _lock_pending, _transition
from himaccess.registry.models import (
    ChangeRequest,
    PartyDecision,
)


@transaction.atomic
def answer_for_family(request: ChangeRequest, *, agree: bool, acting_user: User) -> ChangeRequest:
    """The head of a family the request touches agrees or refuses (the caller checked a fresh code)."""
    locked = _lock_pending(request)
    party = party_for_head(acting_user, locked)
    if party is None:
        raise NotFoundForYou
    if party.decisions.filter(kind=PartyDecision.Kind.REFUSED).exists():
        raise Conflict(_("This request has already been decided."))
    kind = PartyDecision.Kind.CONSENTED if agree else PartyDecision.Kind.REFUSED
    _decide_for_party(party, kind, acting_user, PartyDecision.Channel.OTP)
    if not agree:
        note = _("The head of family %(family)s did not agree.") % {"family": party.family.display_id}
        _transition(locked, ChangeRequest.Status.REJECTED, acting_user=acting_user, note=note)
        _tell(locked.family, "change_request_decided", locked)
    return locked
