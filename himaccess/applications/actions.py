"""Use cases of Him Seva applications. Each is atomic, writes its step and audit row, and sends its SMS.

Officials' actions lock the application row (``SELECT ... FOR UPDATE``) and
compare the version the official saw with the current one: of two officials
acting at once, the second gets ``Conflict`` and nothing is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts import otp
from himaccess.accounts.models import OtpPurpose, Posting, Role, User
from himaccess.applications import certificates, limits
from himaccess.applications import documents as storage
from himaccess.applications.access import families_served_by
from himaccess.applications.models import (
    APPLICATION_PREFIX,
    CERTIFICATE_PREFIX,
    TRANSITIONS,
    Action,
    Appeal,
    AppealStatus,
    Application,
    AssistedConsent,
    AttachedDocument,
    Certificate,
    Document,
    RejectionReason,
    Status,
    Step,
)
from himaccess.applications.prefill import register_values
from himaccess.audit import log as audit
from himaccess.catalog.models import Service
from himaccess.catalog.working_time import due_after
from himaccess.events.bus import emit
from himaccess.lib import identifiers, links
from himaccess.notifications import sms
from himaccess.registry.models import IdCounter, Member

# The Act gives 30 days to appeal after a refusal or after the time limit ran out.
APPEAL_WINDOW_DAYS = 30
CONSENT_MINUTES = 60
CONSENT_TEMPLATE = "assisted_consent"


class NotAllowed(ValueError):
    """A move the rules do not allow now; the message is for the person who tried it."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


class Conflict(NotAllowed):
    """Someone else changed the application after the caller looked at it."""


def new_number(prefix: str) -> str:
    return identifiers.make_id(prefix, IdCounter.reserve(prefix), settings.REGISTER_ID_KEY)


def draft_days() -> int:
    return int(getattr(settings, "SERVICES_DRAFT_DAYS", 30))


def status_url(application: Application) -> str:
    return links.absolute(reverse("applications:detail", args=[application.number]))


def _notify(application: Application, template: str, **params: Any) -> None:
    member = application.member
    mobile = member.mobile
    if not mobile:
        head = application.family.head()
        mobile = head.mobile if head else ""
    if mobile:
        sms.send(mobile, template, {"number": application.number, "url": status_url(application), **params})


def _roles(application: Application) -> str:
    version = application.service_version
    roles = [stage["role"] for stage in version.stages]
    roles += [appeal["role"] for level in (1, 2) if (appeal := version.appeal(level))]
    return "|" + "|".join(dict.fromkeys(roles)) + "|"


def _step(
    application: Application,
    action: str,
    *,
    actor: User | None,
    from_status: str,
    from_stage: str,
    reason: str = "",
    note: str = "",
    at: datetime | None = None,
) -> Step:
    posting = actor.active_posting if actor is not None else None
    return Step.objects.create(
        application=application,
        action=action,
        from_status=from_status,
        to_status=application.status,
        from_stage=from_stage,
        to_stage=application.stage,
        actor=actor,
        actor_role=posting.role if posting else "",
        reason=reason,
        note=note,
        at=at or timezone.now(),
    )


def _prefilled(member: Member, fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    sources = {f["prefill"] for f in fields if f.get("prefill")}
    known = register_values(member, sources)
    out: dict[str, dict[str, Any]] = {}
    for field in fields:
        found = known.get(field.get("prefill") or "")
        if found is None or found.value in ("", None):
            continue
        if field["type"] == "choice" and found.value not in {c["value"] for c in field["choices"]}:
            continue  # e.g. "general" for a form that offers only SC and ST: the citizen chooses
        out[field["name"]] = {"source": field["prefill"], **found.as_json()}
    return out


def prefill_for(service: Service, member: Member) -> dict[str, dict[str, Any]]:
    """The register's values for the service's form, with their origin, before any row is written."""
    version = service.current_version
    if version is None:
        return {}
    return _prefilled(member, version.form_fields)


def _check_consent_covers(consent: AssistedConsent | None, service: Service) -> None:
    if consent is not None and consent.service_id != service.pk:
        raise NotAllowed(
            _("The citizen consented to an application for another service. Ask for consent to this one.")
        )


@transaction.atomic
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
) -> Application:
    """Start and submit in one step (the API); the form built on ``prefilled`` validated the answers."""
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
    _after_submission(application, Action.SUBMIT, acting_user, Status.DRAFT, "", now, request)
    return application


@transaction.atomic
def start_draft(
    service: Service, member: Member, *, acting_user: User, consent: AssistedConsent | None = None
) -> Application:
    """A draft for ``member`` (already fetched through the caller's scope), prefilled from the register."""
    version = service.current_version
    if version is None or not service.is_active or not version.stages:
        raise NotAllowed(_("This service cannot be applied for here."))
    _check_consent_covers(consent, service)
    if not member.is_living:
        raise NotAllowed(_("An application can be made only for a living member of the family."))
    limits.check_new_draft(acting_user)
    now = timezone.now()
    prefilled = _prefilled(member, version.form_fields)
    application = Application(
        number=new_number(APPLICATION_PREFIX),
        service=service,
        service_version=version,
        member=member,
        family=member.family,
        filed_by=acting_user,
        assisted_by=acting_user if consent is not None else None,
        consent=consent,
        answers={name: entry["value"] for name, entry in prefilled.items()},
        prefilled=prefilled,
        created_at=now,
        draft_expires_at=now + timedelta(days=draft_days()),
    )
    application.roles = _roles(application)
    application.save()
    audit.record(acting_user, "application.draft_started", application, after={"service": service.code})
    return application


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("service_version", "member", "family")
        .get(pk=application.pk)
    )


def _attach(application: Application, documents: dict[str, Document]) -> None:
    for requirement, document in documents.items():
        if document.member_id != application.member_id:
            raise NotAllowed(_("A document of another member cannot be attached."))
        AttachedDocument.objects.update_or_create(
            application=application, requirement=requirement, defaults={"document": document}
        )


def missing_documents(application: Application) -> list[dict[str, Any]]:
    attached = set(application.attachments.values_list("requirement", flat=True))
    return [d for d in application.service_version.documents if d["required"] and d["code"] not in attached]


@transaction.atomic
def save_draft(
    application: Application, answers: dict[str, Any], documents: dict[str, Document], *, acting_user: User
) -> Application:
    application = _lock(application)
    if application.status != Status.DRAFT:
        raise NotAllowed(_("Only a draft can be saved as a draft."))
    if application.draft_has_expired():
        raise NotAllowed(_("This draft has expired. Please start a new application."))
    fresh = {k: v for k, v in answers.items() if k not in application.prefilled}
    application.answers = {**application.answers, **fresh}
    application.version += 1
    application.save(update_fields=["answers", "version"])
    _attach(application, documents)
    return application


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
) -> None:
    _step(application, action, actor=acting_user, from_status=from_status, from_stage=from_stage, at=now)
    due = timezone.localtime(application.due_at).strftime("%d-%m-%Y %H:%M")  # type: ignore[arg-type]
    _notify(application, "service_submitted", due=due)
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


def _check_official(application: Application, posting: Posting | None) -> Posting:
    if posting is None or application.stage_role != posting.role:
        raise NotAllowed(_("This application is not at a stage you act on."))
    if application.stage_department and application.stage_department != posting.department_code:
        raise NotAllowed(_("This application is not at a stage you act on."))
    if not Application.objects.filter(pk=application.pk).in_jurisdiction(posting).exists():
        raise NotAllowed(_("This application is not at a stage you act on."))
    return posting


_SMS_FOR: dict[str, str] = {
    Action.VERIFY: "service_moved",
    Action.FORWARD: "service_moved",
    Action.RETURN: "service_returned",
    Action.APPROVE: "service_approved",
    Action.REJECT: "service_rejected",
}


@transaction.atomic
def act(
    application: Application,
    action: str,
    *,
    acting_user: User,
    expected_version: int,
    reason: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> Application:
    """An official's move at the current stage: verify, forward, return, approve or reject."""
    application = _lock(application)
    if application.version != expected_version:
        raise Conflict(
            _(
                "Another official acted on this application while you were looking at it. "
                "Nothing was changed: see its current state and decide again."
            )
        )
    posting = _check_official(application, acting_user.active_posting)
    if action not in application.allowed_official_actions():
        raise NotAllowed(_("That action is not allowed at the application's current stage."))
    note = note.strip()
    if action == Action.REJECT and reason not in RejectionReason.values:
        raise NotAllowed(_("Choose the reason for rejection."))
    if action == Action.REJECT and reason == RejectionReason.OTHER and not note:
        raise NotAllowed(_("Explain the reason for rejection."))
    if action == Action.RETURN and not note:
        raise NotAllowed(_("Say what the citizen should correct."))
    now = timezone.now()
    from_status, from_stage = application.status, application.stage
    application.status = TRANSITIONS[action][1]
    if action in (Action.VERIFY, Action.FORWARD):
        stages = application.service_version.stages
        index = next(i for i, s in enumerate(stages) if s["stage"] == application.stage)
        following = stages[index + 1]
        application.stage = following["stage"]
        application.stage_role = following["role"]
        application.stage_department = following.get("department", "")
    if action in (Action.APPROVE, Action.REJECT):
        application.decided_at = now
    application.version += 1
    application.save()
    _step(
        application,
        action,
        actor=acting_user,
        from_status=from_status,
        from_stage=from_stage,
        reason=reason if action == Action.REJECT else "",
        note=note,
        at=now,
    )
    if action == Action.APPROVE and application.service_version.issues_certificate:
        issue_certificate(application, acting_user=acting_user, posting=posting)
    _notify(application, _SMS_FOR[action])
    if action in (Action.APPROVE, Action.REJECT):
        emit(
            "application.decided",
            number=application.number,
            service=application.service_id,
            family_id=application.family.family_id,
            member_id=application.member.member_id,
            outcome=application.status,
            within_time=application.due_at is None or now <= application.due_at,
        )
    audit.record(
        acting_user,
        f"application.{action}",
        application,
        before={"status": from_status, "stage": from_stage},
        after={"status": application.status, "stage": application.stage, "reason": reason},
        request=request,
    )
    return application


def issue_certificate(application: Application, *, acting_user: User, posting: Posting) -> Certificate:
    number = new_number(CERTIFICATE_PREFIX)
    issued = timezone.now()
    drafted = certificates.draft(application, number, timezone.localdate(issued))
    token, kid = certificates.sign(drafted.payload)
    output = application.service_version.output
    return Certificate.objects.create(
        number=number,
        application=application,
        issued_at=issued,
        issued_by=acting_user,
        issuer_role=posting.role,
        issuer_area_en=posting.area_name("en"),
        issuer_area_hi=posting.area_name("hi"),
        valid_until=drafted.valid_until,
        title_en=output["title_en"],
        title_hi=output["title_hi"],
        statement_en=drafted.statement_en,
        statement_hi=drafted.statement_hi,
        key_id=kid,
        token=token,
    )


@transaction.atomic
def revoke_certificate(certificate: Certificate, reason: str, *, acting_user: User) -> Certificate:
    certificate = Certificate.objects.select_for_update().select_related("application").get(pk=certificate.pk)
    if not certificate.can_be_revoked_by(acting_user):
        raise NotAllowed(_("You cannot revoke this certificate."))
    if certificate.is_revoked:
        raise NotAllowed(_("This certificate is already revoked."))
    if not reason.strip():
        raise NotAllowed(_("Give the reason for revoking the certificate."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = acting_user
    certificate.revocation_reason = reason.strip()
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    audit.record(
        acting_user,
        "certificate.revoked",
        certificate,
        after={"number": certificate.number, "reason": reason},
    )
    _notify(certificate.application, "service_certificate_revoked")
    return certificate


def flag_overdue(now: datetime | None = None) -> int:
    """Mark pending applications past their time limit (once each) and tell the citizen they may appeal."""
    now = now or timezone.now()
    flagged = 0
    candidates = Application.objects.filter(status=Status.PENDING, due_at__lt=now, overdue_at__isnull=True)
    for pk in candidates.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            application = (
                Application.objects.select_for_update().filter(pk=pk, overdue_at__isnull=True).first()
            )
            if application is None or not application.is_overdue(now):
                continue
            application.overdue_at = now
            application.save(update_fields=["overdue_at"])
            _step(
                application,
                Action.OVERDUE,
                actor=None,
                from_status=application.status,
                from_stage=application.stage,
                at=now,
            )
            if application.service_version.appeal(1):
                _notify(application, "service_overdue")
            audit.record(None, "application.overdue", application, after={"due_at": application.due_at})
            flagged += 1
    return flagged


SWEEP_BATCH = 500


@dataclass(frozen=True)
class Swept:
    drafts: int
    documents: int


def _delete_documents(candidates: QuerySet[Document]) -> list[str]:
    """Delete those of ``candidates`` no application holds; their files go once the transaction commits."""
    gone = list(candidates.filter(attachments__isnull=True).values_list("pk", "stored_name"))
    Document.objects.filter(pk__in=[pk for pk, _name in gone]).delete()
    names = [name for _pk, name in gone]
    # After commit: a batch that rolls back keeps its files along with its rows.
    transaction.on_commit(lambda: storage.remove_files(names))
    return names


def sweep_abandoned_drafts(now: datetime | None = None) -> Swept:
    """Delete drafts older than ``SERVICES_DRAFT_DAYS`` and the uploaded files only they held.

    1. A draft is abandoned once created more than ``SERVICES_DRAFT_DAYS`` ago
       or past its own expiry; a submitted application is never touched.
    2. A batch at a time, each in one transaction: the drafts, their
       attachment rows, the documents no other application holds, and an
       audit row naming the drafts.
    3. Then uploads as old that no application holds at all (a file replaced
       in a draft), with an audit row per batch.
    4. Files are deleted from storage as each batch commits.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=draft_days())
    abandoned = Application.objects.filter(status=Status.DRAFT).filter(
        Q(created_at__lt=cutoff) | Q(draft_expires_at__lt=now)
    )
    drafts = removed = 0
    while True:
        with transaction.atomic():
            batch = list(abandoned.select_for_update().order_by("pk")[:SWEEP_BATCH])
            if not batch:
                break
            held = AttachedDocument.objects.filter(application__in=batch)
            documents = set(held.values_list("document_id", flat=True))
            held.delete()
            Application.objects.filter(pk__in=[d.pk for d in batch]).delete()
            names = _delete_documents(Document.objects.filter(pk__in=documents))
            audit.record(
                None,
                "application.drafts_swept",
                after={"drafts": [d.number for d in batch], "documents": len(names), "days": draft_days()},
                source="applications",
            )
        drafts, removed = drafts + len(batch), removed + len(names)
    while True:
        with transaction.atomic():
            old = Document.objects.filter(uploaded_at__lt=cutoff, attachments__isnull=True).order_by("pk")
            names = _delete_documents(
                Document.objects.filter(pk__in=list(old.values_list("pk", flat=True)[:SWEEP_BATCH]))
            )
            if not names:
                break
            audit.record(
                None,
                "application.uploads_swept",
                after={"documents": len(names), "days": draft_days()},
                source="applications",
            )
        removed += len(names)
    return Swept(drafts=drafts, documents=removed)


def appeal_open(application: Application, now: datetime | None = None) -> int:
    """The level of appeal the citizen may file now (1 or 2), or 0."""
    now = now or timezone.now()
    version = application.service_version
    if application.status in (Status.DRAFT, Status.APPROVED, Status.RETURNED):
        return 0
    appeals = list(application.appeals.all())
    if not appeals:
        if version.appeal(1) is None:
            return 0
        if application.status == Status.REJECTED and application.decided_at:
            opened = application.decided_at
        elif application.is_overdue(now):
            opened = application.due_at  # type: ignore[assignment]
        else:
            return 0
        return 1 if now <= opened + timedelta(days=APPEAL_WINDOW_DAYS) else 0
    first = appeals[0]
    if len(appeals) > 1 or version.appeal(2) is None:
        return 0
    if first.status == AppealStatus.DISMISSED and first.decided_at:
        return 2 if now <= first.decided_at + timedelta(days=APPEAL_WINDOW_DAYS) else 0
    if first.is_overdue(now):
        return 2 if now <= first.due_at + timedelta(days=APPEAL_WINDOW_DAYS) else 0
    return 0


@transaction.atomic
def file_appeal(application: Application, grounds: str, *, acting_user: User) -> Appeal:
    application = _lock(application)
    level = appeal_open(application)
    if not level:
        raise NotAllowed(_("An appeal cannot be filed on this application now."))
    if not grounds.strip():
        raise NotAllowed(_("Write the grounds of your appeal."))
    authority = application.service_version.appeal(level)
    assert authority is not None
    now = timezone.now()
    appeal = Appeal.objects.create(
        application=application,
        level=level,
        authority_role=authority["role"],
        grounds=grounds.strip(),
        filed_by=acting_user,
        filed_at=now,
        due_at=due_after(now, int(authority["time_limit_hours"])),
    )
    application.version += 1
    application.save(update_fields=["version"])
    _step(
        application,
        Action.APPEAL,
        actor=acting_user,
        from_status=application.status,
        from_stage=application.stage,
        note=grounds.strip(),
        at=now,
    )
    _notify(application, "service_appeal_filed", level=level)
    audit.record(
        acting_user, "application.appeal", application, after={"level": level, "authority": authority["role"]}
    )
    return appeal


@transaction.atomic
def decide_appeal(
    appeal: Appeal, outcome: str, note: str, *, acting_user: User, expected_version: int
) -> Appeal:
    """The appellate authority allows the appeal (service within a fresh time limit) or dismisses it."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    application = _lock(appeal.application)
    posting = acting_user.active_posting
    in_area = (
        posting is not None
        and Application.objects.filter(pk=application.pk).in_jurisdiction(posting).exists()
    )
    if posting is None or posting.role != appeal.authority_role or not in_area:
        raise NotAllowed(_("This appeal is not yours to decide."))
    if appeal.version != expected_version:
        raise Conflict(
            _("Another official decided this appeal while you were looking at it. Nothing was changed.")
        )
    if appeal.status != AppealStatus.PENDING:
        raise NotAllowed(_("This appeal has already been decided."))
    if outcome not in (AppealStatus.ALLOWED, AppealStatus.DISMISSED):
        raise NotAllowed(_("Choose whether the appeal is allowed or dismissed."))
    if not note.strip():
        raise NotAllowed(_("Write the order on the appeal."))
    now = timezone.now()
    appeal.status = outcome
    appeal.decided_by = acting_user
    appeal.decided_at = now
    appeal.decision_note = note.strip()
    appeal.version += 1
    appeal.save()
    from_status, from_stage = application.status, application.stage
    if outcome == AppealStatus.ALLOWED:
        # The designated officer must now provide the service within a fresh time limit.
        last = application.service_version.stages[-1]
        application.status = Status.PENDING
        application.stage, application.stage_role = last["stage"], last["role"]
        application.stage_department = last.get("department", "")
        application.due_at = due_after(now, application.service_version.time_limit_hours)
        application.overdue_at = None
        application.decided_at = None
    application.version += 1
    application.save()
    action = Action.APPEAL_ALLOWED if outcome == AppealStatus.ALLOWED else Action.APPEAL_DISMISSED
    _step(
        application,
        action,
        actor=acting_user,
        from_status=from_status,
        from_stage=from_stage,
        note=note.strip(),
        at=now,
    )
    _notify(application, "service_appeal_decided", level=appeal.level)
    audit.record(
        acting_user, f"application.{action}", application, after={"level": appeal.level, "outcome": outcome}
    )
    return appeal


def _check_operator(member: Member, operator: User) -> Posting:
    posting = operator.active_posting
    if posting is None or posting.role != Role.LOK_MITRA_OPERATOR:
        raise NotAllowed(_("Only a Lok Mitra Kendra operator can apply on a citizen's behalf."))
    if not families_served_by(posting).filter(pk=member.family_id).exists():
        raise NotAllowed(_("This family is not in the area your Lok Mitra Kendra serves."))
    return posting


def operator_name(operator: User) -> str:
    return operator.get_full_name() or operator.username


def ask_consent(member: Member, service: Service, *, operator: User, request: HttpRequest | None) -> None:
    """Text the citizen a code naming the operator, centre and service (may raise ``otp.Throttled``)."""
    posting = _check_operator(member, operator)
    mobile = member.contact_mobile()
    if not mobile:
        raise NotAllowed(_("The family has no mobile number in the register to confirm consent."))
    # The citizen reads it: their language, not the operator's screen's.
    language = sms.language_for(mobile)
    params = {
        "operator": operator_name(operator),
        "centre": posting.area_name(language),
        "service": service.name_in(language),
    }
    otp.issue(
        mobile, OtpPurpose.CONSENT, request, template=CONSENT_TEMPLATE, params=params, language=language
    )


@transaction.atomic
def grant_consent(
    member: Member, service: Service, code: str, *, operator: User, request: HttpRequest | None
) -> AssistedConsent:
    """The citizen's code, given to the operator, records their consent for that one service."""
    _check_operator(member, operator)
    mobile = member.contact_mobile()
    if not mobile or not otp.verify(mobile, OtpPurpose.CONSENT, code, request):
        raise NotAllowed(_("The code is not right or has expired. Ask the citizen for the latest code."))
    now = timezone.now()
    consent = AssistedConsent.objects.create(
        operator=operator,
        member=member,
        family=member.family,
        service=service,
        granted_at=now,
        expires_at=now + timedelta(minutes=CONSENT_MINUTES),
    )
    audit.record(
        operator,
        "application.assisted_consent",
        member,
        after={"family_id": member.family.family_id, "service": service.code},
        request=request,
    )
    return consent
