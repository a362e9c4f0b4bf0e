"""Rules over the whole register, compiled to SQL by the ORM (PostgreSQL or SQLite).

Nothing here loops over people in Python: each question is one query built
from ``vocabulary.to_q``. The impact preview of a draft compares it with the
version in force: who would gain eligibility, who would lose it, by district.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When

from himaccess.registry.models import Member
from himaccess.schemes.actions.reevaluation import rules_in_force
from himaccess.schemes.models import Enrolment, RuleVersion
from himaccess.schemes.vocabulary import Context, to_q


def living() -> QuerySet[Member]:
    return Member.objects.filter(life_status=Member.LifeStatus.LIVING)


def rule_q(version: RuleVersion | None, on: date) -> Q:
    if version is None:
        return Q(pk__in=[])
    scheme = version.scheme
    return to_q(version.rule, Context(on=on, scheme_pk=scheme.pk, scheme_id=scheme.scheme_id))


def eligible(version: RuleVersion, on: date) -> QuerySet[Member]:
    return living().filter(rule_q(version, on))


def in_force_before(version: RuleVersion, on: date) -> RuleVersion | None:
    """The published version ``version`` would replace on ``on``."""
    return (
        RuleVersion.objects.filter(
            scheme=version.scheme, status=RuleVersion.Status.PUBLISHED, effective_from__lte=on
        )
        .exclude(pk=version.pk)
        .order_by("-effective_from", "-number")
        .first()
    )


@dataclass(frozen=True)
class DistrictImpact:
    district_id: int
    district_en: str
    district_hi: str
    gaining: int
    losing: int
    beneficiaries_losing: int


def _gain_lose(version: RuleVersion, on: date) -> tuple[Q, Q]:
    new = rule_q(version, on)
    old = rule_q(in_force_before(version, on), on)
    return new & ~old, old & ~new


def affected_members(version: RuleVersion, on: date) -> QuerySet[Member]:
    gain, lose = _gain_lose(version, on)
    return living().filter(gain | lose)


def impact_by_district(version: RuleVersion, on: date) -> list[DistrictImpact]:
    gain, lose = _gain_lose(version, on)
    receiving = Q(pk__in=Enrolment.objects.receiving().filter(scheme=version.scheme).values("member_id"))
    rows = (
        living()
        .filter(gain | lose)
        .values("family__district_id", "family__district__name_en", "family__district__name_hi")
        .annotate(
            gaining=Count("pk", filter=gain),
            losing=Count("pk", filter=lose),
            beneficiaries_losing=Count("pk", filter=lose & receiving),
        )
        .order_by("family__district__name_en")
    )
    return [
        DistrictImpact(
            r["family__district_id"],
            r["family__district__name_en"],
            r["family__district__name_hi"],
            r["gaining"],
            r["losing"],
            r["beneficiaries_losing"],
        )
        for r in rows
    ]


def impact_people(version: RuleVersion, on: date, *, district_id: int | None = None) -> QuerySet[Member]:
    """The people who would gain or lose, annotated with ``gains`` (paginate it)."""
    gain, lose = _gain_lose(version, on)
    people = living().filter(gain | lose).select_related("family__district")
    if district_id is not None:
        people = people.filter(family__district_id=district_id)
    gains = Case(When(gain, then=Value(True)), default=Value(False), output_field=BooleanField())
    return people.annotate(gains=gains).order_by("family__district_id", "member_id")


def eligible_counts(versions: Iterable[RuleVersion], on: date) -> dict[str, dict[int, int]]:
    """Eligible members per scheme and district, one query per scheme, each a full compiled scan."""
    counts: dict[str, dict[int, int]] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Membership tests against family-level subqueries hash a few million ids.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '256MB'")
        for version in versions:
            rows = eligible(version, on).values("family__district_id").annotate(n=Count("pk"))
            counts[version.scheme.scheme_id] = {r["family__district_id"]: r["n"] for r in rows}
    return counts


def versions_in_force(on: date) -> list[RuleVersion]:
    return rules_in_force(on)
