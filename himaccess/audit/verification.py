"""Reading the audit chains back from the database for ``himaccess audit verify``.

Rows are streamed in (chain, ``seq``) order as plain tuples (a server-side
cursor on PostgreSQL, no model instance per row) and checked chain by chain,
with the signed checkpoints, by ``chain.verify_all``. On
PostgreSQL the whole check runs in one REPEATABLE READ, READ ONLY
transaction so that the head and the rows come from the same snapshot while
writers carry on; elsewhere the rows are read up to the head's position as
read first.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max, Min

from himaccess.audit import chain
from himaccess.audit.models import AuditCheckpoint, AuditEntry, AuditHead

CHUNK_ROWS = 20_000


# What every reader selects: the chain's number, then ChainRow's columns.
_SELECTED = ("chain", *chain.COLUMNS)


def _rows(using: str, upto: dict[int, int] | None) -> Iterator[Sequence[object]]:
    """Every row as (chain, *ChainRow), by chain then position; ``upto``: only up to these heads."""
    if connections[using].vendor == "postgresql":
        return _pg_rows(using, upto)
    entries = AuditEntry.objects.using(using).order_by("chain", "seq")
    rows = entries.values_list(*_SELECTED).iterator(chunk_size=CHUNK_ROWS)
    if upto is None:
        return rows
    return (row for row in rows if row[1] <= upto.get(int(row[0]), 0))


def _pg_rows(using: str, upto: dict[int, int] | None) -> Iterator[Sequence[object]]:
    """A server-side cursor; the time comes as exact integer microseconds.

    Parsing a timestamptz into a datetime costs more than hashing the row,
    so PostgreSQL does the conversion (EXTRACT(EPOCH ...) is exact numeric).
    """
    columns = ", ".join(
        "(EXTRACT(EPOCH FROM at) * 1000000)::bigint" if name == "at" else name for name in _SELECTED
    )
    table = AuditEntry._meta.db_table
    with connections[using].chunked_cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY chain, seq")  # noqa: S608
        while rows := cursor.fetchmany(CHUNK_ROWS):
            if upto is None:
                yield from rows
            else:
                yield from (row for row in rows if row[1] <= upto.get(row[0], 0))


def _by_chain(rows: Iterator[Sequence[object]]) -> Iterator[tuple[int, Iterator[Sequence[object]]]]:
    for number, group in itertools.groupby(rows, key=itemgetter(0)):
        yield int(number), (row[1:] for row in group)


def _window_for(using: str) -> Callable[[int], chain.WindowReader]:
    """For a chain's number, the reader of its rows between two positions."""

    def for_chain(number: int) -> chain.WindowReader:
        def read(low: int, high: int) -> list[chain.ChainRow]:
            rows = (
                AuditEntry.objects.using(using).filter(chain=number, seq__range=(low, high)).order_by("seq")
            )
            return [chain.ChainRow(*row) for row in rows.values_list(*chain.COLUMNS)]

        return read

    return for_chain


def _heads(using: str) -> dict[int, chain.Head]:
    rows = AuditHead.objects.using(using).values_list("id", "seq", "hash", "signature")
    return {number: chain.Head(seq, head_hash, signature) for number, seq, head_hash, signature in rows}


def _checkpoints(using: str) -> Iterator[chain.Checkpoint]:
    rows = AuditCheckpoint.objects.using(using).order_by("id").values_list("id", "heads", "signature")
    return (chain.Checkpoint(*row) for row in rows.iterator(chunk_size=1000))


@contextmanager
def _snapshot(using: str) -> Iterator[bool]:
    """A consistent read of head and rows; yields whether rows past the head are suspect."""
    connection = connections[using]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield True
        return
    # Inside a caller's transaction the snapshot is the caller's; otherwise
    # rows appended while we read lie past the head we read first.
    yield connection.in_atomic_block


def verify_chain(using: str = "default") -> chain.Verdict:
    with _snapshot(using) as consistent:
        heads = _heads(using)
        upto = None if consistent else {number: head.seq for number, head in heads.items()}
        return chain.verify_all(
            _by_chain(_rows(using, upto)),
            heads=heads,
            checkpoints=_checkpoints(using),
            key=settings.AUDIT_HMAC_KEY,
            window_for=_window_for(using),
        )


@dataclass(frozen=True)
class ChainStats:
    entries: int
    first_at: datetime | None
    last_at: datetime | None
    # (chain, position, hash) of every chain written to.
    heads: list[tuple[int, int, str]]
    checkpoint: tuple[int, str] | None


def chain_stats(using: str = "default") -> ChainStats:
    """Figures to print after every backup and to keep elsewhere as an anchor of the heads."""
    entries = AuditEntry.objects.using(using)
    bounds = entries.aggregate(first=Min("at"), last=Max("at"))
    heads = [(number, head.seq, head.hash) for number, head in sorted(_heads(using).items()) if head.seq]
    latest = AuditCheckpoint.objects.using(using).order_by("-id").values_list("id", "signature").first()
    return ChainStats(
        entries=entries.count(),
        first_at=bounds["first"],
        last_at=bounds["last"],
        heads=heads,
        checkpoint=latest,
    )
