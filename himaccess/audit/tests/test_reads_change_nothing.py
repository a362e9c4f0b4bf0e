"""Reading changes nothing: every GET the permission matrix knows, asked by every persona, writes no row.

The endpoints are the matrix's own (found, not listed): the pages and API
operations that take an identifier, with the matrix's samples of Asha's
objects, plus every page and API operation without one. Each persona asks for
each of them with GET (and a few with the query that makes them do their
work, such as verifying a certificate or tracking a complaint). Before and
after every request the rows of every table are counted, and the highest key
noted; nothing may change but the per-family read-access log (an official's
read is recorded there, by design) and the session table. No SMS may be
queued and no domain event emitted (both are rows of their tables).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection
from django.urls import get_resolver

from himaccess.api import api
from himaccess.audit.models import DataAccess
from himaccess.audit.tests.conftest_matrix import (
    PERSONAS,
    World,
    matrix_world,  # noqa: F401  (the fixture the walk asks for)
)
from himaccess.audit.tests.test_permission_matrix import (
    API_PREFIX,
    API_SAMPLES,
    EXCLUDED_PREFIXES,
    PUBLIC,
    SAMPLES,
    Endpoint,
    _url,
    _walk,
    api_paths_with_identifiers,
    pages_with_identifiers,
)
from himaccess.notifications import sms

pytestmark = pytest.mark.django_db

# Reads that are recorded by design, and the session a login keeps.
MAY_GROW = {DataAccess._meta.db_table, "django_session"}

# Samples for the matrix's public endpoints (their identifier names nobody's data).
PUBLIC_SAMPLES: dict[str, Any] = {
    "catalog:service": lambda w: {"code": "CERT-05"},
    "grievances:answer": lambda w: {"token": w.answer_token},
    "/api/v1/geography/districts/{code}": lambda w: {"code": 22},
    "/api/v1/geography/districts/{code}/tehsils": lambda w: {"code": 22},
    "/api/v1/geography/districts/{code}/blocks": lambda w: {"code": 22},
    "/api/v1/geography/districts/{code}/urban-bodies": lambda w: {"code": 22},
    "/api/v1/geography/districts/{code}/panchayats": lambda w: {"code": 22},
    "/api/v1/geography/districts/{code}/villages": lambda w: {"code": 22},
    "/api/v1/geography/pincodes/{pincode}": lambda w: {"pincode": "175001"},
    "/api/v1/services/catalogue/{code}": lambda w: {"code": "CERT-05"},
    "departments:page": lambda w: {"code": "milkfed"},
}

# Reads whose query makes them do their work (verify, track, search, choose a layout).
QUERIES: dict[str, Any] = {
    "applications:verify": lambda w: {"t": w.certificate.token},
    "grievances:track": lambda w: {"reference": w.complaint.reference},
    "registry:search": lambda w: {"q": "Asha Devi"},
    "cards:family_pdf": lambda w: {"layout": "id1"},
    "catalog:index": lambda w: {"q": "certificate"},
    "/api/v1/services/certificates/verify": lambda w: {"token": w.certificate.token},
    "/api/v1/services/catalogue": lambda w: {"q": "certificate"},
    "/api/v1/geography/districts/{code}/villages": lambda w: {"q": "a"},
}


def _tables() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy and model._meta.db_table not in MAY_GROW:
            assert model._meta.pk is not None and model._meta.pk.column is not None
            found.append((model._meta.db_table, model._meta.pk.column))
    return sorted(set(found))


def _snapshot(tables: list[tuple[str, str]]) -> dict[str, tuple[int, str | None]]:
    """Every table's row count and highest key, in one query."""
    quote = connection.ops.quote_name
    # Table and column names come from the installed models, never from input.
    sql = " UNION ALL ".join(
        f"SELECT '{table}', COUNT(*), CAST(MAX({quote(pk)}) AS TEXT) FROM {quote(table)}"  # noqa: S608
        for table, pk in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {table: (count, top) for table, count, top in cursor.fetchall()}


def _get_operations() -> set[str]:
    paths = api.get_openapi_schema()["paths"]
    return {path for path, operations in paths.items() if "get" in operations}


def _reads(world: World) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, URL) of every read to try, and the endpoints that have no sample to read with."""
    reads: list[tuple[str, str]] = []
    unsampled: list[str] = []
    with_ids = pages_with_identifiers() + [
        e for e in api_paths_with_identifiers() if e.key in _get_operations()
    ]
    for endpoint in with_ids:
        samples = API_SAMPLES if endpoint.is_api else SAMPLES
        if endpoint.key in samples:
            kwargs_list = [kwargs for _label, kwargs in samples[endpoint.key](world)]
        elif endpoint.key in PUBLIC and endpoint.key in PUBLIC_SAMPLES:
            kwargs_list = [PUBLIC_SAMPLES[endpoint.key](world)]
        else:
            unsampled.append(endpoint.key)
            continue
        reads += [(endpoint.key, _url(endpoint, kwargs)) for kwargs in kwargs_list]
    plain = [
        Endpoint(key=name, route=route, is_api=False)
        for route, name, groups in _walk(get_resolver().url_patterns)
        if not groups and not route.startswith(EXCLUDED_PREFIXES)
    ]
    reads += [(e.key, "/" + e.route) for e in plain]
    reads += [(path, path) for path in sorted(_get_operations()) if "{" not in path]
    with_query = []
    for key, url in reads:
        if key in QUERIES:
            query = urlencode(QUERIES[key](world))
            with_query.append((f"{key}?{query}", f"{url}?{query}"))
    return reads + with_query, unsampled


def test_no_get_by_any_persona_writes_a_row_or_queues_an_sms(matrix_world: World) -> None:  # noqa: F811
    world = matrix_world
    reads, unsampled = _reads(world)
    assert not unsampled, "add a sample to read with for: " + ", ".join(unsampled)
    assert any(key.startswith(API_PREFIX) for key, _url in reads)
    clients = {persona: world.client(persona) for persona in PERSONAS}  # logins write sessions: before
    tables = _tables()
    before = _snapshot(tables)
    writes: list[str] = []
    answered = 0
    for key, url in reads:
        for persona, client in clients.items():
            response = client.get(url)
            answered += response.status_code < 400
            after = _snapshot(tables)
            changed = sorted(table for table, seen in after.items() if seen != before.get(table))
            if changed:
                writes.append(f"{persona} GET {url} ({key}) wrote to {', '.join(changed)}")
            before = after
    print(f"reads: {len(reads)} URLs x {len(clients)} personas, {answered} answered with a 2xx or 3xx")
    assert not writes, "\n".join(writes)
    assert not sms.outbox
    assert answered > len(reads)  # the walk reached real pages, not only refusals
