"""Rows in bulk: ``COPY`` on PostgreSQL (``executemany`` on SQLite), keys and numbers drawn in blocks.

Each kind of history (applications, complaints, pensions) is written in
batches of ``BATCH`` items by ``write_batches``: the batch's primary keys and
numbers are drawn first, so that rows can point at each other before any is
written, and its tables are then written in order, those pointed at first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, models

from himaccess.lib.progress import Progress
from himaccess.registry.models import IdCounter
from himaccess.registry.synthetic.idblocks import make_ids

BATCH = 20_000

Row = tuple[Any, ...]
Table = tuple[type[models.Model], Sequence[str]]


class Writer:
    """Appends rows to tables: ``COPY`` on PostgreSQL, ``executemany`` on SQLite; counts them."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.postgres = connection.vendor == "postgresql"

    def write(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Row]) -> None:
        table = model._meta.db_table
        written = 0
        with connection.cursor() as cursor:
            if self.postgres:
                names = ", ".join(columns)
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
            else:
                prepared = [tuple(_sqlite(value) for value in row) for row in rows]
                marks = ", ".join(["%s"] * len(columns))
                # Table and column names come from the models, never from input.
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, prepared)
                written = len(prepared)
        self.counts[table] = self.counts.get(table, 0) + written

    def reserve_keys(self, model: type[models.Model], count: int) -> int:
        """The first of ``count`` primary keys no other writer will take."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                # As the register's seed: lock against other writers, advance the sequence past the block.
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                last = f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"  # noqa: S608
                cursor.execute(f"SELECT pg_get_serial_sequence(%s, 'id'), ({last})", [table])
                sequence, after_max = cursor.fetchone()
                cursor.execute("SELECT nextval(%s)", [sequence])
                start = max(int(cursor.fetchone()[0]), int(after_max))
                cursor.execute("SELECT setval(%s, %s)", [sequence, start + max(count, 1) - 1])
                return start
            # SQLite has one writer, which is this transaction.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            return int(cursor.fetchone()[0])


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def draw_numbers(prefix: str, count: int) -> list[str]:
    """``count`` fresh identifiers with ``prefix`` (application numbers, complaint references)."""
    if count == 0:
        return []
    return make_ids(prefix, IdCounter.reserve(prefix, count), count, settings.REGISTER_ID_KEY)


@dataclass(frozen=True)
class Batch:
    """One batch of items to write, with the keys and numbers drawn for it."""

    index: int  # the batch's place in the run, which keys its random stream
    first: int  # the batch's first item
    size: int
    keys: dict[type[models.Model], int]  # the first of ``size`` primary keys reserved, per keyed table
    numbers: list[str]  # one identifier per item


def write_batches(
    writer: Writer,
    *,
    count: int,
    tables: Sequence[Table],
    keyed: Sequence[type[models.Model]],
    prefix: str,
    build: Callable[[Batch], Sequence[list[Row]]],
    bar: Progress,
) -> None:
    """Write ``count`` items in batches of ``BATCH``, for each batch:

    1. reserve ``size`` primary keys of each ``keyed`` table and draw ``size``
       numbers with ``prefix``;
    2. ``build`` the batch's rows: one list per table, in the order of ``tables``
       (an item may give no row, or several);
    3. write each table in that order and advance ``bar`` by the batch's size.
    """
    for index, first in enumerate(range(0, count, BATCH)):
        size = min(BATCH, count - first)
        keys = {model: writer.reserve_keys(model, size) for model in keyed}
        batch = Batch(index=index, first=first, size=size, keys=keys, numbers=draw_numbers(prefix, size))
        for (model, columns), rows in zip(tables, build(batch), strict=True):
            writer.write(model, columns, rows)
        bar.advance(size)
