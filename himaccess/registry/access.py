"""Fetching register objects through the caller's scope.

Every lookup by an identifier goes through these, so the scope is part of the
query: an object outside it is indistinguishable from one that doesn't exist.
"""

from __future__ import annotations

from django.http import Http404

from himaccess.accounts.models import User
from himaccess.geography import places
from himaccess.lib import identifiers
from himaccess.registry.models import ChangeRequest, Family, Member


def get_family_for(user: User, family_id: str) -> Family:
    canonical = identifiers.normalise(family_id)
    family = Family.objects.visible_to(user).filter(family_id=canonical).first()
    if family is None:
        raise Http404
    # The places from the process's copy of the directory, not joined: planning a join of the
    # family and its places cost PostgreSQL more than running it.
    places.attach([family], *Family.PLACES)
    return family


def get_member_for(user: User, member_id: str) -> Member:
    member = (
        Member.objects.visible_to(user)
        .select_related("family")
        .filter(member_id=identifiers.normalise(member_id))
        .first()
    )
    if member is None:
        raise Http404
    return member


def get_change_request_for(user: User, reference: str) -> ChangeRequest:
    request = (
        ChangeRequest.objects.visible_to(user)
        .select_related("family", "requested_by", "decided_by")
        .filter(reference=identifiers.normalise(reference))
        .first()
    )
    if request is None:
        raise Http404
    return request


def is_head_of(user: User, family: Family) -> bool:
    """Whether the citizen's login is the head of ``family`` by the register's number, now."""
    if user.is_official or user.active_posting is not None or not user.mobile:
        return False
    head = family.head()
    return head is not None and head.mobile == user.mobile and head.citizen_links.filter(user=user).exists()


def may_change_contact(user: User, member: Member) -> bool:
    """A citizen changes their own mobile number or bank account; the head, anyone's in the family."""
    if user.is_official or user.active_posting is not None or not user.mobile:
        return False
    is_self = member.mobile == user.mobile and member.citizen_links.filter(user=user).exists()
    return is_self or is_head_of(user, member.family)


def family_of_citizen(user: User) -> Family | None:
    """The family a logged-in citizen belongs to (through their linked member).

    An official has none: the families of their jurisdiction are theirs to
    serve, not their own, and opening one is an official read to be logged.
    """
    if user.is_official:
        return None
    return Family.objects.visible_to(user).active().first()
