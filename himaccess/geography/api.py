"""Read-only geography for forms: cascading choices and pincode lookup.

Public reference data (no login): every name comes in both scripts, plus
``name`` in the language of the request.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from himaccess.geography.models import District, Named, PostOffice
from himaccess.geography.validators import validate_pincode
from himaccess.lib.schemas import LgdCode

router = Router(tags=["geography"])


class PlaceOut(Schema):
    code: int
    name_en: str
    name_hi: str
    name: str


class UrbanBodyOut(PlaceOut):
    kind: str
    kind_label: str
    tehsil_code: int | None


class VillageOut(Schema):
    id: int
    lgd_code: int | None
    name_en: str
    name_hi: str
    name: str
    pincode: str
    source: str
    tehsil_code: int | None
    panchayat_code: int | None


class PincodeOut(Schema):
    pincode: str
    districts: list[PlaceOut]
    post_offices: list[str]


def _place(place: Named, code: int) -> dict[str, object]:
    return {
        "code": code,
        "name_en": place.name_en,
        "name_hi": place.name_hi,
        "name": place.name_in(get_language() or "en"),
    }


def _places(rows: Iterable[Named]) -> list[dict[str, object]]:
    return [_place(row, row.pk) for row in rows]


def _district(code: int) -> District:
    district = District.objects.filter(pk=code).first()
    if district is None:
        raise HttpError(404, _("There is no district with LGD code %(code)s.") % {"code": code})
    return district


@router.get("/districts", response=list[PlaceOut])
def districts(request: object) -> list[dict[str, object]]:
    return _places(District.objects.all())


@router.get("/districts/{code}", response=PlaceOut)
def district(request: object, code: LgdCode) -> dict[str, object]:
    found = _district(code)
    return _place(found, found.pk)


@router.get("/districts/{code}/tehsils", response=list[PlaceOut])
def tehsils(request: object, code: LgdCode) -> list[dict[str, object]]:
    return _places(_district(code).tehsils.all())


@router.get("/districts/{code}/blocks", response=list[PlaceOut])
def blocks(request: object, code: LgdCode) -> list[dict[str, object]]:
    return _places(_district(code).blocks.all())


@router.get("/districts/{code}/urban-bodies", response=list[UrbanBodyOut])
def urban_bodies(request: object, code: LgdCode) -> list[dict[str, object]]:
    return [
        {
            **_place(body, body.pk),
            "kind": body.kind,
            "kind_label": body.get_kind_display(),
            "tehsil_code": body.tehsil_id,
        }
        for body in _district(code).urban_bodies.all()
    ]


@router.get("/districts/{code}/panchayats", response=list[PlaceOut])
def panchayats(request: object, code: LgdCode, block: LgdCode | None = None) -> list[dict[str, object]]:
    rows = _district(code).panchayats.all()
    if block is not None:
        rows = rows.filter(block_id=block)
    return _places(rows)


@router.get("/districts/{code}/villages", response=list[VillageOut])
def villages(
    request: object,
    code: LgdCode,
    q: str = "",
    tehsil: LgdCode | None = None,
    panchayat: LgdCode | None = None,
) -> list[dict[str, object]]:
    """Villages a form may offer: LGD's where imported, else the post-office stand-ins.

    ``q`` narrows to names starting with it (in either script).
    """
    rows = _district(code).villages.current()
    if tehsil is not None:
        rows = rows.filter(tehsil_id=tehsil)
    if panchayat is not None:
        rows = rows.filter(panchayat_id=panchayat)
    if q.strip():
        rows = rows.filter(Q(name_en__istartswith=q.strip()) | Q(name_hi__startswith=q.strip()))
    language = get_language() or "en"
    return [
        {
            "id": v.pk,
            "lgd_code": v.lgd_code,
            "name_en": v.name_en,
            "name_hi": v.name_hi,
            "name": v.name_in(language),
            "pincode": v.pincode,
            "source": v.source,
            "tehsil_code": v.tehsil_id,
            "panchayat_code": v.panchayat_id,
        }
        for v in rows
    ]


@router.get("/pincodes/{pincode}", response=PincodeOut)
def pincode(request: object, pincode: str) -> dict[str, object]:
    """The districts (usually one, sometimes two) whose post offices serve ``pincode``."""
    try:
        validate_pincode(pincode)
    except ValidationError as error:
        raise HttpError(400, error.messages[0]) from error
    offices = PostOffice.objects.filter(pincode=pincode).order_by("name")
    found = PostOffice.objects.districts_of_pincode(pincode)
    if not offices:
        raise HttpError(
            404, _("No post office in Himachal Pradesh has the pincode %(pincode)s.") % {"pincode": pincode}
        )
    return {"pincode": pincode, "districts": _places(found), "post_offices": [o.name for o in offices]}
