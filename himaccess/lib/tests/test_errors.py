"""One error vocabulary: each kind answered with one status on pages and one in the API."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation

from himaccess.api import action_refused, not_found
from himaccess.lib.errors import ActionError, ActionErrorMiddleware, Conflict, NotAllowed, NotFoundForYou


def _no_view(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the middleware answers the exception without calling the view")


def _page(exc: Exception, language: str = "en") -> tuple[int, str]:
    request = RequestFactory().post("/somewhere/")
    request.user = AnonymousUser()
    with translation.override(language):
        response = ActionErrorMiddleware(_no_view).process_exception(request, exc)
    assert response is not None
    return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_not_yours_is_a_plain_404_page_that_repeats_nothing_of_the_refusal() -> None:
    status, body = _page(NotFoundForYou("not the complainant"))
    assert status == 404 and "complainant" not in body


@pytest.mark.django_db
def test_conflict_and_not_allowed_pages_carry_the_actions_message_in_hindi() -> None:
    status, body = _page(Conflict("यह अनुरोध पहले ही तय हो चुका है।"), "hi")
    assert status == 409 and "किसी और ने पहले कार्रवाई कर दी" in body and "पहले ही तय" in body
    status, body = _page(NotAllowed("This draft has expired."), "en")
    assert status == 400 and "This cannot be done now" in body and "This draft has expired." in body


def test_other_exceptions_are_left_to_django() -> None:
    request = RequestFactory().get("/")
    assert ActionErrorMiddleware(_no_view).process_exception(request, ValueError("x")) is None


def test_api_answers_not_yours_word_for_word_as_a_missing_object() -> None:
    request = RequestFactory().get("/api/v1/x")
    refused = action_refused(request, NotFoundForYou("not the complainant"))
    missing = not_found(request, Http404())
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content


@pytest.mark.parametrize(
    ("error", "status", "code"), [(NotAllowed("no"), 422, "not_allowed"), (Conflict("late"), 409, "conflict")]
)
def test_api_statuses_and_codes_of_the_other_kinds(error: ActionError, status: int, code: str) -> None:
    response = action_refused(RequestFactory().get("/api/v1/x"), error)
    body = json.loads(response.content)
    assert response.status_code == status and body["code"] == code and body["detail"] == str(error.message)
