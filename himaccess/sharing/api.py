"""The departments' data API under /api/v1/department/ (client-credentials bearer tokens only).

- ``GET verify/{id}``: does a Family or Member ID exist, is it alive, its district (``register.verify``);
- ``POST verify``: the same for up to 10,000 IDs in one call, answered with two queries;
- ``POST consent-requests``: ask a member's consent for a purpose, on their page or by SMS code;
- ``GET consent-requests/{ref}``, ``POST consent-requests/{ref}/code``: state; the code;
- ``GET members/{member_id}``: the fields the client may read now, for the purpose (``register.read``).

Each call names a ``purpose`` of the client's own department; every read that
finds someone is a row of the family's access log. Calls are counted per
client (``DataClient.requests_per_minute``; 429 with Retry-After past it).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.security import HttpBearer
from pydantic import Field, StringConstraints, WithJsonSchema

from himaccess.idempotency import keys
from himaccess.lib import throttling
from himaccess.lib.api_errors import ApiError, errors
from himaccess.lib.schemas import CleanTextSchema, MemberId
from himaccess.lib.throttling import Limit
from himaccess.sharing import actions
from himaccess.sharing.models import SCOPE_READ, SCOPE_VERIFY, ConsentRequest, DataClient
from himaccess.sharing.oauth import client_for_token

MAX_BULK_IDS = 10_000
PURPOSE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,59}$"
ID_PATTERN = r"^[FM][0-9]{11}$"
MEMBER_PATTERN = r"^M[0-9]{11}$"
GROUP_PATTERN = r"^[a-z]{1,20}$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
RegisterId = Annotated[
    str,
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "description": "A Family ID or a Member ID."}),
    Path(..., description="A Family ID or a Member ID (F or M, 11 digits, the last a Verhoeff check digit)."),
]
Reference = Annotated[
    str,
    WithJsonSchema(
        {"type": "string", "pattern": UUID_PATTERN, "description": "A consent request's reference."}
    ),
    Path(..., description="A consent request's reference."),
]


class DataClientToken(HttpBearer):
    """A department client's bearer token holding ``scope``; each call counts against the client's rate."""

    openapi_scheme = "bearer"

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> DataClient:
        client = client_for_token(token.strip(), self.scope)
        limit = Limit("department-client-minute", client.requests_per_minute, 60)
        wait = throttling.hit((limit,), f"data-client:{client.pk}")
        if wait:
            raise ApiError(429, _("Too many requests. Please wait a moment and try again."), retry_after=wait)
        return client


router = Router(tags=["department data"])
verify_auth = DataClientToken(SCOPE_VERIFY)
read_auth = DataClientToken(SCOPE_READ)


def _refused(exc: actions.SharingError) -> ApiError:
    return ApiError(exc.status, exc.message, code=exc.code)


def _bad_id() -> ApiError:
    return ApiError(
        422, _("This is not a valid Family ID or Member ID (check the digits)."), code="invalid_id"
    )


def _check_reference(reference: str) -> None:
    if not re.fullmatch(UUID_PATTERN, reference):
        raise ApiError(422, _("This is not a consent request's reference."), code="invalid_reference")


def _client(request: HttpRequest) -> DataClient:
    client: DataClient = request.auth  # type: ignore[attr-defined]
    return client


class PurposeQuery(CleanTextSchema):
    purpose: str = Field(pattern=PURPOSE_PATTERN, description="A purpose code of the client's department.")


class VerifiedOut(Schema):
    id: str
    well_formed: bool = Field(
        description="Whether the ID has the form of a Family or Member ID and its check digit."
    )
    exists: bool
    alive: bool | None = Field(None, description="Member: living; family: active. Absent when not found.")
    district: str | None = None


class BulkVerifyIn(CleanTextSchema):
    purpose: str = Field(pattern=PURPOSE_PATTERN)
    ids: list[Annotated[str, StringConstraints(max_length=20)]] = Field(
        min_length=1, max_length=MAX_BULK_IDS, description="Family IDs and Member IDs, at most 10,000."
    )

    model_config = {"extra": "forbid"}


class BulkVerifyOut(Schema):
    purpose: str
    count: int
    found: int
    results: list[VerifiedOut]


class MemberQuery(CleanTextSchema):
    purpose: str = Field(pattern=PURPOSE_PATTERN)
    fields: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[a-z]{1,20}(,[a-z]{1,20})*$",
        description="Comma-separated field groups.",
    )


class SharedMemberOut(Schema):
    member_id: str
    purpose: str
    basis: Literal["consent", "law"]
    consent_expires_at: datetime | None
    fields: dict[str, str | int | bool | None]


class ConsentIn(CleanTextSchema):
    member_id: str = Field(pattern=MEMBER_PATTERN)
    purpose: str = Field(pattern=PURPOSE_PATTERN)
    field_groups: list[Annotated[str, StringConstraints(pattern=GROUP_PATTERN)]] | None = Field(
        None, max_length=10
    )
    channel: Literal["page", "sms"] = "page"

    model_config = {"extra": "forbid"}


class ConsentOut(Schema):
    reference: str
    member_id: str
    purpose: str
    field_groups: list[str]
    channel: str
    status: Literal["pending", "unanswered", "approved", "refused", "withdrawn", "expired"]
    requested_at: datetime
    answer_by: datetime
    expires_at: datetime | None


class CodeIn(CleanTextSchema):
    code: str = Field(pattern=r"^[0-9]{6}$", description="The six-digit code the citizen received by SMS.")

    model_config = {"extra": "forbid"}


def _consent_out(consent: ConsentRequest) -> dict[str, Any]:
    return {
        "reference": str(consent.reference),
        "member_id": consent.member.member_id,
        "purpose": consent.purpose_id,
        "field_groups": consent.groups(),
        "channel": consent.channel,
        "status": consent.status(),
        "requested_at": consent.requested_at,
        "answer_by": consent.answer_by,
        "expires_at": consent.expires_at,
    }


@router.get(
    "/verify/{identifier}",
    auth=verify_auth,
    response={200: VerifiedOut, **errors(403, 429)},
    summary="Verify one Family ID or Member ID",
)
def verify_one(request: HttpRequest, identifier: RegisterId, query: Query[PurposeQuery]) -> Any:
    if actions.canonical_id(identifier) is None:
        raise _bad_id()
    try:
        [answer] = actions.verify_ids(
            _client(request), ids=[identifier], purpose_code=query.purpose, request=request
        )
    except actions.SharingError as exc:
        raise _refused(exc) from exc
    return answer.__dict__


@router.post(
    "/verify",
    auth=verify_auth,
    response={200: BulkVerifyOut, **errors(403, 429)},
    summary="Verify up to 10,000 Family IDs and Member IDs",
)
def verify_many(request: HttpRequest, body: BulkVerifyIn) -> Any:
    try:
        answers = actions.verify_ids(
            _client(request), ids=body.ids, purpose_code=body.purpose, request=request
        )
    except actions.SharingError as exc:
        raise _refused(exc) from exc
    return {
        "purpose": body.purpose,
        "count": len(answers),
        "found": sum(1 for answer in answers if answer.exists),
        "results": [answer.__dict__ for answer in answers],
    }


@router.get(
    "/members/{member_id}",
    auth=read_auth,
    response={200: SharedMemberOut, **errors(403, 429)},
    summary="Read the fields of a member this client may read now",
)
def read_member(request: HttpRequest, member_id: MemberId, query: Query[MemberQuery]) -> Any:
    if actions.canonical_id(member_id) is None or not member_id.startswith("M"):
        raise _bad_id()
    groups = query.fields.split(",") if query.fields else None
    try:
        answer = actions.read_member(
            _client(request), member_id=member_id, purpose_code=query.purpose, groups=groups, request=request
        )
    except actions.SharingError as exc:
        raise _refused(exc) from exc
    return answer.__dict__


@router.post(
    "/consent-requests",
    auth=read_auth,
    response={201: ConsentOut, 200: ConsentOut, **errors(403, 404, 429)},
    summary="Ask a member's consent for a purpose",
    openapi_extra=keys.openapi(),
)
def ask_consent(request: HttpRequest, body: ConsentIn) -> HttpResponse:
    """With ``channel: sms`` the member's number on the register gets a code to give the department."""
    client = _client(request)

    def create() -> tuple[int, dict[str, Any]]:
        try:
            consent = actions.request_consent(
                client,
                member_id=body.member_id,
                purpose_code=body.purpose,
                groups=body.field_groups,
                channel=body.channel,
                request=request,
            )
        except actions.SharingError as exc:
            raise _refused(exc) from exc
        return 201, ConsentOut(**_consent_out(consent)).model_dump(mode="json")

    return keys.respond(
        request, caller=keys.caller("client", client.pk), endpoint="sharing.consent", create=create
    )


@router.get(
    "/consent-requests/{consent_reference}",
    auth=read_auth,
    response={200: ConsentOut, **errors(429)},
    summary="The state of a consent request",
)
def consent_status(request: HttpRequest, consent_reference: Reference) -> Any:
    reference = consent_reference
    _check_reference(reference)
    try:
        consent = actions.consent_of(_client(request), reference)
    except actions.SharingError as exc:
        raise _refused(exc) from exc
    return _consent_out(consent)


@router.post(
    "/consent-requests/{consent_reference}/code",
    auth=read_auth,
    response={200: ConsentOut, **errors(409, 429)},
    summary="Approve a request with the code the citizen received by SMS",
)
def confirm_code(request: HttpRequest, consent_reference: Reference, body: CodeIn) -> Any:
    reference = consent_reference
    _check_reference(reference)
    try:
        consent = actions.confirm_code(_client(request), reference=reference, code=body.code, request=request)
    except actions.SharingError as exc:
        raise _refused(exc) from exc
    return _consent_out(consent)
