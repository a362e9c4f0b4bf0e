"""Drafts older than SERVICES_DRAFT_DAYS are deleted with the uploads only they held, files and all.

The sweep runs daily under Celery beat and as ``himaccess services_sweep_drafts``;
each batch writes an audit row naming the drafts. A document another
application still holds stays; so does every younger draft.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from himaccess.applications import documents as storage
from himaccess.applications import tasks
from himaccess.applications.actions import drafts as applications_drafts
from himaccess.applications.actions import filing
from himaccess.applications.models import Application, Document, Status
from himaccess.audit.models import AuditEntry
from himaccess.catalog.models import Service
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


def _draft_with_upload(personas: Personas, name: str = "income.pdf") -> tuple[Application, Path]:
    """Asha starts an income certificate for Ravi and saves it with a document, through the page."""
    draft = applications_drafts.start_draft(
        Service.objects.get(code="CERT-02"), personas.member(personas.ravi), acting_user=personas.asha
    )
    response = personas.client_for(personas.asha).post(
        reverse("applications:edit", args=[draft.number]),
        {
            "save_draft": "1",
            "relative_name": "Late Mohan Lal",
            "purpose": "Admission",
            "income_sources": "Farming",
            "doc_income_proof": SimpleUploadedFile(name, PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    document = draft.attachments.get().document
    path = storage.path_of(document)
    assert path.is_file()
    return draft, path


def _sweep(capture: Any, days: int) -> Any:
    with time_machine.travel(timezone.now() + timedelta(days=days)), capture(execute=True):
        call_command("services_sweep_drafts")


def test_an_abandoned_draft_and_its_upload_are_deleted_from_disk_with_an_audit_row(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    draft, path = _draft_with_upload(personas)
    _sweep(django_capture_on_commit_callbacks, settings.SERVICES_DRAFT_DAYS + 1)
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not Document.objects.exists()
    assert not path.exists()
    entry = AuditEntry.objects.get(action="application.drafts_swept")
    assert draft.number in str(entry.after) and entry.actor_id is None


def test_a_younger_draft_and_submitted_applications_stay(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    draft, path = _draft_with_upload(personas)
    _sweep(django_capture_on_commit_callbacks, settings.SERVICES_DRAFT_DAYS - 1)
    assert Application.objects.filter(pk=draft.pk, status=Status.DRAFT).exists()
    assert path.is_file()
    submitted = filing.submit(
        draft,
        {**draft.answers, "relative_name": "X", "purpose": "Y", "income_sources": "Farming"},
        {},
        acting_user=personas.asha,
    )
    _sweep(django_capture_on_commit_callbacks, settings.SERVICES_DRAFT_DAYS + 5)
    assert Application.objects.filter(pk=submitted.pk, status=Status.PENDING).exists()
    assert path.is_file() and Document.objects.count() == 1
    assert not AuditEntry.objects.filter(action="application.drafts_swept").exists()


def test_a_document_another_application_holds_is_kept(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    abandoned, path = _draft_with_upload(personas)
    document = abandoned.attachments.get().document
    other = applications_drafts.start_draft(
        Service.objects.get(code="CERT-02"), personas.member(personas.ravi), acting_user=personas.asha
    )
    filing.submit(
        other,
        {**other.answers, "relative_name": "X", "purpose": "Y", "income_sources": "Farming"},
        {"income_proof": document},
        acting_user=personas.asha,
    )
    _sweep(django_capture_on_commit_callbacks, settings.SERVICES_DRAFT_DAYS + 1)
    assert not Application.objects.filter(pk=abandoned.pk).exists()
    assert Document.objects.filter(pk=document.pk).exists() and path.is_file()


def test_an_upload_replaced_in_a_draft_goes_too_once_as_old(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    draft, first = _draft_with_upload(personas, "first.pdf")
    personas.client_for(personas.asha).post(
        reverse("applications:edit", args=[draft.number]),
        {
            "save_draft": "1",
            "relative_name": "Late Mohan Lal",
            "purpose": "Admission",
            "income_sources": "Farming",
            "doc_income_proof": SimpleUploadedFile("second.pdf", PDF, content_type="application/pdf"),
        },
    )
    second = storage.path_of(draft.attachments.get().document)
    assert first.is_file() and second.is_file() and first != second
    submitted = filing.submit(
        draft,
        {**draft.answers, "relative_name": "X", "purpose": "Y", "income_sources": "Farming"},
        {},
        acting_user=personas.asha,
    )
    _sweep(django_capture_on_commit_callbacks, settings.SERVICES_DRAFT_DAYS + 1)
    assert not first.exists()  # held by nothing, as old as an abandoned draft
    assert second.is_file() and submitted.attachments.get().document.original_name == "second.pdf"
    assert AuditEntry.objects.filter(action="application.uploads_swept").exists()


def test_the_beat_task_sweeps_the_same_way(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _draft, path = _draft_with_upload(personas)
    with (
        time_machine.travel(timezone.now() + timedelta(days=settings.SERVICES_DRAFT_DAYS + 1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.sweep_drafts() == {"drafts": 1, "documents": 1}
    assert not path.exists()
