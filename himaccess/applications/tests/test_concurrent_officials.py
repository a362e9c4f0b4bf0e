"""Two officials acting on one application at once: one wins, the other is told, nothing is overwritten."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from himaccess.accounts.models import Level, Role
from himaccess.applications.actions import decisions
from himaccess.applications.actions.records import _lock
from himaccess.applications.models import Application, Status, Step
from himaccess.conftest import MANDI_TEHSIL, Personas, make_official
from himaccess.lib.errors import Conflict


def test_stale_version_gets_409_page_and_changes_nothing(
    personas: Personas, prem: Any, submitted: Application, db: Any
) -> None:
    seen = submitted.version
    decisions.act(submitted, "verify", acting_user=prem, expected_version=seen)
    second_patwari = make_official("prem2", Role.PATWARI, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)
    response = personas.client_for(second_patwari).post(
        reverse("applications:act", args=[submitted.number]),
        {"action": "return", "version": seen, "note": "fix"},
    )
    assert response.status_code == 409
    assert "Another official acted" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.PENDING and submitted.stage_role == "tehsildar"
    assert submitted.steps.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_on_postgresql_one_wins(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    from himaccess.applications.tests.conftest import submit_character

    tehsildar_two = make_official("naib", Role.TEHSILDAR, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)
    prem = make_official("prem", Role.PATWARI, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)
    application = submit_character(personas)
    application = decisions.act(application, "verify", acting_user=prem, expected_version=application.version)
    seen = application.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(user: Any, action: str, **extra: Any) -> None:
        try:
            barrier.wait()
            decisions.act(
                Application.objects.get(pk=application.pk),
                action,
                acting_user=user,
                expected_version=seen,
                **extra,
            )
            outcomes[action] = "won"
        except Conflict:
            outcomes[action] = "conflict"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(personas.meena, "approve")),
        threading.Thread(target=decide, args=(tehsildar_two, "reject"), kwargs={"reason": "not_eligible"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["conflict", "won"]
    application.refresh_from_db()
    winner = next(action for action, result in outcomes.items() if result == "won")
    assert application.status == (Status.APPROVED if winner == "approve" else Status.REJECTED)
    assert Step.objects.filter(application=application, action__in=["approve", "reject"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_application_held_by_an_official_holds_up_no_one_else(personas: Personas) -> None:
    """While an official's decision holds Ravi's application, Asha files another one for Ravi.

    The new application points at the same service version, member and family, and the same
    citizen files it: none of those rows may be held by the official's lock, or the filing would
    wait at its commit for the official to finish.
    """
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    from himaccess.applications.tests.conftest import submit_character

    held = submit_character(personas)
    holding, release = threading.Event(), threading.Event()

    def official_deciding() -> None:
        try:
            with transaction.atomic():
                _lock(held)
                holding.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    official = threading.Thread(target=official_deciding)
    official.start()
    try:
        assert holding.wait(timeout=20)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        second = submit_character(personas)
    finally:
        release.set()
        official.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert second.status == Status.PENDING and second.pk != held.pk
