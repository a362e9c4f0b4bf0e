"""The API's contract: one error shape, documented for every operation, in the reader's language.

The OpenAPI document is read as a client reads it; every error path is tried
for real and its answer checked against the documented ``ErrorOut``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.http import StreamingHttpResponse
from django.test import Client
from ninja import Schema

from himaccess.idempotency.keys import HEADER as IDEMPOTENCY_HEADER
from himaccess.lib import identifiers

pytestmark = pytest.mark.django_db

OPENAPI = "/api/v1/openapi.json"
BODY_METHODS = {"post", "put", "patch", "delete"}
# Path parameters that name register records, with the letter their IDs start with.
IDENTIFIER_PARAMETERS = {"family_id": "F", "member_id": "M", "number": "A", "reference": "G"}


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get(OPENAPI)
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def assert_error_shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    assert all(set(item) == {"loc", "type", "msg"} for item in body["errors"])
    return body


def test_every_operation_documents_its_errors_with_one_shape(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"detail", "code", "errors"}
    found = operations(document)
    assert len(found) > 20
    for method, path, operation in found:
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        errors = {int(status) for status in responses if int(status) >= 400}
        assert {400, 503} <= errors, where
        for status in errors:
            content = responses[str(status)]["content"]
            assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, where
        for status in (429, 503):
            if status in errors:
                assert responses[str(status)]["headers"]["Retry-After"]["required"], where
        parameters = operation.get("parameters", [])
        if parameters or "requestBody" in operation:
            assert 422 in errors, where
        if method in BODY_METHODS:
            assert 413 in errors and "requestBody" in operation, where
        secured = [requirement for requirement in operation.get("security", []) if requirement]
        if secured:
            assert 401 in errors, where
        uses_session = any("SessionAuth" in requirement for requirement in secured)
        if uses_session and method in BODY_METHODS:
            assert 403 in errors, where
            assert all({"CsrfToken", "CsrfCookie"} <= set(requirement) for requirement in secured), where
            assert schemes["CsrfToken"] == {**schemes["CsrfToken"], "in": "header", "name": "X-CSRFToken"}
        if any(p["in"] == "path" for p in parameters):
            assert 404 in errors, where
        if any(p["in"] == "header" and p["name"] == IDEMPOTENCY_HEADER for p in parameters):
            assert {409, 422} <= errors, where


def test_identifiers_in_addresses_carry_their_patterns(document: dict[str, Any]) -> None:
    seen = set()
    for method, path, operation in operations(document):
        for parameter in operation.get("parameters", []):
            prefix = IDENTIFIER_PARAMETERS.get(parameter["name"])
            if parameter["in"] != "path" or prefix is None:
                continue
            seen.add(parameter["name"])
            pattern = parameter["schema"]["pattern"]
            assert pattern == identifiers.pattern(prefix), (method, path)
            assert re.fullmatch(pattern[1:-1], f"{prefix}48210937562")
    assert seen == set(IDENTIFIER_PARAMETERS)


def test_validation_errors_keep_fields_for_machines_and_words_for_people(personas: Any) -> None:
    client = personas.client_for(personas.sunita)
    for language, required in (("en", "This field is required."), ("hi", "यह जानकारी ज़रूरी है।")):
        response = client.post(
            "/api/v1/grievances/complaints",
            data="{}",
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        body = assert_error_shape(response, 422)
        assert body["code"] == "invalid"
        assert ["body", "body", "category"] in [item["loc"] for item in body["errors"]]
        assert {item["type"] for item in body["errors"]} == {"missing"}
        assert required in body["detail"] and required in {item["msg"] for item in body["errors"]}


def test_not_logged_in_is_401_in_the_readers_language(personas: Any, client: Client) -> None:
    family_id = personas.asha_family.family_id
    english = assert_error_shape(client.get(f"/api/v1/families/{family_id}"), 401)
    hindi = assert_error_shape(client.get(f"/api/v1/families/{family_id}", HTTP_ACCEPT_LANGUAGE="hi"), 401)
    assert english["code"] == hindi["code"] == "not_authenticated"
    assert english["detail"] != hindi["detail"]


def test_a_record_outside_the_scope_is_404_in_the_shape(personas: Any) -> None:
    client = personas.client_for(personas.karan)
    response = client.get(f"/api/v1/families/{personas.asha_family.family_id}", HTTP_ACCEPT_LANGUAGE="hi")
    assert assert_error_shape(response, 404)["code"] == "not_found"


def test_malformed_identifier_is_422_in_the_shape(personas: Any) -> None:
    client = personas.client_for(personas.meena)
    body = assert_error_shape(client.get("/api/v1/members/M1", HTTP_ACCEPT_LANGUAGE="hi"), 422)
    assert "सदस्य" in body["detail"]


def test_session_post_without_the_csrf_token_is_403_in_the_shape(personas: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.asha)
    response = client.post(
        "/api/v1/grievances/complaints",
        data={"category": "x", "description": "y"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    body = assert_error_shape(response, 403)
    assert body["code"] == "csrf_failed"
    assert "CSRF check Failed" not in body["detail"]


def test_a_body_that_is_not_json_is_400_and_another_type_is_415(personas: Any) -> None:
    client = personas.client_for(personas.sunita)
    broken = client.post("/api/v1/grievances/complaints", data="{not json", content_type="application/json")
    assert assert_error_shape(broken, 400)["code"] == "malformed_json"
    typed = client.post("/api/v1/cards/verify", data='{"qr_text": "x"}', content_type="text/plain")
    assert assert_error_shape(typed, 415)["code"] == "not_json"


def test_refusals_at_the_edge_answer_the_api_in_the_shape(client: Client, settings: Any) -> None:
    control = client.get("/api/v1/services/catalogue?q=a%00b", HTTP_ACCEPT_LANGUAGE="hi")
    assert assert_error_shape(control, 400)["code"] == "bad_request"
    token = client.get("/api/v1/grievances/categories?access_token=abc")
    assert assert_error_shape(token, 400)["code"] == "token_in_address"
    big = client.post(
        "/api/v1/cards/verify",
        data='{"qr_text": "' + "x" * (settings.JSON_BODY_MAX_BYTES + 1) + '"}',
        content_type="application/json",
    )
    assert assert_error_shape(big, 413)["code"] == "too_large"


def test_a_method_an_address_does_not_take_is_405_in_the_shape(client: Client) -> None:
    response = client.delete("/api/v1/grievances/categories", HTTP_ACCEPT_LANGUAGE="hi")
    body = assert_error_shape(response, 405)
    assert body["code"] == "method_not_allowed" and "DELETE" in body["detail"]
    assert response["Allow"] == "GET"


def test_idempotency_refusals_are_in_the_shape(personas: Any) -> None:
    client = personas.client_for(personas.sunita)
    response = client.post(
        "/api/v1/grievances/complaints",
        data='{"category": "water", "description": "No water for a week."}',
        content_type="application/json",
        headers={IDEMPOTENCY_HEADER: "no spaces allowed"},
    )
    assert assert_error_shape(response, 400)["code"] == "idempotency_key_malformed"


def test_the_ledger_refuses_in_the_shape(client: Client) -> None:
    response = client.post(
        "/api/v1/schemes/benefits",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer x.y",
    )
    assert_error_shape(response, 401)


def test_docs_page_is_served_from_our_own_files(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    addresses: list[str] = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)
    assert addresses and not [a for a in addresses if "//" in a or a.startswith("data:")]
    assert not re.search(r"https?://", page)
    assert "<script>" not in page.replace('<script type="application/json"', "")
    static = [a.split("/static/", 1)[1] for a in addresses if "/static/" in a]
    assert len(static) == 3  # the stylesheet, Swagger UI and the script that starts it
    assert all(finders.find(name) for name in static), static
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy


def test_vendored_swagger_ui_matches_its_checksums() -> None:
    folder = Path(finders.find("swagger-ui/swagger-ui-bundle.js") or "").parent
    listed = {
        name: digest
        for digest, name in (line.split("  ", 1) for line in (folder / "SHA256SUMS").read_text().splitlines())
    }
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"} <= set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def test_favicon_answers(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert isinstance(response, StreamingHttpResponse)
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_no_status_is_documented_twice_for_an_operation(client: Client) -> None:
    # JSON objects with a repeated key are valid to Python but refused by YAML readers (Swagger UI).
    repeated: list[str] = []

    def keep(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=keep)
    assert repeated == []


def test_no_two_schemas_share_a_name(client: Client) -> None:
    # The document names each schema by its class: a second class of the same name silently takes
    # the first one's place, and the first one's operations then document the wrong answer.
    client.get("/api/v1/openapi.json")  # every router is loaded
    seen: dict[str, str] = {}
    clashes: list[str] = []
    pending: list[type] = [Schema]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("himaccess.") or ".tests." in cls.__module__:
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if seen.setdefault(cls.__name__, where) != where:
            clashes.append(f"{seen[cls.__name__]} and {where}")
    assert clashes == []
