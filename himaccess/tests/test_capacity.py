"""Past its capacity a web process answers 503 with Retry-After at once, in the reader's language.

A request in progress is held open by a view of this module's own (it waits
for the test to let it go) while another request arrives: with one slot and
no queue, the second is refused; freed, it is served as usual. The
middleware stays where production has it, after the refusals at the edge.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path
from pytest_django import Settings

from himaccess.conftest import ClientResponse, Personas
from himaccess.grievances.models import Complaint

pytestmark = pytest.mark.django_db

BUSY_EN = "Too many people are using it at this moment. Please try again in a few seconds."
BUSY_HI = "इस समय बहुत अधिक लोग इसका उपयोग कर रहे हैं। कृपया कुछ सेकंड बाद फिर से प्रयास करें।"
BUSY_API_HI = "सेवा इस समय अपनी क्षमता से अधिक भार पर है। Retry-After में दिए गए समय के बाद फिर से प्रयास करें।"
CAPACITY = "himaccess.lib.capacity.CapacityMiddleware"

entered = threading.Event()
release = threading.Event()


def held(request: HttpRequest) -> HttpResponse:
    """A request that stays in progress until the test releases it."""
    entered.set()
    release.wait(timeout=10)
    return HttpResponse("done")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def slow_query(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2)")
    return HttpResponse("slept")


urlpatterns = [
    path("capacity-test/held/", held),
    path("capacity-test/broken/", broken),
    path("capacity-test/slow-query/", slow_query),
    path("", include("himaccess.urls")),
]


@pytest.fixture
def shedding(settings: Settings) -> Settings:
    """One slot per process, no queue, the middleware in its production place."""
    assert CAPACITY in settings.MIDDLEWARE
    settings.ROOT_URLCONF = __name__
    settings.MAX_CONCURRENT_REQUESTS = 1
    settings.CAPACITY_QUEUE_MILLISECONDS = 0
    settings.CAPACITY_MAX_WAIT_MILLISECONDS = 0
    settings.CAPACITY_RETRY_AFTER_SECONDS = 7
    entered.clear()
    release.clear()
    return settings


@contextmanager
def one_request_in_progress(client: Client) -> Iterator[None]:
    """While inside, ``client``'s process is serving one request that does not end."""
    client.get("/")  # the handler (and so the middleware's slots) exists before two threads share it
    worker = threading.Thread(target=client.get, args=("/capacity-test/held/",))
    worker.start()
    try:
        assert entered.wait(timeout=10), "the held request never started"
        yield
    finally:
        release.set()
        worker.join(timeout=10)


def assert_busy_page(response: ClientResponse, first: str) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Content-Type"].startswith("text/html")
    # A POST's answer also gets the other never-cache directives, as every answer to a POST does.
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert BUSY_EN in page and BUSY_HI in page
    first_text, second_text = (BUSY_EN, BUSY_HI) if first == "en" else (BUSY_HI, BUSY_EN)
    assert page.index(first_text) < page.index(second_text)
    assert f'<html lang="{first}">' in page
    assert "Traceback" not in page and "Server Error" not in page


def test_under_the_limit_pages_and_the_api_answer_as_usual(shedding: Settings, personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    page = client.get("/register/my-family/", follow=True)
    assert page.status_code == 200, page.content[:300]
    api = client.get("/api/v1/services/catalogue")
    assert api.status_code == 200, api.content[:300]


def test_asha_over_the_limit_gets_a_503_page_in_english_then_hindi(
    shedding: Settings, personas: Personas
) -> None:
    client = personas.client_for(personas.asha)
    with one_request_in_progress(client):
        response = client.get("/register/my-family/", follow=True)
    assert_busy_page(response, first="en")


def test_a_hindi_reader_over_the_limit_reads_hindi_first(shedding: Settings) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="hi")
    with one_request_in_progress(client):
        response = client.get("/")
    assert_busy_page(response, first="hi")
    assert response["Content-Language"] == "hi"


def test_a_form_post_over_the_limit_is_503_not_a_timeout(shedding: Settings, personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    data = {"category": "revenue-mutation-delay", "description": "Mutation pending"}
    before = Complaint.objects.count()
    with one_request_in_progress(client):
        started = time.monotonic()
        response = client.post("/grievances/new/", data)
        elapsed = time.monotonic() - started
    assert_busy_page(response, first="en")
    assert elapsed < 1
    assert Complaint.objects.count() == before


def test_an_api_client_over_the_limit_gets_the_api_error_shape_in_its_language(shedding: Settings) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="hi")
    with one_request_in_progress(client):
        response = client.get("/api/v1/services/catalogue")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": BUSY_API_HI, "code": "over_capacity", "errors": []}


def test_the_oauth_endpoints_answer_in_the_api_shape(shedding: Settings) -> None:
    client = Client()
    with one_request_in_progress(client):
        response = client.post("/o/token/", {"grant_type": "client_credentials"})
    assert response.status_code == 503
    assert response.json()["code"] == "over_capacity"
    assert response.json()["detail"].startswith("The service is over capacity")


def test_a_slot_freed_within_the_queue_wait_serves_the_waiting_request(shedding: Settings) -> None:
    shedding.CAPACITY_QUEUE_MILLISECONDS = 3000
    client = Client()
    with one_request_in_progress(client):
        threading.Timer(0.2, release.set).start()
        response = client.get("/")
    assert response.status_code == 200


def test_a_view_that_fails_gives_its_slot_back(shedding: Settings) -> None:
    client = Client(raise_request_exception=False)
    assert client.get("/capacity-test/broken/").status_code == 500
    assert client.get("/").status_code == 200


def test_a_request_that_waited_too_long_in_front_is_refused(shedding: Settings) -> None:
    shedding.CAPACITY_MAX_WAIT_MILLISECONDS = 5000
    client = Client()
    stale = client.get("/", HTTP_X_REQUEST_START=f"t={time.time() - 20:.3f}")
    assert stale.status_code == 503
    assert stale["Retry-After"] == "7"
    fresh = client.get("/", HTTP_X_REQUEST_START=f"t={time.time():.3f}")
    assert fresh.status_code == 200
    in_milliseconds = client.get("/", HTTP_X_REQUEST_START=f"t={int((time.time() - 20) * 1000)}")
    assert in_milliseconds.status_code == 503


def test_an_unreadable_request_start_stamp_is_ignored(shedding: Settings) -> None:
    shedding.CAPACITY_MAX_WAIT_MILLISECONDS = 5000
    for stamp in ("t=yesterday", "t=inf", "t=-inf", "t=nan", "t=-5", "t=1e400"):
        response = Client().get("/", HTTP_X_REQUEST_START=stamp)
        assert response.status_code == 200, stamp
    # A control character in a header is refused at the edge, before shedding looks at it.
    assert Client().get("/", HTTP_X_REQUEST_START="t=\x00").status_code == 400


def test_a_limit_of_zero_turns_shedding_off(shedding: Settings) -> None:
    shedding.MAX_CONCURRENT_REQUESTS = 0
    client = Client()
    with one_request_in_progress(client):
        response = client.get("/")
    assert response.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_statement_cancelled_by_the_statement_timeout_is_503_not_500(shedding: Settings) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '100ms'")
    client = Client(raise_request_exception=False)
    response = client.get("/capacity-test/slow-query/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Traceback" not in response.content.decode()
