"""The collection centre's API under /api/v1/natural-farming/: weighments in JSON, idempotent.

The caller is a centre operator logged in (session, with the CSRF header on
POST), acting only at the centres assigned to them: any other centre is a
404. Every POST carries an ``Idempotency-Key`` (a scale terminal that lost
the answer sends the same key again and gets the first receipt; nothing is
weighed twice). Refusals answer in the one error shape (``lib.api_errors``)
in the caller's language, with a machine ``code``: ``over_cap``,
``outside_window``, ``not_certified``, ``unknown_farmer``, ``centre_closed``,
``weight``, ``moisture``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.security import django_auth
from pydantic import Field, StrictFloat, StrictInt, WithJsonSchema

from himaccess.authenticated import AuthenticatedRequest
from himaccess.idempotency import keys
from himaccess.lib.api_errors import ApiError, errors
from himaccess.lib.schemas import CleanTextSchema
from himaccess.natural_farming import access, actions
from himaccess.natural_farming.models import CollectionCentre, Crop, ProcurementTerms, Weighment

router = Router(tags=["natural farming"], auth=django_auth)

ENDPOINT = "natural_farming.weighment"
CENTRE_PATTERN = r"^[-a-zA-Z0-9_]{1,40}$"
CentreCode = Annotated[
    str,
    WithJsonSchema({"type": "string", "pattern": CENTRE_PATTERN, "description": "The centre's code."}),
    Path(..., description="The collection centre's code.", pattern=CENTRE_PATTERN),
]
FarmerIdentifier = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[NM][0-9]{11}$",
            "description": "The farmer's registration number (N...) or Member ID (M...).",
        }
    ),
    Path(..., description="The farmer's registration number (N...) or Member ID (M...)."),
]
CropName = Literal["wheat", "maize", "raw_turmeric", "pangi_barley"]


class WeighmentIn(CleanTextSchema):
    # Strict numbers: a weight sent as text or as true is a bug in the terminal, not a weight.
    farmer: str = Field(min_length=1, max_length=20, description="Registration number (N...) or Member ID.")
    crop: CropName
    kg: StrictInt | StrictFloat = Field(gt=0, le=float(actions.MAX_WEIGHMENT_KG), description="Kilograms.")
    moisture_percent: StrictInt | StrictFloat | None = Field(
        None, ge=0, le=float(actions.MAX_MOISTURE_PERCENT)
    )
    quality_note: str = Field("", max_length=200)


class WeighmentOut(Schema):
    reference: str
    farmer: str
    crop: str
    season: str
    kg: str
    price_per_kg: str
    freight_subsidy_per_kg: str
    amount: str
    weighed_at: datetime
    sold_this_season_kg: str
    cap_kg_per_season: str | None


class CropStatusOut(Schema):
    crop: str
    window_open_now: bool
    season: str | None
    price_per_kg: str | None
    sold_this_season_kg: str
    cap_kg_per_season: str | None


class FarmerStatusOut(Schema):
    reference: str
    name_en: str
    name_hi: str
    certified: bool
    crops: list[CropStatusOut]


def _centre(request: AuthenticatedRequest, code: str) -> CollectionCentre:
    return access.get_centre_for_operator(request.user, code)


def _out(weighment: Weighment) -> dict[str, Any]:
    terms = weighment.terms
    sold = Weighment.objects.sold_in_season(weighment.farmer, weighment.window.crop, weighment.window.season)
    return WeighmentOut(
        reference=weighment.reference,
        farmer=weighment.farmer.reference,
        crop=weighment.window.crop,
        season=weighment.window.season,
        kg=str(weighment.kg),
        price_per_kg=str(terms.price_per_kg),
        freight_subsidy_per_kg=str(terms.freight_subsidy_per_kg),
        amount=str(weighment.amount),
        weighed_at=weighment.weighed_at,
        sold_this_season_kg=str(sold),
        cap_kg_per_season=None if terms.cap_kg_per_season is None else str(terms.cap_kg_per_season),
    ).model_dump(mode="json")


# Unknown farmers and the rest are refusals of the body's content (422); the weighment is never written.
STATUSES = {"unknown_farmer": 422, "centre_closed": 409, "outside_window": 409, "over_cap": 409}


def _weigh(
    request: AuthenticatedRequest, centre: CollectionCentre, body: WeighmentIn
) -> tuple[int, dict[str, Any]]:
    try:
        weighment = actions.record_weighment(
            centre,
            farmer_identifier=body.farmer,
            crop=body.crop,
            kg=Decimal(str(body.kg)),
            moisture_percent=None if body.moisture_percent is None else Decimal(str(body.moisture_percent)),
            quality_note=body.quality_note,
            acting_user=request.user,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        code = exc.code or "invalid"
        raise ApiError(STATUSES.get(code, 422), " ".join(exc.messages), code=code) from None
    return 201, _out(weighment)


@router.post(
    "/centres/{code}/weighments",
    response={201: WeighmentOut, **errors(409)},
    summary="Record a weighment at a collection centre",
    openapi_extra=keys.openapi(required=True),
)
def post_weighment(request: AuthenticatedRequest, code: CentreCode, body: WeighmentIn) -> HttpResponse:
    """409 outside the window, at a closed centre or above the farmer's cap; 422 for an unknown or
    uncertified farmer or an implausible weight. The same Idempotency-Key again returns the first receipt."""
    centre = _centre(request, code)
    return keys.respond(
        request,
        caller=keys.caller("user", request.user.pk),
        endpoint=ENDPOINT,
        create=lambda: _weigh(request, centre, body),
        required=True,
    )


class DayQuery(Schema):
    on: date | None = Field(None, description="The day (YYYY-MM-DD); today when left out.")


@router.get(
    "/centres/{code}/weighments", response=list[WeighmentOut], summary="A day's weighments at a centre"
)
def list_weighments(
    request: AuthenticatedRequest, code: CentreCode, query: Query[DayQuery]
) -> list[dict[str, Any]]:
    centre = _centre(request, code)
    day = query.on or timezone.localdate()
    found = (
        Weighment.objects.filter(window__centre=centre, weighed_at__date=day)
        .select_related("farmer", "window", "terms")
        .order_by("weighed_at", "id")[:2000]
    )
    return [_out(w) for w in found]


@router.get(
    "/centres/{code}/farmers/{farmer}",
    response=FarmerStatusOut,
    summary="Whether a farmer can sell at the centre now, and how much more",
)
def farmer_status(
    request: AuthenticatedRequest, code: CentreCode, farmer: FarmerIdentifier
) -> dict[str, Any]:
    centre = _centre(request, code)
    found = actions.find_farmer(farmer)
    if found is None:
        raise ApiError(404, _("No natural farmer has that registration number."), code="unknown_farmer")
    now = timezone.now()
    today = timezone.localdate()
    crops = []
    for crop in Crop.values:
        window = actions.window_open_at(centre, crop, now)
        terms = ProcurementTerms.objects.in_force(crop, today)
        sold = Weighment.objects.sold_in_season(found, crop, window.season) if window else Decimal(0)
        crops.append(
            CropStatusOut(
                crop=crop,
                window_open_now=window is not None,
                season=window.season if window else None,
                price_per_kg=str(terms.price_per_kg) if terms else None,
                sold_this_season_kg=str(sold),
                cap_kg_per_season=str(terms.cap_kg_per_season) if terms and terms.cap_kg_per_season else None,
            )
        )
    return FarmerStatusOut(
        reference=found.reference,
        name_en=found.member.name_en,
        name_hi=found.member.name_hi,
        certified=found.is_certified_on(today),
        crops=crops,
    ).model_dump(mode="json")
