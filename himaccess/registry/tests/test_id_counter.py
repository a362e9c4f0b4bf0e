"""Counters for register IDs hand out distinct blocks, on every supported database."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from himaccess.registry.models import IdCounter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("returning", [True, False], ids=["update-returning", "older-sqlite"])
def test_blocks_are_consecutive_and_never_overlap(monkeypatch: pytest.MonkeyPatch, returning: bool) -> None:
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", returning)
    first = IdCounter.reserve("Z", 10)
    second = IdCounter.reserve("Z", 5)
    third = IdCounter.reserve("Z")
    assert (first, second, third) == (0, 10, 15)
    if connection.vendor != "postgresql":  # PostgreSQL counts in a sequence, not the row
        assert IdCounter.objects.get(kind="Z").next_value == 16


def test_a_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        IdCounter.reserve("Z", 0)


def test_numbers_continue_after_the_value_the_row_had_counted_to() -> None:
    IdCounter.objects.create(kind="Y", next_value=4_000)
    assert IdCounter.reserve("Y") == 4_000
    assert IdCounter.reserve("Y", 3) == 4_001
    assert IdCounter.reserve("Y") == 4_004


def test_commit_order_counter_counts_in_the_row() -> None:
    assert IdCounter.reserve_in_commit_order("V") == 0
    assert IdCounter.reserve_in_commit_order("V") == 1
    assert IdCounter.objects.get(kind="V").next_value == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_numbers_drawn_concurrently_are_unique_and_never_reused_after_a_rollback() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite has one writer at a time)")
    # The kind's sequence exists (made on its first use, committed) before the writers start.
    IdCounter.reserve("W")
    writers, rounds = 6, 30
    start = threading.Barrier(writers)
    drawn: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    class Rollback(Exception):
        pass

    def writer(index: int) -> None:
        try:
            start.wait()
            for n in range(rounds):
                try:
                    with transaction.atomic():
                        mine = [IdCounter.reserve("W")]
                        first = IdCounter.reserve("W", 4)
                        mine.extend(range(first, first + 4))
                        with lock:
                            drawn.extend(mine)
                        if (n + index) % 5 == 0:
                            raise Rollback
                except Rollback:
                    pass
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(drawn) == writers * rounds * 5
    # Unique, including the numbers of rolled-back transactions: none is handed out twice.
    assert len(set(drawn)) == len(drawn)
    assert IdCounter.reserve("W") > max(drawn)
