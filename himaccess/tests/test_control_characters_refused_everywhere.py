"""Control characters are refused at the edge, on every URL, for every kind of caller.

The URLs are found, not listed: every pattern Django's resolver knows (pages,
the API, the OpenID provider, the admin), walked the way the permission
matrix walks them. Each is asked, as anonymous, as Asha (citizen) and as
Meena (tehsildar), with a control character in a path identifier, in the
query, in an urlencoded field, in a multipart field and an uploaded file's
name, in a JSON body (escaped and raw) and in the Idempotency-Key header.
Every answer must be a 400 carrying the refusal in the caller's language:
the API's error JSON (``{"detail", "code", "errors"}``) for ``/api/`` and ``/o/``, a page in
English and Hindi for people. On PostgreSQL a NUL that reached a query was a 500.

Then every URL is asked again with identifiers and fields that are odd but
hold no control character (quotes, markup, Devanagari digits, a zero-width
space, an over-long value): whatever the answer, it is never a 5xx.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver
from django.utils import translation

from himaccess.audit.tests.test_permission_matrix import _walk
from himaccess.conftest import Personas
from himaccess.lib.input_guard import Problem
from himaccess.middleware import API_PREFIXES, REFUSALS

pytestmark = pytest.mark.django_db

CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"]
ODD_VALUES = ["G1'\"<b>", "१२३", "G1\u200b", "x" * 300]


def routes() -> list[tuple[str, str]]:
    """(URL name, route) of every pattern of the project."""
    return [(name, route) for route, name, _groups in _walk(get_resolver().url_patterns)]


def path_for(route: str, value: str) -> str:
    """A concrete path for ``route``, every parameter given ``value`` (percent-encoded)."""
    path = re.sub(r"<(?:\w+:)?\w+>", quote(value, safe=""), route)
    # The one regular-expression route (OpenID discovery) read as the path it matches.
    path = path.replace("^", "").replace("$", "").replace("/?", "/").replace("\\.", ".")
    return "/" + path


def refusal_text(language: str) -> str:
    with translation.override(language):
        return str(REFUSALS[Problem.CONTROL_CHARACTER][2])


def assert_refused(response: Any, path: str, language: str, what: str) -> None:
    where = f"{what} {path} [{language}]"
    assert response.status_code == 400, f"{where} -> {response.status_code}"
    body = response.content.decode()
    if path.startswith(API_PREFIXES):
        refused = {"detail": refusal_text(language), "code": "bad_request", "errors": []}
        assert response.json() == refused, where
    else:
        # A page for people, in the reader's language first and in the other one too.
        first, second = (language, "en" if language == "hi" else "hi")
        assert refusal_text(first) in body and refusal_text(second) in body, where
        assert body.index(refusal_text(first)) < body.index(refusal_text(second)), where
        assert f'<html lang="{first}">' in body, where


def callers(personas: Personas) -> Iterator[tuple[str, Client, str]]:
    """(who, client, language): anonymous and Meena read English, Asha Hindi."""
    for who, client, language in (
        ("anonymous", Client(), "en"),
        ("asha", personas.client_for(personas.asha), "hi"),
        ("meena", personas.client_for(personas.meena), "en"),
    ):
        # A server error is to be reported as an answer, not raised into the test.
        client.raise_request_exception = False
        yield who, client, language


def test_the_refusal_is_translated() -> None:
    assert refusal_text("hi") != refusal_text("en")
    assert re.search("[\u0900-\u097f]", refusal_text("hi"))


def test_control_characters_anywhere_are_refused_on_every_url(personas: Personas) -> None:
    found = routes()
    assert len(found) > 100, "the walk found too few URL patterns"
    assert any("<" in route for _name, route in found)
    checked = 0
    for who, client, language in callers(personas):
        headers: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": language}
        for index, (name, route) in enumerate(found):
            char = CONTROLS[index % len(CONTROLS)]
            plain = path_for(route, "1")
            tainted = path_for(route, f"G1{char}") if "<" in route else f"{plain}{quote(char)}"
            label = f"{who} {name}"
            assert_refused(client.get(tainted, **headers), tainted, language, f"{label} path")
            query = f"{plain}?reference=G1{quote(char)}&q=asha"
            assert_refused(client.get(query, **headers), plain, language, f"{label} query")
            response = client.post(plain, {"note": f"a{char}b", "q": "asha"}, **headers)
            assert_refused(response, plain, language, f"{label} multipart field")
            response = client.post(
                plain,
                f"reason=x{quote(char)}",
                content_type="application/x-www-form-urlencoded",
                **headers,
            )
            assert_refused(response, plain, language, f"{label} urlencoded field")
            upload = SimpleUploadedFile(f"order{char}.pdf", b"%PDF-1.4 x", content_type="application/pdf")
            response = client.post(plain, {"attachment": upload}, **headers)
            assert_refused(response, plain, language, f"{label} file name")
            escaped = json.dumps({"member_id": "M1", "nested": [{f"k{char}": 1}]})
            response = client.post(plain, escaped, content_type="application/json", **headers)
            assert_refused(response, plain, language, f"{label} JSON key")
            raw = '{"description": "a' + char + 'b"}'
            response = client.post(plain, raw.encode(), content_type="application/json", **headers)
            assert_refused(response, plain, language, f"{label} raw JSON")
            response = client.post(
                plain, "{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"k{char}", **headers
            )
            assert_refused(response, plain, language, f"{label} Idempotency-Key")
            checked += 8
    print(f"control characters: {len(found)} URL patterns x 3 callers: {checked} refusals checked")


def test_odd_input_without_control_characters_is_never_a_server_error(personas: Personas) -> None:
    failures = []
    asked = 0
    for who, client, language in callers(personas):
        for index, (name, route) in enumerate(routes()):
            if route.startswith("admin/") or name == "accounts:logout":
                # Django's own admin is behind staff login and tested with it; a logout would end the walk.
                continue
            odd = ODD_VALUES[index % len(ODD_VALUES)]
            path = path_for(route, odd)
            requests = [
                ("GET", client.get(path, {"reference": odd, "q": odd}, HTTP_ACCEPT_LANGUAGE=language)),
                ("POST", client.post(path, {"note": odd, "reason": odd, "query": odd})),
                (
                    "POST JSON",
                    client.post(path, json.dumps({"qr_text": odd}), content_type="application/json"),
                ),
            ]
            for method, response in requests:
                asked += 1
                if response.status_code >= 500:
                    failures.append(f"{who} {method} {name} {path} -> {response.status_code}")
    print(f"odd input: {asked} requests, none may be a 5xx")
    assert not failures, "\n".join(failures)
