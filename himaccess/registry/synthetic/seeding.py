"""Writing a synthetic population into the register, at any scale, in one transaction.

The procedure (``seed_population``):

1. Count members per block from the structure streams alone, and reserve the
   ID counters and primary keys of the whole run, so that every worker can
   write foreign keys between members (father, mother, spouse) directly.
2. Draw blocks in worker processes (or in-process with one worker), each
   task formatting its rows for the writer: COPY text for PostgreSQL, row
   tuples for SQLite. Results are consumed in order with a bounded number
   in flight, so memory does not grow with the population.
3. PostgreSQL: when the tables start empty, drop their secondary indexes and
   foreign keys first and rebuild them at the end (a bulk build is several
   times faster than maintaining them row by row); members stream through
   ``COPY``, families and their creation rows are spooled to disk and copied
   after. SQLite: ``executemany`` per batch.
4. Restore the key sequences and ANALYZE. A failure anywhere rolls back all of it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import date
from typing import IO, Any

import numpy as np
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.lib.progress import NOWHERE
from himaccess.lib.progress import Progress as ProgressBar
from himaccess.registry.models import Family, IdCounter, Member, RegisterChange
from himaccess.registry.synthetic.population import (
    BLOCK_FAMILIES,
    Block,
    Const,
    Context,
    Geography,
    Table,
    generate_block,
    load_geography,
    member_offsets,
)

Progress = Callable[[str], None]
TABLES: tuple[type[models.Model], ...] = (Family, Member, RegisterChange)


class SeedError(Exception):
    """The seed cannot run (bad arguments, no geography, a model it cannot fill)."""


@dataclass(frozen=True)
class SeedResult:
    families: int
    members: int
    changes: int
    seconds: float
    rebuilt_indexes: bool
    # What the run drew from: regenerating its blocks tells which records are messy.
    context: Context
    offsets: np.ndarray


@dataclass(frozen=True)
class Layout:
    """Column order per table, and defaults for model columns the generator does not draw."""

    columns: dict[str, list[str]]
    defaults: dict[str, dict[str, Any]]

    def complete(self, table: str, rows: Table) -> Table:
        for column, value in self.defaults[table].items():
            rows.columns.setdefault(column, Const(value))
        return rows


def _layout(sample: Block) -> Layout:
    columns: dict[str, list[str]] = {}
    defaults: dict[str, dict[str, Any]] = {}
    drawn = {Family: sample.families, Member: sample.members, RegisterChange: sample.changes}
    for model, table in drawn.items():
        name = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields if f.column]
        columns[name] = [str(f.column) for f in fields]
        defaults[name] = {}
        for f in fields:
            column = str(f.column)
            if column in table.columns:
                continue
            if f.null:
                defaults[name][column] = None
            elif f.default is not NOT_PROVIDED and not callable(f.default):
                defaults[name][column] = f.get_db_prep_save(f.default, connection)
            else:
                raise SeedError(f"the seed does not know how to fill {name}.{f.column}")
    return Layout(columns, defaults)


# --- Drawing blocks in workers ------------------------------------------------------

_worker_state: dict[str, Any] = {}


def _start_worker(ctx: Context, offsets: np.ndarray, layout: Layout, copy: bool) -> None:
    _worker_state.update(ctx=ctx, offsets=offsets, layout=layout, copy=copy)


def _draw(task: tuple[int, int]) -> tuple[int, int, Any, Any, Any]:
    """Draw blocks ``task[0] .. task[1]-1``; return counts and the three tables formatted."""
    ctx: Context = _worker_state["ctx"]
    layout: Layout = _worker_state["layout"]
    offsets = _worker_state["offsets"]
    parts: dict[str, list[Any]] = {name: [] for name in layout.columns}
    families = members = 0
    for index in range(*task):
        block = generate_block(ctx, index, int(offsets[index]))
        families += block.families.length
        members += block.members.length
        for model, table in (
            (Family, block.families),
            (Member, block.members),
            (RegisterChange, block.changes),
        ):
            name = model._meta.db_table
            table = layout.complete(name, table)
            order = layout.columns[name]
            if _worker_state["copy"]:
                parts[name].append(table.copy_block(order))
            else:
                parts[name].extend(table.rows(order))
    joined = [b"".join(p) if _worker_state["copy"] else p for p in parts.values()]
    return families, members, *joined  # type: ignore[return-value]


def _tasks(ctx: Context, batch_size: int) -> list[tuple[int, int]]:
    per_task = max(1, -(-batch_size // BLOCK_FAMILIES))
    return [(start, min(start + per_task, ctx.blocks)) for start in range(0, ctx.blocks, per_task)]


def _drawn(
    ctx: Context, offsets: np.ndarray, layout: Layout, copy: bool, batch_size: int, workers: int
) -> Iterator[tuple[int, int, Any, Any, Any]]:
    tasks = _tasks(ctx, batch_size)
    if workers <= 1:
        _start_worker(ctx, offsets, layout, copy)
        for task in tasks:
            yield _draw(task)
        return
    # Fork where possible: workers inherit the context without pickling and
    # never touch the parent's database connection.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(
        workers, initializer=_start_worker, initargs=(ctx, offsets, layout, copy)
    ) as pool:
        pending: deque[Any] = deque()
        queue = iter(tasks)
        for task in queue:
            pending.append(pool.apply_async(_draw, (task,)))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().get()
            for task in queue:
                pending.append(pool.apply_async(_draw, (task,)))
                break
            yield result


# --- Writers -------------------------------------------------------------------------


class _RowWriter:
    """Any database Django supports: executemany in batches (the embedded SQLite)."""

    rebuilt_indexes = False

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def reserve_keys(self, counts: dict[str, int]) -> dict[str, int]:
        first = {}
        with connection.cursor() as cursor:
            for table in counts:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
                first[table] = int(cursor.fetchone()[0])
        return first

    def prepare(self) -> None:
        pass

    def write(self, payload: tuple[Any, Any, Any]) -> None:
        with connection.cursor() as cursor:
            for table, rows in zip(self.layout.columns, payload, strict=True):
                columns = self.layout.columns[table]
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608
                    rows,
                )

    def finish(self, progress: Progress) -> None:
        pass


class _CopyWriter:
    """PostgreSQL: COPY, with secondary indexes and foreign keys rebuilt around a load into empty tables."""

    rebuilt_indexes = False

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.tables = list(layout.columns)
        self.member_table = Member._meta.db_table
        self.spools: dict[str, IO[bytes]] = {}
        self.restore: list[str] = []
        self.stack = ExitStack()
        self.copy: Any = None

    def reserve_keys(self, counts: dict[str, int]) -> dict[str, int]:
        """Take a block of primary keys from each table's sequence, under a lock against other writers."""
        first = {}
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(counts)} IN SHARE ROW EXCLUSIVE MODE")
            for table, count in counts.items():
                # Table names come from the models, never from input.
                last = f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"  # noqa: S608
                cursor.execute(f"SELECT pg_get_serial_sequence(%s, 'id'), ({last})", [table])
                sequence, after_max = cursor.fetchone()
                cursor.execute("SELECT nextval(%s)", [sequence])
                start = max(int(cursor.fetchone()[0]), int(after_max))
                cursor.execute("SELECT setval(%s, %s)", [sequence, start + count - 1])
                first[table] = start
        return first

    def prepare(self) -> None:
        with connection.cursor() as cursor:
            empty = True
            for table in self.tables:
                cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
                empty = empty and bool(cursor.fetchone()[0])
            if empty:
                # Checks still pending from earlier in the transaction would
                # forbid altering the tables: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                self._drop_secondary_structures(cursor)
        for table in self.tables:
            if table != self.member_table:
                self.spools[table] = tempfile.TemporaryFile()  # noqa: SIM115
        cursor = self.stack.enter_context(connection.cursor())
        columns = ", ".join(self.layout.columns[self.member_table])
        self.copy = self.stack.enter_context(cursor.copy(f"COPY {self.member_table} ({columns}) FROM STDIN"))

    def _drop_secondary_structures(self, cursor: Any) -> None:
        """Drop foreign keys, unique constraints and non-primary indexes; remember how to restore them.

        Anything another object depends on (a foreign key from elsewhere on a
        unique column) fails to drop inside its savepoint and simply stays.
        """
        for table in self.tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
                [table],
            )
            for name, definition in cursor.fetchall():
                if self._try(cursor, f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'):
                    self.restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) "
                "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS ("
                "  SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)"
                " ORDER BY i.relname",
                [table],
            )
            for name, definition in cursor.fetchall():
                if self._try(cursor, f'DROP INDEX "{name}"'):
                    self.restore.insert(0, definition)
        self.rebuilt_indexes = True

    @staticmethod
    def _try(cursor: Any, statement: str) -> bool:
        try:
            with transaction.atomic():
                cursor.execute(statement)
        except Exception:
            return False
        return True

    def write(self, payload: tuple[Any, Any, Any]) -> None:
        for table, data in zip(self.tables, payload, strict=True):
            if table == self.member_table:
                self.copy.write(data)
            else:
                self.spools[table].write(data)

    def finish(self, progress: Progress) -> None:
        self.stack.close()
        with connection.cursor() as cursor:
            for table, spool in self.spools.items():
                progress(f"copying {table}")
                spool.seek(0)
                with cursor.copy(
                    f"COPY {table} ({', '.join(self.layout.columns[table])}) FROM STDIN"
                ) as copy:
                    while chunk := spool.read(8 << 20):
                        copy.write(chunk)
                spool.close()
            if self.restore:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in self.restore:
                started = time.monotonic()
                cursor.execute(statement)
                progress(f"{time.monotonic() - started:5.1f} s  {statement[:100]}")
            for table in self.tables:
                cursor.execute(f"ANALYZE {table}")


# --- Where families live --------------------------------------------------------------

# Draws per district stand for the tehsils' weights: enough that a focus share is met to a tenth of a percent.
TEHSIL_RESOLUTION = 1000


def focus_geography(geography: Geography, focus: Mapping[int, float]) -> Geography:
    """``geography`` with each tehsil of ``focus`` (LGD code -> share) receiving that share of all families.

    The rest are spread as before (districts by population, tehsils evenly
    within a district), so a small population still has families where a demo's
    officials are posted. A tehsil's families may still be moved to the tehsil of
    their town, as every urban family is.
    """
    if not focus:
        return geography
    if any(not 0 < share < 1 for share in focus.values()) or sum(focus.values()) >= 1:
        raise SeedError("focus shares must each be between 0 and 1, and add up to less than 1")
    known = {int(t) for d in geography.districts for t in d.tehsils.tolist()}
    unknown = sorted(set(focus) - known)
    if unknown:
        raise SeedError(
            f"no tehsil with LGD code {', '.join(map(str, unknown))} in the districts families are placed in"
        )
    rest = 1 - sum(focus.values())
    total_weight = sum(d.weight for d in geography.districts)
    districts = []
    for district in geography.districts:
        tehsils = [int(t) for t in district.tehsils.tolist()]
        spread = rest * district.weight / total_weight
        weights = {t: spread / len(tehsils) + focus.get(t, 0.0) for t in tehsils}
        weight = sum(weights.values())
        copies = [max(1, round(weights[t] / weight * TEHSIL_RESOLUTION)) for t in tehsils]
        draws = np.repeat(np.array(tehsils, dtype=np.int64), copies)
        districts.append(replace(district, weight=weight, tehsils=draws))
    return Geography(tuple(districts))


# --- The run -----------------------------------------------------------------------


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed_population(
    *,
    families: int,
    seed: int = 1,
    as_of: date | None = None,
    batch_size: int = 20_000,
    workers: int | None = None,
    progress: Progress = _stderr,
    stream: object | None = None,
    focus: Mapping[int, float] | None = None,
) -> SeedResult:
    """Add ``families`` synthetic families with their members to the register (see the module doc).

    ``progress`` receives notes on the last stages; a bar of families written
    goes to ``stream`` when one is given. ``focus`` gives tehsils a fixed share
    of the families (``focus_geography``).
    """
    if families < 1:
        raise SeedError("the number of families must be at least 1")
    if batch_size < 1:
        raise SeedError("the batch size must be at least 1")
    as_of = as_of or date.today()
    if as_of > date.today():
        raise SeedError("the reference date cannot be in the future")
    postgres = connection.vendor == "postgresql"
    if workers is None:
        workers = (os.cpu_count() or 1) if postgres else 1
    if workers < 1:
        raise SeedError("the number of workers must be at least 1")
    geography = load_geography()
    if not geography.districts:
        raise SeedError("no districts with tehsils and pincodes: load the reference geography first")
    geography = focus_geography(geography, focus or {})

    started = time.monotonic()
    offsets = member_offsets(seed, families)
    total_members = int(offsets[-1])
    counts = {Family._meta.db_table: families, Member._meta.db_table: total_members}
    counts[RegisterChange._meta.db_table] = families
    with transaction.atomic():
        family_counter = IdCounter.reserve("F", families)
        member_counter = IdCounter.reserve("M", total_members)
        probe = Context(seed, 1, as_of, "", settings.REGISTER_ID_KEY, 0, 0, 0, 0, 0, geography)
        layout = _layout(generate_block(probe, 0, 0))
        writer: _RowWriter | _CopyWriter = _CopyWriter(layout) if postgres else _RowWriter(layout)
        first = writer.reserve_keys(counts)
        ctx = Context(
            seed=seed,
            families=families,
            as_of=as_of,
            timestamp=str(connection.ops.adapt_datetimefield_value(timezone.now())),
            id_key=settings.REGISTER_ID_KEY,
            family_counter=family_counter,
            member_counter=member_counter,
            family_pk=first[Family._meta.db_table],
            member_pk=first[Member._meta.db_table],
            change_pk=first[RegisterChange._meta.db_table],
            geography=geography,
        )
        writer.prepare()
        shown_on = stream if stream is not None else NOWHERE
        with ProgressBar(_("Families written"), families, stream=shown_on) as bar:
            for batch_families, _batch_members, *payload in _drawn(
                ctx, offsets, layout, postgres, batch_size, workers
            ):
                writer.write(tuple(payload))
                bar.advance(batch_families)
        writer.finish(progress)
    elapsed = time.monotonic() - started
    return SeedResult(families, total_members, families, elapsed, writer.rebuilt_indexes, ctx, offsets)
