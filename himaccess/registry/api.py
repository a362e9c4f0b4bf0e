"""Read endpoints for families and members under /api/v1/.

Callers are logged-in officials (session) for now; every read of member data
by an official is written to the family's access log. Fields are listed
explicitly: nothing is serialised whole, and bank or Aadhaar data never leave.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest
from himaccess.lib import identifiers
from himaccess.registry.access import get_family_for, get_member_for
from himaccess.registry.models import Family, Member

router = Router(tags=["register"], auth=django_auth)

API_READ_PURPOSE = "register administration (API)"


class MemberOut(Schema):
    member_id: str
    family_id: str
    name_en: str
    name_hi: str
    relation: str
    gender: str
    date_of_birth: date
    marital_status: str
    life_status: str
    ekyc_status: str


class AddressOut(Schema):
    district_lgd_code: int
    district: str
    tehsil_lgd_code: int
    tehsil: str
    block_lgd_code: int | None
    urban_body_lgd_code: int | None
    village: str | None
    house: str
    pincode: str
    area: str


class FamilyOut(Schema):
    family_id: str
    status: str
    address: AddressOut
    members: list[MemberOut]


def _member_out(member: Member) -> MemberOut:
    return MemberOut(
        member_id=member.member_id,
        family_id=member.family.family_id,
        name_en=member.name_en,
        name_hi=member.name_hi,
        relation=member.relation,
        gender=member.gender,
        date_of_birth=member.date_of_birth,
        marital_status=member.marital_status,
        life_status=member.life_status,
        ekyc_status=member.ekyc_status,
    )


def _address(family: Family) -> AddressOut:
    return AddressOut(
        district_lgd_code=family.district_id,
        district=family.district.name_en,
        tehsil_lgd_code=family.tehsil_id,
        tehsil=family.tehsil.name_en,
        block_lgd_code=family.block_id,
        urban_body_lgd_code=family.urban_body_id,
        village=family.village.name_en if family.village else None,
        house=family.house,
        pincode=family.pincode,
        area=family.area,
    )


def _checked(raw: str, prefix: str) -> str:
    if not identifiers.is_valid(raw, prefix):
        message = (
            _("That is not a valid Family ID.")
            if prefix == identifiers.FAMILY_PREFIX
            else _("That is not a valid Member ID.")
        )
        raise HttpError(422, message)
    return identifiers.normalise(raw)


def _log_read(request: AuthenticatedRequest, family: Family, members: list[Member]) -> None:
    if request.user.active_posting is not None:
        access_log.record_read(
            family=family, members=members, purpose=API_READ_PURPOSE, user=request.user, request=request
        )


@router.get("/families/{family_id}", response=FamilyOut, summary="A family with its living members")
def family(request: AuthenticatedRequest, family_id: str) -> FamilyOut:
    found = get_family_for(request.user, _checked(family_id, identifiers.FAMILY_PREFIX))
    members = list(found.living_members().select_related("family"))
    _log_read(request, found, members)
    return FamilyOut(
        family_id=found.family_id,
        status=found.status,
        address=_address(found),
        members=[_member_out(m) for m in members],
    )


@router.get("/members/{member_id}", response=MemberOut, summary="One member")
def member(request: AuthenticatedRequest, member_id: str) -> MemberOut:
    found = get_member_for(request.user, _checked(member_id, identifiers.MEMBER_PREFIX))
    _log_read(request, found.family, [found])
    return _member_out(found)


__all__ = ["router"]
