"""The benefit ledger API under /api/v1/schemes/, for departments' payment systems.

A department system authenticates as a ``DepartmentClient`` with
``Authorization: Bearer <key_id>.<secret>`` and may post payments only for its
own department's schemes. Every POST carries an ``Idempotency-Key``: the same
key with the same body returns the first answer again; the same key with
another body is refused with 422. The database holds exactly one payment per
member, scheme and month.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import Field, StrictInt, field_validator
from pydantic import ValidationError as PydanticError

from himaccess.audit import log as audit
from himaccess.idempotency import keys
from himaccess.lib import identifiers
from himaccess.lib.api_errors import error_body, errors
from himaccess.lib.schemas import CleanTextSchema
from himaccess.registry.models import Member
from himaccess.registry.validators import EARLIEST_DATE
from himaccess.schemes.actions.clients import authenticate_client
from himaccess.schemes.models import Benefit, DepartmentClient, Enrolment, Scheme

# The largest single payment the ledger books, in rupees; more is a mistake in the payment file.
MAX_AMOUNT = 1_000_000
PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The ledger's name for its keys in the shared idempotency store.
LEDGER_ENDPOINT = "schemes.benefit"


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


class BenefitIn(CleanTextSchema):
    # Types are strict: a payment file that sends an amount as text, true as an amount or a date as a
    # number has a bug to fix, and converting would hide it (true would book Rs 1).
    member_id: str = Field(max_length=20)
    scheme_id: str = Field(max_length=60)
    period: str  # YYYY-MM, the month paid for
    amount: StrictInt = Field(ge=1, le=MAX_AMOUNT)
    paid_on: date
    payment_reference: str

    @field_validator("paid_on", mode="before")
    @classmethod
    def _paid_on_text(cls, value: Any) -> Any:
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            raise ValueError("paid_on must be a date as YYYY-MM-DD")
        return value

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if not PERIOD.fullmatch(value) or date.fromisoformat(f"{value}-01") < EARLIEST_DATE:
            raise ValueError("period must be a month as YYYY-MM")
        return value

    @field_validator("paid_on")
    @classmethod
    def _paid_on(cls, value: date) -> date:
        if value < EARLIEST_DATE:
            raise ValueError("paid_on is before 1900")
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
    if data.paid_on < period:
        raise Problem(422, _("The payment date is before the month it pays for."))
    # Nothing is owed for a month before the member asked: the enrolment's filing month is the first.
    first_month = timezone.localtime(enrolment.filed_at).date().replace(day=1)
    if period < first_month:
        raise Problem(
            422,
            _("The month paid for is before the enrolment began (%(month)s).")
            % {"month": first_month.strftime("%Y-%m")},
        )
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


def _invalid(exc: PydanticError) -> str:
    """The fields refused, each with what it must be, in the reader's language."""
    fields = list(dict.fromkeys(".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()))
    rules = {
        "amount": _("amount: a whole number of rupees from 1 to %(max)s, sent as a JSON number.")
        % {"max": MAX_AMOUNT},
        "period": _('period: the month paid for, as text "YYYY-MM", from 1900 on.'),
        "paid_on": _('paid_on: the date of payment, as text "YYYY-MM-DD", from 1900 on.'),
        "member_id": _("member_id: the Member ID, as text."),
        "scheme_id": _("scheme_id: the scheme's id, as text."),
        "payment_reference": _("payment_reference: text of 1 to 40 characters."),
        "body": _("The request body must be one JSON object."),
    }
    explained = [rules[field] for field in fields if field in rules]
    return " ".join([_("Invalid fields: %(fields)s") % {"fields": ", ".join(fields)}, *explained])


def _items(exc: PydanticError) -> list[dict[str, Any]]:
    """Each refused field, for programs, as every API error lists them (message as pydantic's, in English)."""
    return [{"loc": ["body", *e["loc"]], "type": e["type"], "msg": e["msg"]} for e in exc.errors()]


def _answer(client: DepartmentClient, body: bytes) -> tuple[int, dict[str, Any]]:
    try:
        data = BenefitIn.model_validate_json(body or b"{}")
    except PydanticError as exc:
        return 422, error_body(_invalid(exc), status=422, errors=_items(exc))
    try:
        return 201, _record(client, data)
    except Problem as problem:
        return problem.status, error_body(problem.message, status=problem.status)


LEDGER_BODY = {
    "required": True,
    "content": {
        # Read as JSON whatever the declared type (docs/decisions/1000).
        "application/json": {"schema": BenefitIn.model_json_schema()},
        "*/*": {"schema": BenefitIn.model_json_schema()},
    },
}


@router.post(
    "/benefits",
    response={201: BenefitOut, **errors(403, 404)},
    summary="Post one monthly payment to the ledger",
    # The body is read (as JSON, whatever its declared type) by the ledger itself, so it is documented here.
    openapi_extra={**keys.openapi(required=True), "requestBody": LEDGER_BODY},
)
def post_benefit(request: HttpRequest) -> HttpResponse:
    """Books one payment; 403 for another department's scheme, 404 for an unknown member, 409 for a
    second payment of the same month."""
    client: DepartmentClient = request.auth  # type: ignore[attr-defined]
    # Every answer, a refusal too, is kept for the key: a retried payment file sees what it saw first.
    return keys.respond(
        request,
        caller=keys.caller("client", client.pk),
        endpoint=LEDGER_ENDPOINT,
        create=lambda: _answer(client, request.body),
        required=True,
    )
