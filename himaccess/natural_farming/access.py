"""Who may do what in natural farming, and fetching its objects through the caller's scope.

- Agriculture officials (a current posting in the Agriculture department)
  register farmers, record their land and verify them for families inside
  their posting's area; certifying (or lapsing) takes a district or state
  posting. An official of district A reaches nothing of district B.
- A centre operator weighs only at the centres they are assigned to now.
- A citizen sees and registers only members of their own family.

A lookup outside the caller's scope is a 404, like an object that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from himaccess.accounts.models import Level, Posting, User
from himaccess.lib import identifiers
from himaccess.natural_farming.models import CentreOperator, CollectionCentre, Farmer
from himaccess.registry.models import Family, Member

DEPARTMENT = "agriculture"
# Certification is the district's (or the state's) decision, not the field staff's.
CERTIFYING_LEVELS = frozenset({Level.DISTRICT, Level.STATE})


def agriculture_posting(user: User) -> Posting | None:
    posting = user.active_posting if user.is_authenticated else None
    if posting is None or posting.department_code != DEPARTMENT:
        return None
    return posting


def is_agriculture_official(user: User) -> bool:
    return agriculture_posting(user) is not None


def may_certify(user: User) -> bool:
    posting = agriculture_posting(user)
    return posting is not None and posting.level in CERTIFYING_LEVELS


def families_served(user: User) -> QuerySet[Family]:
    """The families whose members the caller may register: their area's, or a citizen's own."""
    posting = agriculture_posting(user)
    if posting is not None:
        return Family.objects.active().filter(posting.family_filter())
    if not user.is_authenticated or user.is_official:
        return Family.objects.none()
    return Family.objects.visible_to(user).active()


def get_family_for(user: User, family_id: str) -> Family:
    family = families_served(user).filter(family_id=identifiers.normalise(family_id)).first()
    if family is None:
        raise Http404
    return family


def farmers_visible_to(user: User) -> QuerySet[Farmer]:
    posting = agriculture_posting(user)
    if posting is not None:
        return Farmer.objects.filter(posting.family_filter("member__family__"))
    if not user.is_authenticated or user.is_official:
        return Farmer.objects.none()
    return Farmer.objects.filter(member__family__in=Family.objects.visible_to(user))


def get_farmer_for(user: User, reference: str) -> Farmer:
    farmer = (
        farmers_visible_to(user)
        .select_related("member__family__district")
        .filter(reference=identifiers.normalise(reference))
        .first()
    )
    if farmer is None:
        raise Http404
    return farmer


def get_member_to_register(user: User, member_id: str) -> Member:
    member = (
        Member.objects.living()
        .filter(family__in=families_served(user), member_id=identifiers.normalise(member_id))
        .select_related("family")
        .first()
    )
    if member is None:
        raise Http404
    return member


def centres_operated_by(user: User) -> QuerySet[CollectionCentre]:
    if not user.is_authenticated or not user.is_official or user.active_posting is None:
        return CollectionCentre.objects.none()
    assigned = CentreOperator.objects.current().filter(user=user).values("centre")
    return CollectionCentre.objects.filter(pk__in=assigned)


def get_centre_for_operator(user: User, code: str) -> CollectionCentre:
    centre = centres_operated_by(user).filter(code=code).select_related("district").first()
    if centre is None:
        raise Http404
    return centre
