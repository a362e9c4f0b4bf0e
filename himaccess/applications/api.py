"""Him Seva under /api/v1/services: the catalogue, applications, and public certificate verification.

Applications are filed and read with the citizen's session (CSRF-checked);
answers are validated by the same form as the pages, so a field failing its
rule, a missing document or an unknown service gets the same message (422).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from himaccess.applications import access, certificates
from himaccess.applications.actions import drafts, filing
from himaccess.applications.forms import ApplicationForm
from himaccess.applications.models import Application, Document, Step
from himaccess.audit import access as access_log
from himaccess.authenticated import AuthenticatedRequest
from himaccess.catalog import search
from himaccess.catalog.models import Service
from himaccess.idempotency import keys
from himaccess.lib import identifiers
from himaccess.lib.api_errors import errors
from himaccess.lib.errors import NotAllowed
from himaccess.lib.schemas import ApplicationNumber, CleanTextSchema

router = Router(tags=["services"])


class ServiceOut(Schema):
    code: str
    name_en: str
    name_hi: str
    department: str
    category: str
    life_situations: list[str]
    time_limit_hours: int | None
    version: int


def _service_out(service: Service) -> ServiceOut:
    version = service.current_version
    assert version is not None
    return ServiceOut(
        code=service.code,
        name_en=service.name_en,
        name_hi=service.name_hi,
        department=service.department_id,
        category=service.category,
        life_situations=list(service.life_situations or []),
        time_limit_hours=version.definition.get("time_limit_hours"),
        version=version.number,
    )


@router.get("/catalogue", response=list[ServiceOut], auth=None)
def catalogue(
    request: HttpRequest, q: str = "", department: str = "", situation: str = ""
) -> list[ServiceOut]:
    return [
        _service_out(s) for s in search.find(q[:100], department=department[:48], situation=situation[:48])
    ]


@router.get("/catalogue/{code}", response=dict[str, Any], auth=None)
def service_definition(request: HttpRequest, code: str) -> dict[str, Any]:
    service = Service.objects.offered().select_related("current_version").filter(code=code[:20]).first()
    if service is None or service.current_version is None:
        raise HttpError(404, _("There is no such service in the catalogue."))
    definition: dict[str, Any] = service.current_version.definition
    return {"version": service.current_version.number, "definition": definition}


class ApplicationIn(CleanTextSchema):
    service: str
    member_id: str
    answers: dict[str, Any] = {}
    # requirement code -> id of a document already on file for the member
    documents: dict[str, int] = {}


class StepOut(Schema):
    action: str
    from_status: str
    to_status: str
    stage: str
    at: datetime
    reason: str
    note: str


class ApplicationOut(Schema):
    number: str
    service: str
    service_version: int
    member_id: str
    status: str
    stage: str
    submitted_at: datetime | None
    due_at: datetime | None
    overdue: bool
    certificate: str | None
    steps: list[StepOut]


def _application_out(application: Any, steps: Iterable[Step] | None = None) -> ApplicationOut:
    """The API's view of an application; ``steps`` when the caller holds them (one just filed)."""
    certificate = getattr(application, "certificate", None) if application.status == "approved" else None
    return ApplicationOut(
        number=application.number,
        service=application.service_id,
        service_version=application.service_version.number,
        member_id=application.member.member_id,
        status=application.status,
        stage=application.stage,
        submitted_at=application.submitted_at,
        due_at=application.due_at,
        overdue=application.is_overdue(),
        certificate=certificate.number if certificate else None,
        steps=[
            StepOut(
                action=s.action,
                from_status=s.from_status,
                to_status=s.to_status,
                stage=s.to_stage,
                at=s.at,
                reason=s.reason,
                note=s.note,
            )
            for s in (application.steps.order_by("at", "id") if steps is None else steps)
        ],
    )


def _errors(form: ApplicationForm) -> str:
    return "; ".join(
        f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in form.errors.items()
    )


@router.post(
    "/applications",
    # 404: a member the caller may not apply for; 429: the citizen's daily cap.
    response={201: ApplicationOut, **errors(404, 429)},
    auth=django_auth,
    openapi_extra=keys.openapi(),
)
def file_application(request: AuthenticatedRequest, payload: ApplicationIn) -> HttpResponse:
    """Start and submit an application in one call (documents must already be on file).

    With an ``Idempotency-Key`` header a retry gets the first answer and files nothing again.
    """
    return keys.respond(
        request,
        caller=keys.caller("user", request.user.pk),
        endpoint="services.application",
        create=lambda: (201, _file(request, payload).model_dump()),
    )


def _file(request: AuthenticatedRequest, payload: ApplicationIn) -> ApplicationOut:
    """Check the request, file the application and build its answer (inside the caller's transaction)."""
    # The code is the primary key: a bare LIMIT 1, without the ORDER BY that first() adds.
    offered = Service.objects.offered().select_related("current_version").filter(code=payload.service[:20])
    service = next(iter(offered[:1]), None)
    if service is None or service.current_version is None or not service.current_version.stages:
        raise HttpError(422, _("There is no such service in the catalogue."))
    consent = access.live_consent(request.user, request.session.get(access.CONSENT_SESSION_KEY))
    member = access.get_member_to_apply_for(request.user, payload.member_id, consent)
    chosen_ids = list(payload.documents.values())
    on_file = (
        {d.pk: d for d in Document.objects.filter(member=member, pk__in=chosen_ids)} if chosen_ids else {}
    )
    chosen: dict[str, Document] = {}
    for requirement, document_id in payload.documents.items():
        if document_id not in on_file or on_file[document_id].kind != requirement:
            raise HttpError(422, _("A chosen document is not on file for this member."))
        chosen[requirement] = on_file[document_id]
    try:
        # Answers are validated before anything is written; file_complete is one transaction.
        application, step = _start_and_submit(request, service, member, consent, payload.answers, chosen)
    except NotAllowed as exc:
        raise HttpError(422, str(exc.message)) from exc
    return _application_out(application, steps=[step])


def _start_and_submit(
    request: AuthenticatedRequest,
    service: Service,
    member: Any,
    consent: Any,
    answers: dict[str, Any],
    chosen: dict[str, Document],
) -> tuple[Application, Step]:
    version = service.current_version
    assert version is not None
    prefilled = drafts.prefill_for(service, member)
    form = ApplicationForm(
        {k: v for k, v in answers.items() if not isinstance(v, dict | list)},
        version=version,
        language=request.LANGUAGE_CODE,
        prefilled=prefilled,
    )
    if not form.is_valid():
        raise HttpError(422, _errors(form))
    return filing.file_complete(
        service,
        member,
        form.answers(),
        prefilled,
        chosen,
        acting_user=request.user,
        consent=consent,
        request=request,
    )


@router.get("/applications/{number}", response=ApplicationOut, auth=django_auth)
def read_application(request: AuthenticatedRequest, number: ApplicationNumber) -> ApplicationOut:
    if not access.is_number(identifiers.normalise(number), "A"):
        raise HttpError(422, _("That is not an application number."))
    application = access.get_application_for(request.user, number)
    if request.user.active_posting is not None:
        access_log.record_read(
            family=application.family,
            members=[application.member],
            purpose="deciding a service application (API)",
            user=request.user,
            request=request,
        )
    return _application_out(application)


class VerdictOut(Schema):
    verdict: str
    message: str
    certificate: dict[str, Any] | None
    revoked_at: datetime | None
    checked_at: datetime


@router.get("/certificates/verify", response=VerdictOut, auth=None)
def verify_certificate(request: HttpRequest, token: str) -> VerdictOut:
    verdict = certificates.verify(token[:5000])
    return VerdictOut(
        verdict=verdict.verdict,
        message=verdict.message,
        certificate=verdict.payload,
        revoked_at=verdict.certificate.revoked_at if verdict.certificate else None,
        checked_at=timezone.now(),
    )
