"""Who may do what in Milkfed.

- A society's secretary (a current ``Secretary`` row): their own society only.
- A Milkfed official (a current posting in the ``milkfed`` department): the
  societies of their district, or every society for a state-level posting;
  a State Administrator reads every society too.
- A citizen: their own family's farmers and statements, nothing else.

Every lookup by an identifier goes through these, so an object out of scope
is answered like one that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from himaccess.accounts.models import Level, Role, User
from himaccess.lib import identifiers
from himaccess.milkfed.models import DEPARTMENT, Secretary, Society
from himaccess.registry.models import Family


def secretary_society_id(user: User) -> int | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        Secretary.objects.filter(user=user, ended_on__isnull=True)
        .values_list("society_id", flat=True)
        .first()
    )


def is_milkfed_official(user: User) -> bool:
    posting = user.active_posting if user.is_authenticated else None
    return posting is not None and (posting.department_code == DEPARTMENT or posting.role == Role.STATE_ADMIN)


def is_state_official(user: User) -> bool:
    posting = user.active_posting if user.is_authenticated else None
    return (
        posting is not None
        and posting.level == Level.STATE
        and (posting.department_code == DEPARTMENT or posting.role == Role.STATE_ADMIN)
    )


def societies_for(user: User) -> QuerySet[Society]:
    """The societies the user acts for or oversees."""
    if not user.is_authenticated or not user.is_active:
        return Society.objects.none()
    posting = user.active_posting
    if posting is not None and (posting.department_code == DEPARTMENT or posting.role == Role.STATE_ADMIN):
        if posting.level == Level.STATE:
            return Society.objects.all()
        if posting.level == Level.DISTRICT and posting.department_code == DEPARTMENT and posting.district_id:
            return Society.objects.filter(district_id=posting.district_id)
        return Society.objects.none()
    society_id = secretary_society_id(user)
    if society_id is None:
        return Society.objects.none()
    return Society.objects.filter(pk=society_id)


def get_society_for(user: User, code: str) -> Society:
    society = societies_for(user).select_related("district").filter(code=code[:20]).first()
    if society is None:
        raise Http404
    return society


def may_register_in(user: User, society: Society) -> bool:
    """Secretaries and Milkfed officials (not the State Administrator) register farmers and post milk."""
    if society.pk == secretary_society_id(user):
        return True
    posting = user.active_posting if user.is_authenticated else None
    return (
        posting is not None
        and posting.department_code == DEPARTMENT
        and societies_for(user).filter(pk=society.pk).exists()
    )


def citizen_family(user: User, family_id: str) -> Family:
    """The citizen's own family; anyone else (an official too) gets a 404."""
    if not user.is_authenticated or user.is_official or user.active_posting is not None:
        raise Http404
    family = Family.objects.visible_to(user).filter(family_id=identifiers.normalise(family_id[:20])).first()
    if family is None:
        raise Http404
    return family
