"""Who reaches which member, area and review in e-KYC; everything outside is a 404.

- A citizen does e-KYC for themselves, and the head of a family for any of
  its living members (``registry.access.may_change_contact``'s rule).
- A Lok Mitra Kendra operator reaches members of the families the centre
  serves (docs/decisions/1061), and only after that member's code.
- Officials who read the register see the campaign, reviews and pending
  lists of their posting's jurisdiction; the state sees all.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from himaccess.accounts.models import REGISTER_APPROVERS, REGISTER_READERS, Role, User
from himaccess.applications.access import member_for_operator
from himaccess.lib import identifiers
from himaccess.registry.access import get_member_for, may_change_contact
from himaccess.registry.models import Family, Member


def is_operator(user: User) -> bool:
    posting = user.active_posting
    return posting is not None and posting.role == Role.LOK_MITRA_OPERATOR


def member_for_kyc(user: User, member_id: str) -> Member:
    """The living member this user may start an e-KYC for; 404 otherwise, known or not."""
    canonical = identifiers.normalise(member_id)
    if not identifiers.is_valid(canonical, "M"):
        raise Http404
    if is_operator(user):
        return member_for_operator(user, canonical)
    if user.is_official:
        raise Http404
    member = get_member_for(user, canonical)
    if not member.is_living or not may_change_contact(user, member):
        raise Http404
    return member


def campaign_filter(user: Any, prefix: str = "") -> Q | None:
    """The tally rows (or families) an official may count: their jurisdiction; None for nobody.

    ``prefix`` reaches the area's fields through a relation (``"tally__"`` from a day's row).
    """
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    posting = user.active_posting
    if posting is None or posting.role not in REGISTER_READERS:
        return None
    return posting.family_filter(prefix)


def reviewer_families(user: Any) -> QuerySet[Family]:
    """Families whose e-KYC mismatches and alternative checks this official settles."""
    if not isinstance(user, User):
        return Family.objects.none()
    posting = user.active_posting
    if posting is None or posting.role not in REGISTER_APPROVERS:
        return Family.objects.none()
    return Family.objects.filter(posting.family_filter())


def member_for_official(user: User, member_id: str) -> Member:
    """A living member of a family in the approving official's jurisdiction; 404 otherwise."""
    canonical = identifiers.normalise(member_id)
    member = (
        Member.objects.living()
        .select_related("family")
        .filter(member_id=canonical, family__in=reviewer_families(user))
        .first()
    )
    if member is None:
        raise Http404
    return member
