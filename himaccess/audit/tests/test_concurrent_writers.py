"""Two connections appending at once never fork the chain (PostgreSQL: row lock on the head)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from himaccess.audit.log import record
from himaccess.audit.models import AuditEntry
from himaccess.audit.verification import verify_chain

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PER_WRITER = 40


def test_two_concurrent_writers_make_one_gap_free_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises writers with IMMEDIATE transactions)")
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for n in range(PER_WRITER):
                with transaction.atomic():
                    record(None, f"test.{name}", after={"n": n})
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 2 * PER_WRITER + 1)
    )
    verdict = verify_chain()
    assert verdict.ok, str(verdict)
    assert verdict.count == 2 * PER_WRITER
