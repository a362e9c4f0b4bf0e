"""Connections appending at once never fork a chain, and need not wait for each other (PostgreSQL).

Each append locks one chain's head: the first one no other transaction holds.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest
from django.db import connection, connections, transaction

from himaccess.audit.log import record
from himaccess.audit.models import AuditEntry
from himaccess.audit.verification import verify_chain

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PER_WRITER = 40


def _write_concurrently(writers: int, hold: threading.Barrier | None = None) -> None:
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            start.wait()
            for n in range(PER_WRITER):
                with transaction.atomic():
                    # Everyone writes about the same object: the same preferred chain.
                    record(None, "test.same_object", after={"writer": index, "n": n})
                    if hold is not None and n == 0:
                        hold.wait(timeout=10)  # every writer holds a head at the same time
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def _positions_by_chain() -> dict[int, list[int]]:
    positions: dict[int, list[int]] = defaultdict(list)
    for number, seq in AuditEntry.objects.order_by("chain", "seq").values_list("chain", "seq"):
        positions[number].append(seq)
    return positions


def test_concurrent_writers_make_gap_free_chains_that_verify() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises writers with IMMEDIATE transactions)")
    writers = 6
    _write_concurrently(writers)
    for seqs in _positions_by_chain().values():
        assert seqs == list(range(1, len(seqs) + 1))
    verdict = verify_chain()
    assert verdict.ok, str(verdict)
    assert verdict.count == writers * PER_WRITER


def test_writers_holding_heads_at_once_use_different_chains() -> None:
    """Four transactions all hold a head at once: none waited, so they took four chains."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    writers = 4
    _write_concurrently(writers, hold=threading.Barrier(writers))
    first_entries = AuditEntry.objects.filter(after__contains='"n":0')
    assert len(set(first_entries.values_list("chain", flat=True))) == writers
    assert verify_chain().ok
