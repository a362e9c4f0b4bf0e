"""Filing: submitting a draft (or a complete application through the API) starts the time limit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import User
from himaccess.applications import limits
from himaccess.applications.actions.consent import _check_consent_covers
from himaccess.applications.actions.drafts import _attach, missing_documents
from himaccess.applications.actions.records import _lock, _notify, _roles, _step, new_number
from himaccess.applications.models import (
    APPLICATION_PREFIX,
    Action,
    Application,
    AssistedConsent,
    Document,
    Status,
    Step,
)
from himaccess.audit import log as audit
from himaccess.catalog.models import Service
from himaccess.catalog.working_time import due_after
from himaccess.events.bus import emit
from himaccess.lib.errors import NotAllowed
from himaccess.registry.models import Member


# No savepoint of its own: every refusal comes before the first write, and the API's caller rolls
# its whole transaction back on any error anyway (two round trips fewer per submission).
@transaction.atomic(savepoint=False)
def file_complete(
    service: Service,
    member: Member,
    answers: dict[str, Any],
    prefilled: dict[str, dict[str, Any]],
    documents: dict[str, Document],
    *,
    acting_user: User,
    consent: AssistedConsent | None = None,
    request: HttpRequest | None = None,
) -> tuple[Application, Step]:
    """Start and submit in one step (the API); the form built on ``prefilled`` validated the answers.

    Returns the application and its one step so far (the answer shows it without reading it back).
    """
    version = service.current_version
    if version is None or not service.is_active or not version.stages:
        raise NotAllowed(_("This service cannot be applied for here."))
    _check_consent_covers(consent, service)
    if not member.is_living:
        raise NotAllowed(_("An application can be made only for a living member of the family."))
    limits.check_submission(acting_user)
    attached = set(documents)
    missing = [d for d in version.documents if d["required"] and d["code"] not in attached]
    if missing:
        names = ", ".join(d["name_en"] for d in missing)
        raise NotAllowed(_("Attach the required documents: %(names)s.") % {"names": names})
    now = timezone.now()
    application = Application(
        number=new_number(APPLICATION_PREFIX),
        service=service,
        service_version=version,
        member=member,
        family=member.family,
        filed_by=acting_user,
        assisted_by=acting_user if consent is not None else None,
        consent=consent,
        status=Status.PENDING,
        answers={**answers, **{k: v["value"] for k, v in prefilled.items()}},
        prefilled=prefilled,
        created_at=now,
        submitted_at=now,
    )
    application.roles = _roles(application)
    _start_clock(application, now)
    application.save()
    _attach(application, documents)
    step = _after_submission(application, Action.SUBMIT, acting_user, Status.DRAFT, "", now, request)
    return application, step


def _start_clock(application: Application, now: datetime) -> None:
    first = application.service_version.stages[0]
    application.stage = first["stage"]
    application.stage_role = first["role"]
    application.stage_department = first.get("department", "")
    application.due_at = due_after(now, application.service_version.time_limit_hours)


@transaction.atomic
def submit(
    application: Application,
    answers: dict[str, Any],
    documents: dict[str, Document],
    *,
    acting_user: User,
    request: HttpRequest | None = None,
) -> Application:
    """Submit a draft with the citizen's validated answers; starts the time limit."""
    application = _lock(application)
    if application.draft_has_expired():
        raise NotAllowed(_("This draft has expired. Please start a new application."))
    resubmitting = application.status == Status.RETURNED
    action = Action.RESUBMIT if resubmitting else Action.SUBMIT
    if not application.can(action):
        raise NotAllowed(_("This application has already been submitted."))
    if not resubmitting:  # a correction the office asked for is never held back
        limits.check_submission(acting_user)
    _attach(application, documents)
    missing = missing_documents(application)
    if missing:
        names = ", ".join(d["name_en"] for d in missing)
        raise NotAllowed(_("Attach the required documents: %(names)s.") % {"names": names})
    now = timezone.now()
    from_status, from_stage = application.status, application.stage
    # Register values win over anything posted for a prefilled field.
    application.answers = {**answers, **{k: v["value"] for k, v in application.prefilled.items()}}
    application.status = Status.PENDING
    if resubmitting:
        application.due_at = due_after(now, application.service_version.time_limit_hours)
        application.overdue_at = None
    else:
        application.submitted_at = now
        _start_clock(application, now)
    application.version += 1
    application.save()
    _after_submission(application, action, acting_user, from_status, from_stage, now, request)
    return application


def _after_submission(
    application: Application,
    action: str,
    acting_user: User,
    from_status: str,
    from_stage: str,
    now: datetime,
    request: HttpRequest | None,
) -> Step:
    step = _step(
        application, action, actor=acting_user, from_status=from_status, from_stage=from_stage, at=now
    )
    due = timezone.localtime(application.due_at).strftime("%d-%m-%Y %H:%M")
    _notify(application, "service_submitted", reader=acting_user, due=due)
    emit(
        "application.submitted",
        number=application.number,
        service=application.service_id,
        family_id=application.family.family_id,
        member_id=application.member.member_id,
    )
    # Last, so the audit chain's head stays locked for the shortest time.
    audit.record(
        acting_user,
        f"application.{action}",
        application,
        after={"number": application.number, "service": application.service_id, "due_at": application.due_at},
        request=request,
    )
    return step
