"""Families and members under /api/v1/, and filing a change request for a family.

Callers are logged in (session): officials read, and every read of member
data by an official is written to the family's access log; a family (or an
approver of its area) files change requests. Fields are listed explicitly:
nothing is serialised whole, and bank or Aadhaar data never leave.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field

from himaccess.accounts.models import User
from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest
from himaccess.idempotency import keys
from himaccess.lib import identifiers
from himaccess.lib.schemas import CleanTextSchema, FamilyId, MemberId
from himaccess.registry.access import get_family_for, get_member_for
from himaccess.registry.change_requests import access as request_access
from himaccess.registry.change_requests import filing as registry_filing
from himaccess.registry.forms import FORMS, ChangeForm
from himaccess.registry.models import Family, Member

router = Router(tags=["register"], auth=django_auth)

API_READ_PURPOSE = gettext_noop("register administration (API)")


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
def family(request: AuthenticatedRequest, family_id: FamilyId) -> FamilyOut:
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
def member(request: AuthenticatedRequest, member_id: MemberId) -> MemberOut:
    found = get_member_for(request.user, _checked(member_id, identifiers.MEMBER_PREFIX))
    _log_read(request, found.family, [found])
    return _member_out(found)


# The fields of a change request's form: a value, or the members chosen (a split).
Detail = (
    Annotated[str, Field(max_length=200)]
    | Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=50)]
)


class ChangeRequestIn(CleanTextSchema):
    family_id: str = Field(max_length=20)
    kind: str = Field(max_length=20)
    # The fields of the kind's form (as on the page), e.g. {"member_id": ..., "field": ..., "new_value": ...}.
    details: dict[Annotated[str, Field(max_length=40)], Detail] = Field(default_factory=dict, max_length=30)


class ChangeRequestOut(Schema):
    reference: str
    family_id: str
    kind: str
    status: str
    member_id: str | None
    filed_at: datetime


def _form_errors(form: ChangeForm) -> str:
    return "; ".join(
        f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in form.errors.items()
    )


@router.post(
    "/change-requests",
    response={201: ChangeRequestOut},
    summary="File a change request",
    openapi_extra=keys.openapi(),
)
def file_change_request(request: AuthenticatedRequest, body: ChangeRequestIn) -> HttpResponse:
    """Filed as on the family's page; with an ``Idempotency-Key`` a retry gets the first answer."""
    return keys.respond(
        request,
        caller=keys.caller("user", request.user.pk),
        endpoint="registry.change_request",
        create=lambda: (201, _file(request.user, body).model_dump()),
    )


def _file(user: User, body: ChangeRequestIn) -> ChangeRequestOut:
    """Check the request, file it and build its answer (inside the caller's transaction)."""
    family = get_family_for(user, _checked(body.family_id, identifiers.FAMILY_PREFIX))
    form_class = FORMS.get(body.kind)
    if form_class is None:
        raise HttpError(422, _("There is no such kind of change request."))
    if not request_access.can_file_for(user, family):
        raise Http404
    form = form_class(data=body.details, family=family)
    if not form.is_valid():
        raise HttpError(422, _form_errors(form))
    try:
        change = registry_filing.file_change_request(
            family, body.kind, form.payload(), requested_by=user, member=form.subject()
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    return ChangeRequestOut(
        reference=change.reference,
        family_id=family.family_id,
        kind=change.kind,
        status=change.status,
        member_id=change.member.member_id if change.member else None,
        filed_at=change.created_at,
    )


__all__ = ["router"]
