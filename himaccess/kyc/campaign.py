"""The e-KYC campaign's figures: progress by district, block and panchayat, and the daily trend.

Everything is summed from ``KycTally`` rows (one per local area, a few
thousand for the state) and ``KycDay`` rows (one per area and day), scoped by
the official's posting in the query; counting members themselves happens
only in ``recount`` (nightly, and after a bulk load).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.geography.models import Block, District, Panchayat, UrbanBody
from himaccess.kyc.access import campaign_filter
from himaccess.kyc.models import KycDay, KycState, KycTally, State
from himaccess.registry.models import Family, FamilyQuerySet, Member

COUNTS = ("members", "verified", "without_aadhaar", "mismatch", "failed")
LEVELS = ("district", "block", "panchayat")


@dataclass
class Row:
    """One line of the progress table: an area and its counts."""

    key: str
    name: str
    members: int = 0
    verified: int = 0
    without_aadhaar: int = 0
    mismatch: int = 0
    failed: int = 0
    link: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.verified + self.without_aadhaar

    @property
    def pending(self) -> int:
        return max(0, self.members - self.done - self.mismatch - self.failed)

    @property
    def percent_done(self) -> float:
        return round(100 * self.done / self.members, 1) if self.members else 0.0


def _sums(rows: QuerySet[KycTally]) -> dict[str, int]:
    found = rows.aggregate(**{name: Sum(name) for name in COUNTS})
    return {name: int(found[name] or 0) for name in COUNTS}


def _name(obj: Any, language: str) -> str:
    return str(obj.name_in(language)) if obj is not None else ""


def progress(
    user: User, *, district: int | None, block: int | None, language: str
) -> tuple[str, list[Row], Row]:
    """(level shown, one row per area at that level, the total) inside the user's jurisdiction.

    With no district, a row per district; with a district, a row per block and
    urban body; with a block too, a row per gram panchayat.
    """
    tallies = KycTally.objects.visible_to(user)
    if district is not None:
        tallies = tallies.filter(district_id=district)
    if block is not None:
        tallies = tallies.filter(block_id=block)
    if district is None:
        level, keys = "district", ["district_id"]
    elif block is None:
        level, keys = "block", ["block_id", "urban_body_id"]
    else:
        level, keys = "panchayat", ["panchayat_id"]
    grouped = tallies.values(*keys).annotate(**{name: Sum(name) for name in COUNTS}).order_by(*keys)
    names = _names(level, grouped, language)
    rows = []
    for values in grouped:
        key = ":".join(str(values[k] or 0) for k in keys)
        link: dict[str, Any] = {}
        if level == "district":
            link = {"district": values["district_id"]}
        elif level == "block" and values["block_id"]:
            link = {"district": district, "block": values["block_id"]}
        rows.append(
            Row(
                key=key,
                name=names.get(key, _("Other areas")),
                link=link,
                **{n: int(values[n] or 0) for n in COUNTS},
            )
        )
    rows.sort(key=lambda row: row.name)
    total = Row(key="total", name=_("Total"))
    for name, value in _sums(tallies).items():
        setattr(total, name, value)
    return level, rows, total


def _names(level: str, grouped: Any, language: str) -> dict[str, str]:
    values = list(grouped)
    if level == "district":
        ids = [v["district_id"] for v in values]
        return {f"{d.pk}": _name(d, language) for d in District.objects.filter(pk__in=ids)}
    if level == "panchayat":
        ids = [v["panchayat_id"] for v in values if v["panchayat_id"]]
        found = {f"{p.pk}": _name(p, language) for p in Panchayat.objects.filter(pk__in=ids)}
        found["0"] = _("Villages outside a gram panchayat")
        return found
    blocks = {
        b.pk: _name(b, language)
        for b in Block.objects.filter(pk__in=[v["block_id"] for v in values if v["block_id"]])
    }
    bodies = {
        u.pk: _name(u, language)
        for u in UrbanBody.objects.filter(pk__in=[v["urban_body_id"] for v in values if v["urban_body_id"]])
    }
    names = {}
    for v in values:
        key = f"{v['block_id'] or 0}:{v['urban_body_id'] or 0}"
        if v["urban_body_id"]:
            names[key] = bodies.get(v["urban_body_id"], "")
        else:
            names[key] = blocks.get(v["block_id"], _("Outside any block"))
    return names


@dataclass(frozen=True)
class TrendPoint:
    day: date
    completed: int
    cumulative: int
    target: int


def campaign_start() -> date | None:
    if settings.KYC_CAMPAIGN_START:
        return date.fromisoformat(settings.KYC_CAMPAIGN_START)
    first = KycDay.objects.order_by("day").values_list("day", flat=True).first()
    return first


def trend(user: User, *, district: int | None, block: int | None, members: int) -> list[TrendPoint]:
    """Completions per day since the campaign began, their running total, and the one-month target line."""
    start = campaign_start()
    if start is None:
        return []
    scope = campaign_filter(user, "tally__")
    if scope is None:
        return []
    # A join on the area's fields (nothing at all for the state), not ``IN (SELECT …)`` over every area.
    days = KycDay.objects.filter(scope)
    if district is not None:
        days = days.filter(tally__district_id=district)
    if block is not None:
        days = days.filter(tally__block_id=block)
    per_day = dict(
        days.filter(day__gte=start).values("day").annotate(n=Sum("completed")).values_list("day", "n")
    )
    # Members already done before the campaign's first day count from its start.
    before = days.filter(day__lt=start).aggregate(n=Sum("completed"))["n"] or 0
    length = settings.KYC_CAMPAIGN_DAYS
    last = max(timezone.localdate(), *(per_day or {start: 0}))
    points, running = [], before
    for offset in range((last - start).days + 1):
        day = start + timedelta(days=offset)
        running += per_day.get(day, 0)
        target = members if offset + 1 >= length else round(members * (offset + 1) / length)
        points.append(TrendPoint(day=day, completed=per_day.get(day, 0), cumulative=running, target=target))
    return points


# ------------------------------------------------------------------ pending lists


def pending_members(panchayat: Panchayat | None, families: FamilyQuerySet) -> QuerySet[Member]:
    """Living members of the area's active families whose e-KYC is not done (camp lists)."""
    members = Member.objects.living().filter(family__in=families.active())
    if panchayat is not None:
        members = members.filter(family__panchayat=panchayat)
    done = Q(kyc__state__in=[State.VERIFIED, State.WITHOUT_AADHAAR])
    return (
        members.exclude(done)
        .select_related("family", "family__village", "kyc")
        .order_by("family__village__name_en", "family__house", "family__family_id", "date_of_birth")
    )


# ------------------------------------------------------------------ recount


def _area(values: dict[str, Any], prefix: str = "") -> str:
    return (
        f"{values[prefix + 'district_id']}:{values[prefix + 'tehsil_id']}:{values[prefix + 'block_id'] or 0}:"
        f"{values[prefix + 'panchayat_id'] or 0}:{values[prefix + 'urban_body_id'] or 0}"
    )


@transaction.atomic
def recount() -> int:
    """Recount every area's living members and campaign states from the rows; returns areas written.

    Families move and members are born, die and migrate: the counts moved
    live by each e-KYC are set right here from the register itself.
    """
    area_fields = ["district_id", "tehsil_id", "block_id", "panchayat_id", "urban_body_id"]
    members = (
        Member.objects.living()
        .filter(family__status=Family.Status.ACTIVE)
        .values(*(f"family__{f}" for f in area_fields))
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[str, Any]] = {}
    for values in members:
        area = _area(values, "family__")
        counts[area] = {f: values[f"family__{f}"] for f in area_fields} | {"members": values["n"]}
    states = (
        KycState.objects.filter(member__life_status=Member.LifeStatus.LIVING)
        .values(*(f"member__family__{f}" for f in area_fields), "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_area: dict[str, dict[str, int]] = {}
    column = {
        State.VERIFIED: "verified",
        State.WITHOUT_AADHAAR: "without_aadhaar",
        State.MISMATCH: "mismatch",
        State.FAILED: "failed",
    }
    for values in states:
        area = _area(values, "member__family__")
        by_area.setdefault(area, {})[column[State(values["state"])]] = values["n"]
        counts.setdefault(area, {f: values[f"member__family__{f}"] for f in area_fields} | {"members": 0})
    existing = {t.area: t for t in KycTally.objects.select_for_update()}
    now = timezone.now()
    new: list[KycTally] = []
    changed: list[KycTally] = []
    for area, values in counts.items():
        tally = existing.pop(area, None) or KycTally(area=area, **{f: values[f] for f in area_fields})
        tally.members = values["members"]
        for name in ("verified", "without_aadhaar", "mismatch", "failed"):
            setattr(tally, name, by_area.get(area, {}).get(name, 0))
        tally.recounted_at = now
        (changed if tally.pk else new).append(tally)
    for gone in existing.values():  # an area nobody lives in any more
        gone.members = gone.verified = gone.without_aadhaar = gone.mismatch = gone.failed = 0
        gone.recounted_at = now
        changed.append(gone)
    KycTally.objects.bulk_create(new, batch_size=1000)
    KycTally.objects.bulk_update(
        changed,
        ["members", "verified", "without_aadhaar", "mismatch", "failed", "recounted_at"],
        batch_size=1000,
    )
    return len(new) + len(changed)
