"""CM Seva Sankalp intake under /api/v1/grievances/: the helpline console, the chatbot and WhatsApp.

Callers are logged in (session): a helpline agent files for any caller on
any channel; a citizen files for themselves on the web channel, at their
family's place. Errors are 4xx with a message in the caller's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import Field

from himaccess.accounts.models import User
from himaccess.authenticated import AuthenticatedRequest
from himaccess.grievances import actions, routing
from himaccess.grievances.access import get_complaint_for, is_agent
from himaccess.grievances.models import DESCRIPTION_MAX, Category, Channel, Complaint
from himaccess.idempotency import keys
from himaccess.lib.schemas import CleanTextSchema, ComplaintReference, LgdCode

router = Router(tags=["grievances"], auth=django_auth)


class LocationIn(CleanTextSchema):
    district: LgdCode | None = None
    tehsil: LgdCode | None = None
    block: LgdCode | None = None
    panchayat: LgdCode | None = None
    urban_body: LgdCode | None = None
    pincode: str = Field("", max_length=6)


class ComplaintIn(CleanTextSchema):
    category: str = Field(max_length=80)
    # Checked by the action, so an oversize text gets the same message everywhere.
    description: str = Field(max_length=DESCRIPTION_MAX * 4)
    mobile: str = Field("", max_length=15)
    name: str = Field("", max_length=100)
    channel: str = Channel.HELPLINE
    location: LocationIn | None = None


class ComplaintOut(Schema):
    reference: str
    repeat: bool
    status: str
    level: int
    department: str
    category: str
    due_at: datetime
    routed_up: bool


class SuggestionIn(CleanTextSchema):
    kind: str
    department: str = Field(max_length=48)
    text: str = Field(max_length=DESCRIPTION_MAX * 4)
    mobile: str = Field("", max_length=15)
    channel: str = Channel.HELPLINE
    location: LocationIn


class SuggestionOut(Schema):
    reference: str
    kind: str


class CategoryOut(Schema):
    code: str
    department: str
    parent: str | None
    name_en: str
    name_hi: str
    time_limit_days: int
    fileable: bool


def _out(complaint: Complaint, repeat: bool = False) -> ComplaintOut:
    return ComplaintOut(
        reference=complaint.reference,
        repeat=repeat,
        status=complaint.status,
        level=complaint.level,
        department=complaint.department_id,
        category=complaint.category.code,
        due_at=complaint.due_at,
        routed_up=complaint.routed_up,
    )


def _place(location: LocationIn | None) -> routing.Place:
    if location is None:
        raise HttpError(422, _("Give the location of the complaint."))
    return routing.Place.from_codes(**location.dict())


def _error(error: ValidationError) -> HttpError:
    return HttpError(400 if error.code != "outside_state" else 422, " ".join(error.messages))


@router.get("/categories", response=list[CategoryOut], auth=None, summary="The category tree")
def categories(request: HttpRequest) -> list[CategoryOut]:
    nodes = Category.objects.filter(active=True).select_related("parent").prefetch_related("children")
    return [
        CategoryOut(
            code=c.code,
            department=c.department_id,
            parent=c.parent.code if c.parent else None,
            name_en=c.name_en,
            name_hi=c.name_hi,
            time_limit_days=c.time_limit_days,
            fileable=not c.children.all(),
        )
        for c in nodes
    ]


@router.post(
    "/complaints",
    response={201: ComplaintOut, 200: ComplaintOut},
    summary="Register a complaint",
    openapi_extra=keys.openapi(),
)
def file_complaint(request: AuthenticatedRequest, body: ComplaintIn) -> HttpResponse:
    """With an ``Idempotency-Key`` header a retry gets the first answer and files nothing again."""
    user = request.user
    return keys.respond(
        request,
        caller=keys.caller("user", user.pk),
        endpoint="grievances.complaint",
        create=lambda: _file(user, body),
    )


def _file(user: User, body: ComplaintIn) -> tuple[int, dict[str, Any]]:
    """Check the request, file the complaint and build its answer (inside the caller's transaction)."""
    try:
        category = actions.fileable_category(body.category)
        if is_agent(user):
            if body.channel not in Channel.values:
                raise ValidationError(_("Unknown channel."), code="channel")
            mobile = actions.clean_mobile(body.mobile)
            member = actions.known_member(mobile)
            place = (
                _place(body.location)
                if body.location or member is None
                else routing.Place.of_family(member.family)
            )
            channel, name = body.channel, body.name
        elif not user.is_official:
            member_link = user.member_links.select_related("member__family").first()
            if member_link is None:
                raise HttpError(403, _("Your login is not linked to a family in Him Parivar."))
            member = member_link.member
            mobile, channel, name = user.mobile or member.mobile, Channel.WEB, member.name_en
            place = routing.Place.of_family(member.family)
        else:
            raise HttpError(403, _("Officers do not file complaints here."))
        filing = actions.file_complaint(
            category=category,
            description=body.description,
            mobile=mobile,
            place=place,
            channel=channel,
            name=name,
            member=member,
            acting_user=user,
        )
    except ValidationError as error:
        raise _error(error) from None
    return (200 if filing.repeat else 201), _out(filing.complaint, filing.repeat).model_dump()


@router.get("/complaints/{reference}", response=ComplaintOut, summary="A complaint's status")
def complaint_status(request: AuthenticatedRequest, reference: ComplaintReference) -> ComplaintOut:
    try:
        complaint = get_complaint_for(request.user, reference)
    except Http404:
        raise HttpError(404, _("No complaint with this reference number is visible to you.")) from None
    return _out(complaint)


@router.post("/suggestions", response={201: SuggestionOut}, summary="Record a suggestion or a demand")
def record_suggestion(request: AuthenticatedRequest, body: SuggestionIn) -> tuple[int, SuggestionOut]:
    user = request.user
    if not is_agent(user):
        raise HttpError(403, _("Only the helpline records suggestions and demands here."))
    try:
        suggestion = actions.record_suggestion(
            kind=body.kind,
            department_code=body.department,
            text=body.text,
            mobile=body.mobile,
            place=_place(body.location),
            channel=body.channel if body.channel in Channel.values else Channel.HELPLINE,
            acting_user=user,
        )
    except (ValidationError, PermissionDenied) as error:
        raise _error(error) if isinstance(error, ValidationError) else HttpError(403, str(error)) from None
    return 201, SuggestionOut(reference=suggestion.reference, kind=suggestion.kind)
