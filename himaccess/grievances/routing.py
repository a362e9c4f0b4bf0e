"""Who holds a complaint: the rungs of its department's ladder and the officers posted on them.

Rung 1 is the category's handler (role, area level, time limit); rungs 2 and
up are the department's ``LadderLevel`` rows. The holder of a rung in a
place is the current posting with that role at that level whose area holds
the place and whose department is the complaint's (preferred) or general
administration (''). When nobody holds a rung, the complaint goes to the
next rung up that has a holder, and is flagged ``routed_up``. The
escalation job (``escalation.py``) applies the same rule in SQL through
``RouteEntry`` rows built by ``route_entries`` below.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from himaccess.accounts.models import Level, Posting, User
from himaccess.geography.models import Block, District, Panchayat, PostOffice, Tehsil, UrbanBody, Village
from himaccess.grievances.models import AREA_COLUMNS, Category, LadderLevel, RouteEntry

STATE_AREA = 0


@dataclass(frozen=True)
class Place:
    """Where a complaint is about; decides its jurisdiction."""

    district: District
    tehsil: Tehsil
    block: Block | None = None
    panchayat: Panchayat | None = None
    urban_body: UrbanBody | None = None
    village: Village | None = None

    def area_id(self, level: str) -> int | None:
        if level == Level.STATE:
            return STATE_AREA
        area = getattr(self, AREA_COLUMNS[Level(level)].removesuffix("_id"))
        return int(area.pk) if area is not None else None

    def columns(self) -> dict[str, object]:
        return {
            "district": self.district,
            "tehsil": self.tehsil,
            "block": self.block,
            "panchayat": self.panchayat,
            "urban_body": self.urban_body,
            "village": self.village,
        }

    @classmethod
    def of_family(cls, family: object) -> Place:
        return cls(
            district=family.district,  # type: ignore[attr-defined]
            tehsil=family.tehsil,  # type: ignore[attr-defined]
            block=family.block,  # type: ignore[attr-defined]
            panchayat=family.panchayat,  # type: ignore[attr-defined]
            urban_body=family.urban_body,  # type: ignore[attr-defined]
            village=family.village,  # type: ignore[attr-defined]
        )

    @classmethod
    def from_codes(
        cls,
        *,
        district: int | None,
        tehsil: int | None,
        block: int | None = None,
        panchayat: int | None = None,
        urban_body: int | None = None,
        pincode: str = "",
    ) -> Place:
        """A place from LGD codes; ``ValidationError`` for a place outside Himachal or inconsistent codes."""
        outside = _(
            "This location is outside Himachal Pradesh; "
            "CM Seva Sankalp takes complaints about places in the State."
        )
        if pincode and not PostOffice.objects.filter(pincode=pincode).exists():
            raise ValidationError(outside, code="outside_state")
        found_district = District.objects.filter(pk=district).first() if district else None
        if found_district is None:
            raise ValidationError(outside, code="outside_state")
        found_tehsil = Tehsil.objects.filter(pk=tehsil, district=found_district).first() if tehsil else None
        if found_tehsil is None:
            raise ValidationError(_("Choose a tehsil of the district."), code="tehsil")
        found_block = Block.objects.filter(pk=block, district=found_district).first() if block else None
        if block and found_block is None:
            raise ValidationError(_("The block is not in the district."), code="block")
        found_panchayat = (
            Panchayat.objects.filter(pk=panchayat, district=found_district).first() if panchayat else None
        )
        if panchayat and found_panchayat is None:
            raise ValidationError(_("The panchayat is not in the district."), code="panchayat")
        found_ulb = (
            UrbanBody.objects.filter(pk=urban_body, district=found_district).first() if urban_body else None
        )
        if urban_body and found_ulb is None:
            raise ValidationError(_("The urban body is not in the district."), code="urban_body")
        if found_panchayat is not None and found_block is None:
            found_block = found_panchayat.block
        return cls(found_district, found_tehsil, found_block, found_panchayat, found_ulb)


@dataclass(frozen=True)
class Rung:
    number: int
    role: str
    area_level: str
    hours: int
    title: str


def rungs(category: Category) -> list[Rung]:
    first = Rung(1, category.handler_role, category.handler_level, category.time_limit_days * 24, "")
    ladder = LadderLevel.objects.filter(department_id=category.department_id).order_by("number")
    return [first] + [Rung(r.number, r.role, r.area_level, r.hours, r.title_en) for r in ladder]


def _holders(department: str, role: str, area_level: str) -> QuerySet[Posting]:
    """Current postings on a rung, best first: the department's own, then general, then earliest."""
    return (
        Posting.objects.current()
        .filter(
            Q(department_id=department) | Q(department__isnull=True),
            role=role,
            level=area_level,
            user__is_active=True,
        )
        .annotate(
            own=Case(
                When(department_id=department, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("own", "started_at", "id")
    )


def holder(department: str, rung: Rung, place: Place) -> User | None:
    area_id = place.area_id(rung.area_level)
    if area_id is None:
        return None
    postings = _holders(department, rung.role, rung.area_level).select_related("user")
    if rung.area_level != Level.STATE:
        postings = postings.filter(**{AREA_COLUMNS[Level(rung.area_level)]: area_id})
    posting = postings.first()
    return posting.user if posting is not None else None


@dataclass(frozen=True)
class Route:
    rung: Rung
    officer: User | None
    routed_up: bool
    top: int


def route(category: Category, place: Place, *, from_number: int = 1) -> Route:
    """The first rung at or above ``from_number`` that has a holder in the place."""
    ladder = rungs(category)
    top = ladder[-1].number
    start = min(from_number, top)
    candidates = [r for r in ladder if r.number >= start]
    for rung in candidates:
        officer = holder(category.department_id, rung, place)
        if officer is not None:
            return Route(rung, officer, rung.number != start, top)
    return Route(candidates[0], None, True, top)


def route_entries() -> list[RouteEntry]:
    """Every ladder rung (2 and up) and area with its holder, by the same rule as ``holder``."""
    entries: list[RouteEntry] = []
    for rung in LadderLevel.objects.order_by("department_id", "number"):
        taken: set[int] = set()
        for posting in _holders(rung.department_id, rung.role, rung.area_level):
            area_id = (
                STATE_AREA
                if rung.area_level == Level.STATE
                else getattr(posting, AREA_COLUMNS[Level(rung.area_level)])
            )
            if area_id in taken:
                continue
            taken.add(area_id)
            entries.append(
                RouteEntry(
                    department_id=rung.department_id,
                    number=rung.number,
                    area_level=rung.area_level,
                    area_id=area_id,
                    officer_id=posting.user_id,
                )
            )
    return entries


def officer_covers(posting: Posting, place: Place) -> bool:
    """Whether a posting's area holds the place."""
    area_id = place.area_id(posting.level)
    if posting.level == Level.STATE:
        return True
    return area_id is not None and area_id == getattr(posting, AREA_COLUMNS[Level(posting.level)])
