"""The contradictions the register is checked for, each one set-based query over the whole register.

A rule yields ``Hit(family pk, member pk or None, subject, detail)``; the
subject tells two findings of one rule in one family apart (which member,
which number). Rules read only; ``quality.actions.run_rules`` turns hits into
findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q

from himaccess.geography.models import PostOffice
from himaccess.linkage.models import CandidatePair
from himaccess.quality.models import Rule
from himaccess.registry.models import Family, Member, Relation
from himaccess.schemes.models import Benefit

# More families than this on one mobile number is not a shared family phone but a
# middleman's or a data-entry placeholder.
SHARED_MOBILE_FAMILIES = 5


@dataclass(frozen=True)
class Hit:
    family: int
    member: int | None
    subject: str
    detail: str


def _living() -> Member.objects.__class__:  # type: ignore[name-defined]
    return Member.objects.filter(life_status=Member.LifeStatus.LIVING, family__status=Family.Status.ACTIVE)


def child_older_than_parent(today: date) -> Iterator[Hit]:
    rows = (
        _living()
        .filter(
            Q(father__date_of_birth__gte=F("date_of_birth"))
            | Q(mother__date_of_birth__gte=F("date_of_birth"))
        )
        .values_list("family_id", "pk", "member_id")
    )
    for family, member, member_id in rows.iterator():
        yield Hit(family, member, member_id, "born on or before a parent")


def two_heads(today: date) -> Iterator[Hit]:
    rows = (
        _living().filter(relation=Relation.HEAD).values("family_id").annotate(n=Count("pk")).filter(n__gt=1)
    )
    for row in rows.iterator():
        yield Hit(row["family_id"], None, "", f"{row['n']} heads")


def dead_drawing_benefit(today: date) -> Iterator[Hit]:
    paid_after_death = Benefit.objects.filter(member=OuterRef("pk"), period__gt=OuterRef("died_on"))
    rows = Member.objects.filter(life_status=Member.LifeStatus.DEAD).filter(Exists(paid_after_death))
    for family, member, member_id in rows.values_list("family_id", "pk", "member_id").iterator():
        yield Hit(family, member, member_id, "paid for a month after the date of death")


def in_two_families(today: date) -> Iterator[Hit]:
    """Pairs an official decided are one person, while both records are still living members."""
    pairs = CandidatePair.objects.filter(
        status=CandidatePair.Status.SAME,
        member_l__life_status=Member.LifeStatus.LIVING,
        member_r__life_status=Member.LifeStatus.LIVING,
    ).exclude(member_l__family=F("member_r__family"))
    for pair in pairs.select_related("member_l", "member_r").iterator():
        for member, other in ((pair.member_l, pair.member_r), (pair.member_r, pair.member_l)):
            yield Hit(member.family_id, member.pk, member.member_id, f"also recorded as {other.member_id}")


def pincode_outside_district(today: date) -> Iterator[Hit]:
    served = PostOffice.objects.filter(district=OuterRef("district"), pincode=OuterRef("pincode"))
    rows = Family.objects.active().exclude(Exists(served)).values_list("pk", "pincode")
    for family, pincode in rows.iterator():
        yield Hit(family, None, pincode, f"pincode {pincode}")


def shared_mobile(today: date) -> Iterator[Hit]:
    crowded = (
        _living()
        .exclude(mobile="")
        .values("mobile")
        .annotate(families=Count("family", distinct=True))
        .filter(families__gt=SHARED_MOBILE_FAMILIES)
        .values("mobile")
    )
    rows = _living().filter(mobile__in=crowded).values_list("family_id", "mobile").distinct()
    for family, mobile in rows.iterator():
        yield Hit(
            family,
            None,
            mobile[-4:],
            f"number ending {mobile[-4:]} is on more than {SHARED_MOBILE_FAMILIES} families",
        )


def name_script_missing(today: date) -> Iterator[Hit]:
    rows = _living().filter(Q(name_en="") | Q(name_hi="")).values_list("family_id", "pk", "member_id")
    for family, member, member_id in rows.iterator():
        yield Hit(family, member, member_id, "name in one script only")


# (relation, lowest age, highest age relative to the head: member's age minus head's)
_AGE_GAPS: dict[str, tuple[int | None, int | None]] = {
    Relation.SON: (None, -12),
    Relation.DAUGHTER: (None, -12),
    Relation.GRANDSON: (None, -30),
    Relation.GRANDDAUGHTER: (None, -30),
    Relation.FATHER: (12, None),
    Relation.MOTHER: (12, None),
}


def age_not_fitting_relation(today: date) -> Iterator[Hit]:
    heads = dict(
        _living().filter(relation=Relation.HEAD).values_list("family_id", "date_of_birth").iterator()
    )
    rows = (
        _living()
        .filter(Q(relation__in=list(_AGE_GAPS)) | Q(relation=Relation.SPOUSE))
        .values_list("family_id", "pk", "member_id", "relation", "date_of_birth")
    )
    for family, member, member_id, relation, born in rows.iterator():
        if relation == Relation.SPOUSE:
            if (today - born).days < 18 * 365:
                yield Hit(family, member, member_id, "a spouse under 18")
            continue
        head_born = heads.get(family)
        if head_born is None:
            continue
        gap = (head_born - born).days / 365.2425  # years older than the head
        low, high = _AGE_GAPS[relation]
        if (low is not None and gap < low) or (high is not None and gap > high):
            yield Hit(family, member, member_id, f"{relation} {gap:+.0f} years from the head")


RULES: dict[str, Callable[[date], Iterator[Hit]]] = {
    Rule.CHILD_OLDER_THAN_PARENT: child_older_than_parent,
    Rule.TWO_HEADS: two_heads,
    Rule.DEAD_DRAWING_BENEFIT: dead_drawing_benefit,
    Rule.IN_TWO_FAMILIES: in_two_families,
    Rule.PINCODE_OUTSIDE_DISTRICT: pincode_outside_district,
    Rule.SHARED_MOBILE: shared_mobile,
    Rule.NAME_SCRIPT_MISSING: name_script_missing,
    Rule.AGE_NOT_FITTING_RELATION: age_not_fitting_relation,
}
