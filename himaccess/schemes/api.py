"""The benefit ledger API under /api/v1/schemes/, for departments' payment systems.

A department system authenticates as a ``DepartmentClient`` with
``Authorization: Bearer <key_id>.<secret>`` and may post payments only for its
own department's schemes. Every POST carries an ``Idempotency-Key``: the same
key with the same body returns the first answer again; the same key with
another body is refused with 422. The database holds exactly one payment per
member, scheme and month.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import ValidationError as PydanticError
from pydantic import field_validator

from himaccess.audit import log as audit
from himaccess.lib import identifiers
from himaccess.registry.models import Member
from himaccess.schemes.actions import authenticate_client
from himaccess.schemes.models import Benefit, DepartmentClient, Enrolment, IdempotencyRecord, Scheme

MAX_AMOUNT = 1_000_000


class ClientToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> DepartmentClient | None:
        # Ninja's own parser logs an unexpected Authorization header whole
        # (with DEBUG on); a credential must never reach a log line.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> DepartmentClient | None:
        return authenticate_client(token)


router = Router(tags=["benefits"], auth=ClientToken())


class BenefitIn(Schema):
    member_id: str
    scheme_id: str
    period: str  # YYYY-MM, the month paid for
    amount: int
    paid_on: date
    payment_reference: str

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        try:
            date.fromisoformat(f"{value}-01")
        except ValueError:
            raise ValueError("period must be a month as YYYY-MM") from None
        return value

    @field_validator("payment_reference")
    @classmethod
    def _reference(cls, value: str) -> str:
        if not value.strip() or len(value) > 40:
            raise ValueError("payment_reference must have 1 to 40 characters")
        return value.strip()


class BenefitOut(Schema):
    member_id: str
    scheme_id: str
    period: str
    amount: int
    paid_on: date
    payment_reference: str


class _Raced(Exception):
    pass


class Problem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _record(client: DepartmentClient, data: BenefitIn) -> dict[str, Any]:
    """Validate against the register and the enrolment, then write the ledger row."""
    scheme = Scheme.objects.filter(scheme_id=data.scheme_id).first()
    if scheme is None:
        raise Problem(422, _("Unknown scheme id %(scheme)s.") % {"scheme": data.scheme_id[:60]})
    if scheme.department_id != client.department_id:
        raise Problem(403, _("This scheme belongs to another department."))
    member = (
        Member.objects.filter(member_id=identifiers.normalise(data.member_id))
        .select_related("family")
        .first()
    )
    if member is None:
        raise Problem(404, _("No member has that Member ID."))
    enrolment = Enrolment.objects.filter(member=member, scheme=scheme).order_by("-filed_at").first()
    if enrolment is None or enrolment.status != Enrolment.Status.SANCTIONED:
        raise Problem(422, _("This member has no sanctioned enrolment in this scheme."))
    period = date.fromisoformat(f"{data.period}-01")
    today = timezone.localdate()
    if period > today.replace(day=1):
        raise Problem(422, _("The month paid for is in the future."))
    if data.paid_on > today:
        raise Problem(422, _("The payment date is in the future."))
    if not 0 < data.amount <= MAX_AMOUNT:
        raise Problem(422, _("The amount must be between 1 and %(max)s rupees.") % {"max": MAX_AMOUNT})
    try:
        with transaction.atomic():
            Benefit.objects.create(
                member=member,
                scheme=scheme,
                enrolment=enrolment,
                period=period,
                amount=data.amount,
                paid_on=data.paid_on,
                payment_reference=data.payment_reference,
                client=client,
            )
    except IntegrityError:
        raise Problem(
            409, _("A payment for this member, scheme and month is already in the ledger.")
        ) from None
    audit.record(
        None,
        "scheme.benefit_posted",
        member,
        after={"scheme": scheme.scheme_id, "period": data.period, "amount": data.amount},
        source=f"client:{client.key_id}",
    )
    return BenefitOut(
        member_id=member.member_id,
        scheme_id=scheme.scheme_id,
        period=data.period,
        amount=data.amount,
        paid_on=data.paid_on,
        payment_reference=data.payment_reference,
    ).model_dump(mode="json")


def _answer(client: DepartmentClient, body: bytes) -> tuple[int, dict[str, Any]]:
    try:
        data = BenefitIn.model_validate_json(body or b"{}")
    except PydanticError as exc:
        fields = [".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()]
        return 422, {"detail": _("Invalid fields: %(fields)s") % {"fields": ", ".join(fields)}}
    try:
        return 201, _record(client, data)
    except Problem as problem:
        return problem.status, {"detail": problem.message}


@router.post("/benefits", response={201: BenefitOut}, summary="Post one monthly payment to the ledger")
def post_benefit(request: HttpRequest) -> JsonResponse:
    client: DepartmentClient = request.auth  # type: ignore[attr-defined]
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        return JsonResponse(
            {"detail": _("An Idempotency-Key header (1 to 100 characters) is required.")}, status=400
        )
    body_hash = hashlib.sha256(_canonical(request.body)).hexdigest()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.select_for_update().filter(client=client, key=key).first()
            if record is None:
                status, payload = _answer(client, request.body)
                try:
                    with transaction.atomic():
                        IdempotencyRecord.objects.create(
                            client=client,
                            key=key,
                            request_hash=body_hash,
                            status_code=status,
                            response=payload,
                        )
                except IntegrityError:
                    raise _Raced from None
                return JsonResponse(payload, status=status)
    except _Raced:
        # Another request with this key won the race: this one's writes are undone; answer as it did.
        record = IdempotencyRecord.objects.get(client=client, key=key)
    if record.request_hash != body_hash:
        return JsonResponse(
            {"detail": _("This Idempotency-Key was already used with a different request body.")}, status=422
        )
    response = JsonResponse(record.response, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def _canonical(body: bytes) -> bytes:
    """The body with key order and spacing ignored, so a re-serialised retry still matches."""
    try:
        return json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        return body
