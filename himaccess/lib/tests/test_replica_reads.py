"""Reads leave the primary only inside an explicit context, never inside its transactions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.db.utils import load_backend
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from himaccess.accounts.models import User
from himaccess.catalog.models import Service
from himaccess.departments.models import Department
from himaccess.lib.databases import NEVER_STALE, REPLICA, ReplicaRouter, reads_may_be_stale, stale_reads_ok
from himaccess.registry.models import Family
from himaccess.sharing.models import ConsentRequest

router = ReplicaRouter()

# DATABASES is overridden on purpose, with a connection made to match (the fixture below).
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


@pytest.fixture
def replica(db: Any) -> Iterator[str]:
    """The "replica" alias settings make from DATABASE_REPLICA_URL, mirroring the test database.

    Connections are not rebuilt when DATABASES is overridden, so its connection is made here,
    from the settings as they stand once the test database exists.
    """
    entry = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    wrapper = load_backend(entry["ENGINE"]).DatabaseWrapper(entry, REPLICA)
    connections[REPLICA] = wrapper
    try:
        with override_settings(DATABASES={**settings.DATABASES, REPLICA: entry}):
            yield REPLICA
    finally:
        wrapper.close()
        del connections[REPLICA]


def test_without_a_replica_every_read_is_on_the_primary(db: Any) -> None:
    with stale_reads_ok():
        assert router.db_for_read(Service) == "default"
        assert Service.objects.offered().exists()


def test_reads_go_to_the_replica_only_inside_the_context(replica: str) -> None:
    assert router.db_for_read(Service) == "default"
    with stale_reads_ok():
        assert router.db_for_read(Service) == replica
        assert router.db_for_read(Department) == replica
    assert router.db_for_read(Service) == "default"


def test_writes_and_migrations_always_go_to_the_primary(replica: str) -> None:
    with stale_reads_ok():
        assert router.db_for_write(Service) == "default"
        department = Department.objects.get(code="revenue")
        assert department._state.db == replica
        department.save()
    assert router.allow_migrate(replica, "catalog") is False
    assert router.allow_migrate("default", "catalog") is None


def test_reads_inside_a_transaction_stay_on_the_primary_however_deep(replica: str) -> None:
    with stale_reads_ok():
        with transaction.atomic():
            assert router.db_for_read(Service) == "default"
            with transaction.atomic():
                assert router.db_for_read(Service) == "default"
            assert router.db_for_read(Service) == "default"
        assert router.db_for_read(Service) == replica
    # The context opened inside a transaction does not take reads out of it either.
    with transaction.atomic(), stale_reads_ok():
        assert router.db_for_read(Service) == "default"


def test_who_is_asking_and_what_they_may_do_are_never_read_stale(replica: str) -> None:
    with stale_reads_ok():
        for model in (User, ConsentRequest):
            assert router.db_for_read(model) == "default"
        assert router.db_for_read(Family) == replica


def test_a_thread_started_inside_the_context_reads_the_primary(replica: str) -> None:
    seen: list[str] = []
    with stale_reads_ok():
        worker = threading.Thread(target=lambda: seen.append(router.db_for_read(Service)))
        worker.start()
        worker.join()
        assert router.db_for_read(Service) == replica
    assert seen == ["default"]


def test_concurrent_async_tasks_keep_their_own_choice(replica: str) -> None:
    async def read(stale: bool) -> str:
        if stale:
            with stale_reads_ok():
                await asyncio.sleep(0.01)
                return router.db_for_read(Service)
        await asyncio.sleep(0.01)
        return router.db_for_read(Service)

    async def both() -> list[str]:
        return list(await asyncio.gather(read(True), read(False)))

    assert asyncio.run(both()) == [replica, "default"]


def test_the_view_decorator_serves_sync_and_async_views(replica: str) -> None:
    @reads_may_be_stale
    def page(request: HttpRequest) -> HttpResponse:
        return HttpResponse(router.db_for_read(Service))

    @reads_may_be_stale
    async def async_page(request: HttpRequest) -> HttpResponse:
        return HttpResponse(router.db_for_read(Service))

    assert page(HttpRequest()).content.decode() == replica
    assert asyncio.run(async_page(HttpRequest())).content.decode() == replica
    assert router.db_for_read(Service) == "default"


def test_the_catalogue_pages_are_read_from_the_replica(client: Any, replica: str) -> None:
    with (
        CaptureQueriesContext(connections[replica]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        index = client.get(reverse("catalog:index"), {"q": "income certificate"})
        service = client.get(reverse("catalog:service", args=["CERT-02"]))
    assert index.status_code == 200 and "CERT-02" in index.content.decode()
    assert service.status_code == 200
    catalogue_reads = [q["sql"] for q in on_replica.captured_queries if "catalog_service" in q["sql"]]
    assert len(catalogue_reads) >= 2
    assert not [q["sql"] for q in on_primary.captured_queries if "catalog_service" in q["sql"]]


def test_the_catalogue_reads_the_primary_without_a_replica(client: Any, db: Any) -> None:
    with CaptureQueriesContext(connections["default"]) as on_primary:
        assert client.get(reverse("catalog:service", args=["CERT-02"])).status_code == 200
    assert any("catalog_service" in q["sql"] for q in on_primary.captured_queries)


def test_every_app_kept_on_the_primary_is_installed() -> None:
    # A renamed app would silently leave the list and let its reads go stale.
    assert not NEVER_STALE - {config.label for config in apps.get_app_configs()}
