"""A citizen starts and submits at most so many applications a day; past that a 429 with Retry-After.

The counts are rows in the database (drafts started, submission steps), so
they hold across processes and survive a cleared cache; they reset at
midnight, Asia/Kolkata, and are per citizen.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from himaccess.applications.actions import decisions, filing
from himaccess.applications.actions import drafts as applications_drafts
from himaccess.applications.limits import DailyLimitReached
from himaccess.applications.models import Application, Document, Status
from himaccess.catalog.models import Service
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
KOLKATA = ZoneInfo("Asia/Kolkata")
# 22:00 in Himachal: two hours, 7200 seconds, to midnight.
EVENING = datetime(2025, 6, 16, 22, 0, tzinfo=KOLKATA)
APPLY = reverse("applications:apply", args=["CERT-05"])


@pytest.fixture(autouse=True)
def _caps(settings: Any) -> None:
    settings.SERVICES_DRAFTS_PER_DAY = 2
    settings.SERVICES_SUBMISSIONS_PER_DAY = 2


def _answers(application: Application) -> dict[str, Any]:
    return {**application.answers, "relative_name": "Late Mohan Lal", "purpose": "Admission"}


def _submit_one(personas: Personas) -> Application:
    draft = applications_drafts.start_draft(
        Service.objects.get(code="CERT-05"), personas.member(personas.ravi), acting_user=personas.asha
    )
    return filing.submit(draft, _answers(draft), {}, acting_user=personas.asha)


def test_a_draft_past_the_days_cap_is_a_429_with_retry_after(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    ravi = personas.member(personas.ravi)
    with time_machine.travel(EVENING, tick=False):
        assert client.post(APPLY, {"member_id": ravi.member_id}).status_code == 302
        assert client.post(APPLY, {"member_id": ravi.member_id}).status_code == 302
        cache.clear()  # the count is in the database, not in a per-process cache
        refused = client.post(APPLY, {"member_id": ravi.member_id})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "7200"
    assert "You have started 2 applications today" in refused.content.decode()
    assert Application.objects.count() == 2


def test_the_refusal_reads_in_hindi(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    client.cookies["django_language"] = "hi"
    ravi = personas.member(personas.ravi)
    for _ in range(2):
        client.post(APPLY, {"member_id": ravi.member_id})
    refused = client.post(APPLY, {"member_id": ravi.member_id}, HTTP_ACCEPT_LANGUAGE="hi")
    assert refused.status_code == 429
    assert "आवेदन शुरू कर चुके हैं" in refused.content.decode()


def test_a_submission_past_the_days_cap_is_a_429_and_the_draft_stays_a_draft(personas: Personas) -> None:
    with time_machine.travel(EVENING - timedelta(days=1), tick=False):  # the draft is from the day before
        draft = applications_drafts.start_draft(
            Service.objects.get(code="CERT-05"), personas.member(personas.ravi), acting_user=personas.asha
        )
    with time_machine.travel(EVENING, tick=False):
        _submit_one(personas)
        _submit_one(personas)
        refused = personas.client_for(personas.asha).post(
            reverse("applications:edit", args=[draft.number]),
            {"submit": "1", "relative_name": "Late Mohan Lal", "purpose": "Admission"},
        )
    assert refused.status_code == 429
    assert refused["Retry-After"] == "7200"
    assert "You have submitted 2 applications today" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.steps.exists()


def test_a_refused_submission_keeps_no_uploaded_file(personas: Personas, settings: Any) -> None:
    with time_machine.travel(EVENING - timedelta(days=1), tick=False):
        draft = applications_drafts.start_draft(
            Service.objects.get(code="CERT-02"), personas.member(personas.ravi), acting_user=personas.asha
        )
    with time_machine.travel(EVENING, tick=False):
        _submit_one(personas)
        _submit_one(personas)
        refused = personas.client_for(personas.asha).post(
            reverse("applications:edit", args=[draft.number]),
            {
                "submit": "1",
                "relative_name": "Late Mohan Lal",
                "purpose": "Admission",
                "income_sources": "Farming",
                "doc_income_proof": SimpleUploadedFile("income.pdf", PDF, content_type="application/pdf"),
            },
        )
    assert refused.status_code == 429
    assert not Document.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_the_api_answers_429_with_retry_after_past_the_submissions_cap(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    body = {
        "service": "CERT-05",
        "member_id": personas.member(personas.ravi).member_id,
        "answers": {"relative_name": "Late Mohan Lal", "purpose": "Admission"},
    }
    with time_machine.travel(EVENING, tick=False):
        for _ in range(2):
            assert (
                client.post(
                    "/api/v1/services/applications", body, content_type="application/json"
                ).status_code
                == 201
            )
        refused = client.post("/api/v1/services/applications", body, content_type="application/json")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "7200"
    assert "You have submitted 2 applications today" in refused.json()["detail"]
    assert Application.objects.count() == 2


def test_the_caps_are_per_citizen_and_reset_at_midnight(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    with time_machine.travel(EVENING, tick=False):
        for _ in range(2):
            personas.client_for(personas.asha).post(APPLY, {"member_id": ravi.member_id})
        assert (
            personas.client_for(personas.asha).post(APPLY, {"member_id": ravi.member_id}).status_code == 429
        )
        assert (
            personas.client_for(personas.ravi).post(APPLY, {"member_id": ravi.member_id}).status_code == 302
        )
    with time_machine.travel(EVENING + timedelta(hours=2, minutes=1), tick=False):
        assert (
            personas.client_for(personas.asha).post(APPLY, {"member_id": ravi.member_id}).status_code == 302
        )


def test_a_correction_the_office_asked_for_is_never_held_back(personas: Personas, prem: Any) -> None:
    with time_machine.travel(EVENING, tick=False):
        first = _submit_one(personas)
        _submit_one(personas)
        returned = decisions.act(
            first, "verify", acting_user=prem, expected_version=first.version
        )  # the patwari passes it on; the tehsildar sends it back
        returned = decisions.act(
            returned,
            "return",
            acting_user=personas.meena,
            expected_version=returned.version,
            note="Attach the school certificate",
        )
        again = filing.submit(returned, _answers(returned), {}, acting_user=personas.asha)
    assert again.status == Status.PENDING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_cannot_both_take_the_last_place(personas: Personas, settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    settings.SERVICES_DRAFTS_PER_DAY = 1
    service, ravi = Service.objects.get(code="CERT-05"), personas.member(personas.ravi)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start() -> None:
        try:
            barrier.wait()
            applications_drafts.start_draft(service, ravi, acting_user=personas.asha)
            outcomes.append("started")
        except DailyLimitReached:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "started"]
    assert Application.objects.filter(filed_by=personas.asha).count() == 1
