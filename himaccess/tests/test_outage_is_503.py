"""With the database or the cache unreachable, pages and the API answer 503 with Retry-After, never 500.

The database going away is simulated at its network edge: the connection's
``cursor`` raises ``OperationalError`` as psycopg does when the server
cannot be reached. The cache likewise raises redis' ``ConnectionError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError, connection
from django.test import Client
from pytest_django import Settings
from redis.exceptions import ConnectionError as CacheConnectionError

from himaccess.conftest import ClientResponse, Personas

pytestmark = pytest.mark.django_db

UNAVAILABLE_EN = "It cannot reach its records just now. Please try again in a minute."
UNAVAILABLE_HI = "यह अभी अपने अभिलेखों तक नहीं पहुँच पा रहा है। कृपया एक मिनट बाद फिर से प्रयास करें।"


@contextmanager
def database_down() -> Iterator[None]:
    refused = OperationalError('connection to server at "db.internal", port 5432 failed: Connection refused')
    with mock.patch.object(connection, "cursor", autospec=True, side_effect=refused):
        yield


def assert_bilingual_503(response: ClientResponse, first: str = "en") -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert UNAVAILABLE_EN in page and UNAVAILABLE_HI in page
    first_text, second_text = (
        (UNAVAILABLE_EN, UNAVAILABLE_HI) if first == "en" else (UNAVAILABLE_HI, UNAVAILABLE_EN)
    )
    assert page.index(first_text) < page.index(second_text)
    assert "Server Error" not in page


def test_a_public_page_is_503_in_both_languages() -> None:
    with database_down():
        response = Client().get("/grievances/dashboard/", HTTP_ACCEPT_LANGUAGE="hi")
    assert_bilingual_503(response, first="hi")
    assert '<html lang="hi">' in response.content.decode()


def test_a_logged_in_page_is_503(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    # The session middleware then fails again on the way out; a server reports that as a 500, which
    # the outage middleware replaces (the test client would raise it instead).
    client.raise_request_exception = False
    with database_down():
        response = client.get("/register/my-family/")
    assert_bilingual_503(response)


def test_a_form_post_is_503(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    client.raise_request_exception = False
    data = {"category": "revenue-mutation-delay", "description": "Mutation pending"}
    with database_down():
        response = client.post("/grievances/new/", data)
    assert_bilingual_503(response)


def test_a_session_saved_by_the_middleware_is_503_not_500(personas: Personas, settings: Settings) -> None:
    # The page itself needs no database; the session middleware, saving on the way out, does.
    settings.SESSION_SAVE_EVERY_REQUEST = True
    client = personas.client_for(personas.asha)
    client.raise_request_exception = False
    with database_down():
        response = client.get("/cards/keys.json")
    assert_bilingual_503(response)


def test_an_api_call_is_503_json_in_the_readers_language() -> None:
    with database_down():
        response = Client().get("/api/v1/geography/districts", HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": UNAVAILABLE_HI, "code": "unavailable", "errors": []}


def test_an_api_call_whose_login_check_fails_is_503_json(personas: Personas) -> None:
    # The session lookup behind the API's authentication runs before Ninja's own error handling.
    client = personas.client_for(personas.asha)
    client.raise_request_exception = False
    with database_down():
        response = client.get(f"/api/v1/families/{personas.asha_family.family_id}")
    assert response.status_code == 503
    assert response.json() == {"detail": UNAVAILABLE_EN, "code": "unavailable", "errors": []}


def test_an_api_post_is_503_json(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    client.raise_request_exception = False
    body = {"category": "revenue-mutation-delay", "description": "Mutation pending"}
    with database_down():
        response = client.post("/api/v1/grievances/complaints", body, content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": UNAVAILABLE_EN, "code": "unavailable", "errors": []}


def test_the_cache_unreachable_is_503(personas: Personas) -> None:
    # Sending a login code counts attempts in the cache.
    with mock.patch.object(LocMemCache, "add", autospec=True, side_effect=CacheConnectionError("refused")):
        response = Client().post("/accounts/citizen/", {"mobile": "9816000001"})
    assert_bilingual_503(response)


def test_once_the_database_is_back_the_page_answers(personas: Personas) -> None:
    with database_down():
        assert Client().get("/grievances/dashboard/").status_code == 503
    assert Client().get("/grievances/dashboard/").status_code == 200
