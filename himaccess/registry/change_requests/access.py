"""Who may file, answer for a family, or decide a change request."""

from __future__ import annotations

from himaccess.accounts.models import REGISTER_APPROVERS, Role, User
from himaccess.registry.access import is_head_of
from himaccess.registry.models import (
    ChangeRequest,
    ChangeRequestParty,
    Family,
    PartyDecision,
    Source,
)

Kind = ChangeRequest.Kind


PartyRole = ChangeRequestParty.Role


# Requests that move people into, out of or between families: each family concerned must agree.
# A change of head is the family's decision too: the present head agrees to hand over.
CONSENT_KINDS = frozenset({Kind.MARRIAGE_IN, Kind.MARRIAGE_OUT, Kind.SPLIT, Kind.MERGE, Kind.CHANGE_HEAD})


def can_file_for(user: User, family: Family) -> bool:
    """The family itself, or a panchayat secretary (or approver) of its jurisdiction."""
    if not Family.objects.visible_to(user).filter(pk=family.pk).exists():
        return False
    posting = user.active_posting
    return posting is None or posting.role in REGISTER_APPROVERS


def source_for(user: User) -> str:
    posting = user.active_posting
    if posting is None:
        return Source.SELF_DECLARED
    return Source.PANCHAYAT if posting.role == Role.PANCHAYAT_SECRETARY else Source.OFFICIAL


def parties_in_scope(user: User, request: ChangeRequest) -> list[ChangeRequestParty]:
    """The families of the request inside the jurisdiction of an approver who did not file it."""
    posting = user.active_posting
    if posting is None or posting.role not in REGISTER_APPROVERS or request.requested_by_id == user.pk:
        return []  # whoever files a request does not approve it
    visible = set(
        Family.objects.visible_to(user)
        .filter(pk__in=request.parties.values("family"))
        .values_list("pk", flat=True)
    )
    return [party for party in request.parties.select_related("family") if party.family_id in visible]


def _awaiting_approval(parties: list[ChangeRequestParty]) -> list[ChangeRequestParty]:
    return [p for p in parties if not p.decisions.filter(kind=PartyDecision.Kind.APPROVED).exists()]


def can_decide(user: User, request: ChangeRequest) -> bool:
    """Whether the user may approve or reject the request now, for a family of their jurisdiction."""
    return request.status == ChangeRequest.Status.PENDING and bool(
        _awaiting_approval(parties_in_scope(user, request))
    )


def awaiting_consent(request: ChangeRequest) -> list[ChangeRequestParty]:
    return [
        party
        for party in request.parties.select_related("family")
        if party.consent_required and not party.decisions.filter(kind=PartyDecision.Kind.CONSENTED).exists()
    ]


def party_for_head(user: User, request: ChangeRequest) -> ChangeRequestParty | None:
    """The family of the request whose head this citizen is, if it still awaits their answer."""
    for party in awaiting_consent(request):
        if is_head_of(user, party.family):
            return party
    return None
