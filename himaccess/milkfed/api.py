"""Milkfed's API under /api/v1/milkfed/: a society posts its collection rows in bulk.

The caller is logged in (the society's secretary, or a Milkfed official of
its district or the state) and sends a JSON list of rows. Every row is
checked; one bad row refuses the whole batch (422, each error with its row
number, in the caller's language) and nothing is written. Sending the same
rows again writes nothing new (``unchanged`` counts them).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import django_auth

from himaccess.authenticated import AuthenticatedRequest
from himaccess.lib.api_errors import error_response, errors
from himaccess.lib.schemas import CleanTextSchema
from himaccess.milkfed import access, collections
from himaccess.milkfed.models import Animal, Shift, Upload

router = Router(tags=["milkfed"], auth=django_auth)


class CollectionRow(CleanTextSchema):
    """One row, for the documentation: the body is a JSON list of these."""

    member_id: str
    date: str
    shift: str
    animal: str
    litres: float
    fat: float
    snf: float


class PostedOut(Schema):
    upload: int
    rows: int
    written: int
    unchanged: int


ROWS_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "maxItems": collections.MAX_ROWS,
                "items": {
                    **CollectionRow.model_json_schema(),
                    "properties": {
                        "member_id": {
                            "type": "string",
                            "description": "Member ID of a registered dairy farmer",
                        },
                        "date": {"type": "string", "format": "date"},
                        "shift": {"type": "string", "enum": list(Shift.values)},
                        "animal": {"type": "string", "enum": list(Animal.values)},
                        "litres": {"type": "number", "minimum": 0.1, "maximum": 200},
                        "fat": {"type": "number", "minimum": 1, "maximum": 15},
                        "snf": {"type": "number", "minimum": 5, "maximum": 12},
                    },
                },
            }
        }
    },
}


def _refused(refusal: collections.UploadRefused) -> JsonResponse:
    return error_response(
        refusal.status,
        refusal.message,
        code=refusal.code,
        errors=[
            {"loc": ["body", e.row, e.field], "type": refusal.code, "msg": e.message} for e in refusal.errors
        ],
    )


@router.post(
    "/societies/{code}/collections",
    response={201: PostedOut, **errors(403, 404, 409, 413)},
    summary="Record a society's milk collection rows (all or none)",
    openapi_extra={"requestBody": ROWS_BODY},
)
def post_collections(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """404 for a society outside the caller's scope; 409 for a closed society or rows that contradict
    milk already recorded; 422 with each row's errors; 201 with how many rows were written."""
    society = access.get_society_for(request.user, code)
    if not access.may_register_in(request.user, society):
        return error_response(403, _("You may not record milk for this society."), code="forbidden")
    if (request.content_type or "") != "application/json":
        return error_response(
            415, _("Send the body as JSON, with Content-Type: application/json."), code="not_json"
        )
    try:
        rows: Any = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return error_response(400, _("The request body is not valid JSON."), code="malformed_json")
    if not isinstance(rows, list):
        return error_response(422, _("The body must be a JSON list of rows."), code="invalid", errors=[])
    try:
        posted = collections.post(
            society, rows, via=Upload.Via.API, acting_user=request.user, from_text=False
        )
    except collections.UploadRefused as refusal:
        return _refused(refusal)
    body = PostedOut(
        upload=posted.upload.pk, rows=len(rows), written=posted.written, unchanged=posted.unchanged
    ).model_dump()
    return JsonResponse(body, status=201)
