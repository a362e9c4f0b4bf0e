"""An address longer than the product accepts is its own 414, in the reader's language or the API's shape.

gunicorn and nginx refuse a request line past their buffers with a page of their
own; below that, up to ``MAX_ADDRESS_LENGTH`` the product answers, and past it
refuses before the query string is parsed, a session is read or a view runs.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db

LONG_EN = "Its address is longer than 4000 characters, the most this service accepts."
LONG_HI = "इसका पता 4000 अक्षरों से लंबा है, जितना यह सेवा अधिकतम स्वीकार करती है।"


def _long_query(extra: int = 1) -> str:
    return "x=" + "a" * (settings.MAX_ADDRESS_LENGTH + extra)


def test_a_long_address_to_the_api_is_414_in_its_error_shape(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = Client().get(f"/api/v1/services/catalogue?{_long_query()}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 414
    body = response.json()
    assert body["code"] == "address_too_long"
    assert body["detail"].endswith(LONG_EN)


def test_a_long_address_to_a_page_is_414_in_hindi_first(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    response = client.get(f"/register/my-family/?{_long_query()}", HTTP_ACCEPT_LANGUAGE="hi")
    assert response.status_code == 414
    page = response.content.decode()
    assert LONG_HI in page and LONG_EN in page
    assert page.index(LONG_HI) < page.index(LONG_EN)


def test_an_address_at_the_limit_is_served() -> None:
    path = "/api/v1/services/catalogue?"
    query = "q=" + "a" * (settings.MAX_ADDRESS_LENGTH - len("/api/v1/services/catalogue") - len("q="))
    response = Client().get(path + query)
    assert response.status_code != 414


def test_the_api_documents_414_for_every_operation() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    operations = [op for methods in document["paths"].values() for op in methods.values()]
    assert operations
    assert all("414" in op["responses"] for op in operations)
