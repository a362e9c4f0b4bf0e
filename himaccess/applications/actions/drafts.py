"""Drafts: starting one prefilled from the register, saving it, and sweeping the abandoned ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import User
from himaccess.applications import documents as storage
from himaccess.applications import limits
from himaccess.applications.actions.consent import _check_consent_covers
from himaccess.applications.actions.records import _lock, _roles, draft_days, new_number
from himaccess.applications.models import (
    APPLICATION_PREFIX,
    Application,
    AssistedConsent,
    AttachedDocument,
    Document,
    Status,
)
from himaccess.applications.prefill import register_values
from himaccess.audit import log as audit
from himaccess.catalog.models import Service
from himaccess.lib.errors import NotAllowed
from himaccess.registry.models import Member


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
