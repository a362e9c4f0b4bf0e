"""The published figures: aggregate queries only, one GROUP BY per figure, never a row per person.

A ``Scope`` says where figures are counted: the whole state, one district
(the public pages' filter), or an official's jurisdiction (their posting).
Complaints carry their own place (the columns a family has: district, tehsil,
block, panchayat, urban body); applications, enrolments, eligibility and cards
are placed by their family.

What is counted:

- complaints: received (filed), resolved (marked resolved by the officer and
  not reopened since: awaiting the complainant's answer, or closed), resolved
  in time (no later than the category's time limit fixed at filing),
  reopened (the complainant rejected the resolution or reopened it at least
  once), overdue (open past the current level's deadline);
- applications: received (submitted), decided (approved or rejected),
  decided in time (no later than the Public Services Guarantee Act limit in
  force when decided), overdue (pending past its limit now);
- schemes: eligible (a living member whose latest eligibility decision for a
  scheme says eligible; a person eligible for two schemes counts twice),
  applied (an enrolment awaiting sanction), enrolled (sanctioned, receiving);
- register: active families, living members, cards in force (family and member).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from himaccess.accounts.models import Level, Posting
from himaccess.applications.models import Application, Status
from himaccess.cards.models import Card
from himaccess.geography.models import District
from himaccess.grievances.models import Complaint
from himaccess.registry.models import Family, Member
from himaccess.schemes.models import EligibilityDecision, Enrolment, Scheme

IST = ZoneInfo("Asia/Kolkata")
WEEKS = 12


@dataclass(frozen=True)
class Scope:
    """Where figures are counted: everywhere, one district, or an official's posting."""

    district_id: int | None = None
    posting: Posting | None = None

    def area(self, prefix: str = "") -> Q:
        """A filter on a model with the register's place columns, reached through ``prefix``."""
        if self.posting is not None:
            return self.posting.family_filter(prefix)
        if self.district_id is not None:
            return Q(**{f"{prefix}district_id": self.district_id})
        return Q()

    @property
    def key(self) -> str:
        """A short name of the area, for cache keys."""
        posting = self.posting
        if posting is not None:
            if posting.level == Level.STATE:
                return "state"
            places = (posting.district_id, posting.tehsil_id, posting.block_id, posting.panchayat_id)
            return f"{posting.level}:{':'.join(str(p) for p in (*places, posting.urban_body_id))}"
        return f"district:{self.district_id}" if self.district_id is not None else "state"

    @property
    def is_state(self) -> bool:
        return self.key == "state"


def share(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, to one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class ComplaintCounts:
    label: str = ""
    received: int = 0
    resolved: int = 0
    in_time: int = 0
    reopened: int = 0
    overdue: int = 0

    @property
    def late(self) -> int:
        return self.resolved - self.in_time

    @property
    def in_time_share(self) -> float | None:
        return share(self.in_time, self.resolved)


@dataclass(frozen=True)
class ApplicationCounts:
    label: str = ""
    received: int = 0
    decided: int = 0
    in_time: int = 0
    overdue: int = 0

    @property
    def late(self) -> int:
        return self.decided - self.in_time

    @property
    def in_time_share(self) -> float | None:
        return share(self.in_time, self.decided)


@dataclass(frozen=True)
class SchemeCounts:
    label: str = ""
    eligible: int = 0
    applied: int = 0
    enrolled: int = 0


@dataclass(frozen=True)
class RegisterCounts:
    label: str = ""
    families: int = 0
    members: int = 0
    family_cards: int = 0
    member_cards: int = 0

    @property
    def cards(self) -> int:
        return self.family_cards + self.member_cards


@dataclass(frozen=True)
class Week:
    starts: datetime
    received: int = 0
    resolved: int = 0


@dataclass(frozen=True)
class Headline:
    register: RegisterCounts
    applications: ApplicationCounts
    complaints: ComplaintCounts
    enrolments: int


def _named(rows: Iterable[Mapping[str, Any]], key: str, language: str) -> list[tuple[str, dict[str, Any]]]:
    """Rows grouped by ``key`` that carry ``name_en`` and ``name_hi``: the name to show, and the counts."""
    named = []
    for counts in _by(rows, key).values():
        english, hindi = counts.pop("name_en") or "", counts.pop("name_hi") or ""
        named.append((hindi if language.startswith("hi") and hindi else english, counts))
    return named


# ----------------------------------------------------------------- complaints


def _complaint_counts(now: datetime) -> dict[str, Any]:
    # A complaint reopened and back with an officer is not resolved, whatever it was before.
    resolved = ~Q(status=Complaint.Status.OPEN) & Q(resolved_at__isnull=False)
    return {
        "received": Count("id"),
        "resolved": Count("id", filter=resolved),
        "in_time": Count("id", filter=resolved & Q(resolved_at__lte=F("sla_due_at"))),
        "reopened": Count("id", filter=Q(reopen_count__gt=0)),
        "overdue": Count("id", filter=Q(status=Complaint.Status.OPEN, due_at__lte=now)),
    }


def complaints(scope: Scope, *, now: datetime | None = None) -> ComplaintCounts:
    now = now or timezone.now()
    totals = Complaint.objects.filter(scope.area()).aggregate(**_complaint_counts(now))
    return ComplaintCounts(**totals)


def complaints_by_department(
    scope: Scope, language: str, *, now: datetime | None = None
) -> list[ComplaintCounts]:
    now = now or timezone.now()
    rows = (
        Complaint.objects.filter(scope.area())
        .order_by()
        .values("department_id", name_en=F("department__name_en"), name_hi=F("department__name_hi"))
        .annotate(**_complaint_counts(now))
    )
    found = [
        ComplaintCounts(label=label, **counts) for label, counts in _named(rows, "department_id", language)
    ]
    return sorted(found, key=lambda c: (-c.received, c.label))


def complaints_by_district(
    scope: Scope, language: str, *, now: datetime | None = None
) -> list[ComplaintCounts]:
    now = now or timezone.now()
    rows = _by(
        Complaint.objects.filter(scope.area())
        .order_by()
        .values("district_id")
        .annotate(**_complaint_counts(now)),
        "district_id",
    )
    return [ComplaintCounts(label=name, **rows.get(key, {})) for key, name in _districts(scope, language)]


def complaints_by_week(scope: Scope, *, now: datetime | None = None, weeks: int = WEEKS) -> list[Week]:
    """Complaints received and resolved in each of the last ``weeks`` weeks (Monday to Sunday, IST).

    A complaint counts as resolved in the week of its latest resolution, and
    not at all while it is reopened and back with an officer.
    """
    now = now or timezone.now()
    today = timezone.localtime(now, IST).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    complaints = Complaint.objects.filter(scope.area()).order_by()
    received = _weekly(complaints.filter(created_at__gte=first), "created_at")
    resolved = _weekly(
        complaints.filter(resolved_at__gte=first).exclude(status=Complaint.Status.OPEN), "resolved_at"
    )
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    return [Week(s, received.get(s.date(), 0), resolved.get(s.date(), 0)) for s in starts]


def _weekly(complaints: QuerySet[Complaint], column: str) -> dict[Any, int]:
    rows = complaints.values(week=TruncWeek(column, tzinfo=IST)).annotate(n=Count("id"))
    return {timezone.localtime(row["week"], IST).date(): row["n"] for row in rows}


# --------------------------------------------------------------- applications


def _application_counts(now: datetime) -> dict[str, Any]:
    decided = Q(decided_at__isnull=False)
    return {
        "received": Count("id"),
        "decided": Count("id", filter=decided),
        "in_time": Count("id", filter=decided & (Q(due_at__isnull=True) | Q(decided_at__lte=F("due_at")))),
        "overdue": Count("id", filter=Q(status=Status.PENDING, due_at__lt=now)),
    }


def _applications(scope: Scope) -> QuerySet[Application]:
    return Application.objects.submitted().filter(scope.area("family__")).order_by()


def applications(scope: Scope, *, now: datetime | None = None) -> ApplicationCounts:
    now = now or timezone.now()
    return ApplicationCounts(**_applications(scope).aggregate(**_application_counts(now)))


def applications_by_service(
    scope: Scope, language: str, *, now: datetime | None = None
) -> list[ApplicationCounts]:
    now = now or timezone.now()
    rows = (
        _applications(scope)
        .values("service_id", name_en=F("service__name_en"), name_hi=F("service__name_hi"))
        .annotate(**_application_counts(now))
    )
    found = [
        ApplicationCounts(label=label, **counts) for label, counts in _named(rows, "service_id", language)
    ]
    return sorted(found, key=lambda c: (-c.received, c.label))


def applications_by_district(
    scope: Scope, language: str, *, now: datetime | None = None
) -> list[ApplicationCounts]:
    now = now or timezone.now()
    rows = _by(
        _applications(scope).values(district=F("family__district_id")).annotate(**_application_counts(now)),
        "district",
    )
    return [ApplicationCounts(label=name, **rows.get(key, {})) for key, name in _districts(scope, language)]


# -------------------------------------------------------------------- schemes


def _eligible(scope: Scope) -> QuerySet[EligibilityDecision]:
    """Each living member's latest decision per scheme, where it says eligible."""
    later = EligibilityDecision.objects.filter(
        member=OuterRef("member"), scheme=OuterRef("scheme"), pk__gt=OuterRef("pk")
    )
    return (
        EligibilityDecision.objects.filter(
            scope.area("member__family__"), eligible=True, member__life_status=Member.LifeStatus.LIVING
        )
        .filter(~Exists(later))
        .order_by()
    )


def _enrolment_counts() -> dict[str, Any]:
    return {
        "applied": Count("id", filter=Q(status=Enrolment.Status.FILED)),
        "enrolled": Count("id", filter=Q(status=Enrolment.Status.SANCTIONED)),
    }


def _enrolments(scope: Scope) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(scope.area("member__family__")).order_by()


def schemes_by_district(scope: Scope, language: str) -> list[SchemeCounts]:
    eligible = dict(
        _eligible(scope)
        .values("member__family__district_id")
        .annotate(n=Count("id"))
        .values_list("member__family__district_id", "n")
    )
    enrolled = _by(
        _enrolments(scope).values(district=F("member__family__district_id")).annotate(**_enrolment_counts()),
        "district",
    )
    return [
        SchemeCounts(label=name, eligible=eligible.get(key, 0), **enrolled.get(key, {}))
        for key, name in _districts(scope, language)
    ]


def schemes_by_scheme(scope: Scope, language: str) -> list[SchemeCounts]:
    eligible = dict(
        _eligible(scope).values("scheme_id").annotate(n=Count("id")).values_list("scheme_id", "n")
    )
    enrolled = _by(_enrolments(scope).values("scheme_id").annotate(**_enrolment_counts()), "scheme_id")
    schemes = Scheme.objects.filter(pk__in={*eligible, *enrolled})
    found = [
        SchemeCounts(
            label=scheme.name_in(language), eligible=eligible.get(scheme.pk, 0), **enrolled.get(scheme.pk, {})
        )
        for scheme in schemes
    ]
    return sorted(found, key=lambda c: (-c.eligible, -c.enrolled, c.label))


def enrolments(scope: Scope) -> int:
    return _enrolments(scope).filter(status=Enrolment.Status.SANCTIONED).count()


# ------------------------------------------------------------------- register


def _card_counts() -> dict[str, Any]:
    return {
        "family_cards": Count("id", filter=Q(kind=Card.Kind.FAMILY)),
        "member_cards": Count("id", filter=Q(kind=Card.Kind.MEMBER)),
    }


def _families(scope: Scope) -> QuerySet[Family]:
    return Family.objects.active().filter(scope.area()).order_by()


def _members(scope: Scope) -> QuerySet[Member]:
    return (
        Member.objects.living().filter(scope.area("family__"), family__status=Family.Status.ACTIVE).order_by()
    )


def _cards(scope: Scope) -> QuerySet[Card]:
    return Card.objects.active().filter(scope.area("family__")).order_by()


def register(scope: Scope) -> RegisterCounts:
    return RegisterCounts(
        families=_families(scope).count(),
        members=_members(scope).count(),
        **_cards(scope).aggregate(**_card_counts()),
    )


def register_by_district(scope: Scope, language: str) -> list[RegisterCounts]:
    families = dict(
        _families(scope).values("district_id").annotate(n=Count("id")).values_list("district_id", "n")
    )
    members = dict(
        _members(scope)
        .values("family__district_id")
        .annotate(n=Count("id"))
        .values_list("family__district_id", "n")
    )
    cards = _by(
        _cards(scope).values(district=F("family__district_id")).annotate(**_card_counts()), "district"
    )
    return [
        RegisterCounts(
            label=name, families=families.get(key, 0), members=members.get(key, 0), **cards.get(key, {})
        )
        for key, name in _districts(scope, language)
    ]


# ------------------------------------------------------------------- headline


def headline(scope: Scope, *, now: datetime | None = None) -> Headline:
    now = now or timezone.now()
    return Headline(
        register=register(scope),
        applications=applications(scope, now=now),
        complaints=complaints(scope, now=now),
        enrolments=enrolments(scope),
    )


# -------------------------------------------------------------------- helpers


def _by(rows: Iterable[Mapping[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    """GROUP BY rows by their ``key`` column, each as the rest of its columns."""
    found: dict[Any, dict[str, Any]] = {}
    for row in rows:
        values = dict(row)
        found[values.pop(key)] = values
    return found


def _districts(scope: Scope, language: str) -> Iterable[tuple[int, str]]:
    """The districts a by-district figure lists: all of them (with zeros), or the one asked for."""
    districts = District.objects.order_by("name_en")
    if scope.district_id is not None:
        districts = districts.filter(pk=scope.district_id)
    return [(d.lgd_code, d.name_in(language)) for d in districts]
