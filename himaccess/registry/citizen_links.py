"""Citizens' logins tied to their own member records in the register (``CitizenLink``).

A login is linked to a living member whose mobile number is the login's
verified one. At each login stale links are dropped and the only candidate is
linked; with several candidates the citizen chooses who they are. Every link
made or dropped writes an audit row in the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit.log import record
from himaccess.registry.models import CitizenLink, Member, MemberQuerySet


def has_mobile(mobile: str) -> bool:
    """Whether a living member of the register has this mobile number."""
    return Member.objects.living().filter(mobile=mobile).exists()


def member_candidates(user: User) -> MemberQuerySet:
    """The living members whose mobile number is the citizen's verified one."""
    if user.is_official or not user.mobile:
        return Member.objects.none()
    return (
        Member.objects.living().filter(mobile=user.mobile).select_related("family").order_by("date_of_birth")
    )


@transaction.atomic
def refresh_citizen_links(user: User, *, request: HttpRequest | None = None) -> list[Member]:
    """At login: drop links to members who no longer have the number, and link the only candidate.

    Returns the members linked afterwards. With several candidates and none
    linked yet, nothing is linked: the citizen is asked which one they are.
    """
    stale = list(
        CitizenLink.objects.filter(user=user)
        .exclude(member__in=member_candidates(user))
        .select_related("member")
    )
    for link in stale:
        record(
            user,
            "citizen.unlinked",
            link.member,
            after={"reason": "mobile no longer matches"},
            source="accounts",
            request=request,
        )
    if stale:  # most logins find none: no DELETE then; and exactly the links recorded as unlinked
        CitizenLink.objects.filter(pk__in=[link.pk for link in stale]).delete()
    linked = [link.member for link in CitizenLink.objects.filter(user=user).select_related("member")]
    if not linked:
        candidates = list(member_candidates(user)[:2])
        if len(candidates) == 1:
            return [link_citizen(user, candidates[0], request=request)]
    return linked


@transaction.atomic
def link_citizen(user: User, member: Member, *, request: HttpRequest | None = None) -> Member:
    """Link the citizen to the member they are; only a member sharing their verified number."""
    if not member_candidates(user).filter(pk=member.pk).exists():
        raise PermissionDenied(_("This member does not have your mobile number."))
    created = CitizenLink.objects.get_or_create(user=user, member=member)[1]
    if created:
        record(user, "citizen.linked", member, source="accounts", request=request)
    return member
