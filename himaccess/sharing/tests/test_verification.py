"""Verifying IDs: yes/no with minimal claims, one or 10,000 at a time, set-based."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from himaccess.audit.models import DataAccess
from himaccess.conftest import Personas
from himaccess.lib import identifiers
from himaccess.sharing.tests.conftest import API, Dept, bearer


def test_verify_one_member_and_family_minimal_claims(personas: Personas, pension: Dept) -> None:
    api = bearer(pension, "register.verify")
    ravi = personas.member(personas.ravi)
    answer = api.get(f"{API}/verify/{ravi.member_id}?purpose=pension-check")
    assert answer.status_code == 200
    assert answer.json() == {
        "id": ravi.member_id,
        "well_formed": True,
        "exists": True,
        "alive": True,
        "district": "Mandi",
    }
    family = api.get(f"{API}/verify/{personas.kangra_family.family_id}?purpose=pension-check")
    assert family.json()["district"] == "Kangra" and family.json()["alive"] is True
    # Reads are logged: one per ID found.
    assert DataAccess.objects.filter(client=pension.client.application).count() == 2


def test_verify_unknown_and_malformed(pension: Dept) -> None:
    api = bearer(pension, "register.verify")
    body = identifiers.make_id("M", 987654, "unused-key")
    unknown = api.get(f"{API}/verify/{body}?purpose=pension-check")
    assert unknown.status_code == 200 and unknown.json() == {
        "id": body,
        "well_formed": True,
        "exists": False,
        "alive": None,
        "district": None,
    }
    bad_digit = body[:-1] + str((int(body[-1]) + 1) % 10)
    assert api.get(f"{API}/verify/{bad_digit}?purpose=pension-check").status_code == 422
    assert not DataAccess.objects.exists()


def test_bulk_verification_of_10000_ids_is_set_based(personas: Personas, pension: Dept) -> None:
    api = bearer(pension, "register.verify")
    real = [personas.member(user).member_id for user in (personas.asha, personas.ravi, personas.karan)]
    real.append(personas.kangra_family.family_id)
    fake = [identifiers.make_id("M", n, "bulk-test-key") for n in range(10_000 - len(real) - 2)]
    ids = [*real, *fake, "not-an-id", "M\u0000"]
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = api.post(
            f"{API}/verify", {"purpose": "pension-check", "ids": ids}, content_type="application/json"
        )
        elapsed = time.perf_counter() - started
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:  # a NUL byte is refused at the edge, before anything is read
        ids = ids[:-1]
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = api.post(
                f"{API}/verify", {"purpose": "pension-check", "ids": ids}, content_type="application/json"
            )
            elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["count"] == len(ids) and body["found"] == 4
    assert [item["id"] for item in body["results"][:4]] == real
    assert all(item["exists"] for item in body["results"][:4])
    assert not any(item["exists"] for item in body["results"][4:])
    assert body["results"][-1]["well_formed"] is False
    # A handful of queries whatever the number of IDs (token, client, purpose, two lookups, one log insert).
    assert len(queries) < 20, [q["sql"][:80] for q in queries]
    assert elapsed < 20
    assert DataAccess.objects.filter(client=pension.client.application).count() == 4


def test_bulk_limits(pension: Dept) -> None:
    api = bearer(pension, "register.verify")
    too_many = api.post(
        f"{API}/verify", {"purpose": "pension-check", "ids": ["M1"] * 10_001}, content_type="application/json"
    )
    assert too_many.status_code == 422
    empty = api.post(
        f"{API}/verify", {"purpose": "pension-check", "ids": []}, content_type="application/json"
    )
    assert empty.status_code == 422
    long_item = api.post(
        f"{API}/verify", {"purpose": "pension-check", "ids": ["M" * 5000]}, content_type="application/json"
    )
    assert long_item.status_code == 422
    wrong_type: Any = api.post(
        f"{API}/verify", {"purpose": "pension-check", "ids": [1, 2]}, content_type="application/json"
    )
    assert wrong_type.status_code == 422
    assert not DataAccess.objects.exists()
