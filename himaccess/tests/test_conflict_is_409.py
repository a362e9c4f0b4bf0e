"""A transaction PostgreSQL stops because another holds the same rows is a 409 "send it again", not an outage.

A deadlock (40P01), a lock not granted within ``lock_timeout`` (55P03) or a
serialization failure (40001) leaves nothing written, and the records are
reachable: the answer says so, in the reader's language, with a short
Retry-After. An unreachable database is still a 503 (test_outage_is_503).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import psycopg.errors
import pytest
from django.db import OperationalError, connection, connections, transaction

from himaccess.accounts.models import User
from himaccess.applications.models import Application
from himaccess.applications.tests.conftest import character_answers
from himaccess.conftest import Personas
from himaccess.middleware import is_conflict

CONFLICT_EN = "Nothing was saved. Please send it again."
CONFLICT_HI = "कुछ भी सहेजा नहीं गया। कृपया इसे फिर से भेजें।"


def _stopped(kind: type[psycopg.errors.Error]) -> OperationalError:
    """What Django raises when PostgreSQL stops a statement with ``kind``."""
    try:
        raise OperationalError("stopped") from kind("stopped by a concurrent transaction")
    except OperationalError as error:
        return error


def test_only_a_concurrent_stop_is_a_conflict() -> None:
    assert is_conflict(_stopped(psycopg.errors.DeadlockDetected))
    assert is_conflict(_stopped(psycopg.errors.LockNotAvailable))
    assert is_conflict(_stopped(psycopg.errors.SerializationFailure))
    assert not is_conflict(_stopped(psycopg.errors.QueryCanceled))  # a statement timeout: overloaded
    assert not is_conflict(OperationalError("connection refused"))


@pytest.mark.django_db
def test_a_page_stopped_by_a_deadlock_says_send_it_again(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    client.raise_request_exception = False
    deadlock = _stopped(psycopg.errors.DeadlockDetected)
    # The database's answer at its edge: every statement is stopped.
    with mock.patch.object(connection, "cursor", autospec=True, side_effect=deadlock):
        response = client.get(
            f"/register/families/{personas.asha_family.family_id}/", HTTP_ACCEPT_LANGUAGE="hi"
        )
    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    page = response.content.decode()
    assert CONFLICT_HI in page and CONFLICT_EN in page
    assert page.index(CONFLICT_HI) < page.index(CONFLICT_EN)


@contextmanager
def _row_held(user: User) -> Iterator[None]:
    """Another connection holds the user's row (as a concurrent filing does) until the block ends."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=user.pk)
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_filing_that_cannot_get_its_lock_is_409_and_writes_nothing(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    client = personas.client_for(personas.asha)
    body: dict[str, Any] = {
        "service": "CERT-05",
        "member_id": personas.member(personas.ravi).member_id,
        "answers": character_answers(),
    }
    before = Application.objects.count()
    with _row_held(personas.asha):
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        response = client.post(
            "/api/v1/services/applications", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")
    assert response.status_code == 409, response.content
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "conflict"
    assert response.json()["detail"].endswith(CONFLICT_EN)
    assert Application.objects.count() == before
    # Sent again once the other is done, it goes through.
    again = client.post("/api/v1/services/applications", body, content_type="application/json")
    assert again.status_code == 201, again.content
