"""Reading the audit chain back from the database for ``himaccess audit verify``.

Rows are streamed in ``seq`` order as plain tuples (a server-side cursor on
PostgreSQL, no model instance per row) and checked by ``chain.verify``. On
PostgreSQL the whole check runs in one REPEATABLE READ, READ ONLY
transaction so that the head and the rows come from the same snapshot while
writers carry on; elsewhere the rows are read up to the head's position as
read first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max, Min

from himaccess.audit import chain
from himaccess.audit.models import AuditEntry, AuditHead

CHUNK_ROWS = 20_000


def _rows(using: str, upto: int | None) -> Iterator[Sequence[object]]:
    if connections[using].vendor == "postgresql":
        return _pg_rows(using, upto)
    entries = AuditEntry.objects.using(using).order_by("seq")
    if upto is not None:
        entries = entries.filter(seq__lte=upto)
    return entries.values_list(*chain.COLUMNS).iterator(chunk_size=CHUNK_ROWS)


def _pg_rows(using: str, upto: int | None) -> Iterator[Sequence[object]]:
    """A server-side cursor; the time comes as exact integer microseconds.

    Parsing a timestamptz into a datetime costs more than hashing the row,
    so PostgreSQL does the conversion (EXTRACT(EPOCH ...) is exact numeric).
    """
    columns = ", ".join(
        "(EXTRACT(EPOCH FROM at) * 1000000)::bigint" if name == "at" else name for name in chain.COLUMNS
    )
    table = AuditEntry._meta.db_table
    where = "" if upto is None else " WHERE seq <= %s"
    with connections[using].chunked_cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table}{where} ORDER BY seq", [] if upto is None else [upto])  # noqa: S608
        while rows := cursor.fetchmany(CHUNK_ROWS):
            yield from rows


def _window(using: str) -> chain.WindowReader:
    def read(low: int, high: int) -> list[chain.ChainRow]:
        rows = AuditEntry.objects.using(using).filter(seq__range=(low, high)).order_by("seq")
        return [chain.ChainRow(*row) for row in rows.values_list(*chain.COLUMNS)]

    return read


def _head(using: str) -> chain.Head | None:
    row = AuditHead.objects.using(using).filter(pk=1).values_list("seq", "hash", "signature").first()
    return chain.Head(*row) if row is not None else None


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
        head = _head(using)
        upto = None if consistent or head is None else head.seq
        return chain.verify(
            _rows(using, upto), head=head, key=settings.AUDIT_HMAC_KEY, read_window=_window(using)
        )


@dataclass(frozen=True)
class ChainStats:
    entries: int
    first_seq: int | None
    last_seq: int | None
    first_at: datetime | None
    last_at: datetime | None
    head_seq: int | None
    head_hash: str


def chain_stats(using: str = "default") -> ChainStats:
    """Figures to print after every backup and to keep elsewhere as an anchor of the head."""
    entries = AuditEntry.objects.using(using)
    bounds = entries.aggregate(first=Min("seq"), last=Max("seq"))
    first = entries.filter(seq=bounds["first"]).values_list("at", flat=True).first()
    last = entries.filter(seq=bounds["last"]).values_list("at", flat=True).first()
    head = _head(using)
    count = entries.count()
    return ChainStats(
        entries=count,
        first_seq=bounds["first"],
        last_seq=bounds["last"],
        first_at=first,
        last_at=last,
        head_seq=head.seq if head else None,
        head_hash=head.hash if head else "",
    )
