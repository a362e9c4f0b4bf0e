"""One way to move a row with a status: lock → check → save → step → audit, in the caller's transaction.

Applications, change requests, enrolments, complaints and card print runs each
keep a transition map on their model (which status may follow which) and an
append-only step table. Every move of one of them goes through ``move``:

1. ``lock`` the row (``SELECT ... FOR UPDATE``): of two people acting at once,
   the second waits and then sees the first one's status;
2. check the move against the model's map; a move the map refuses raises the
   caller's own error (its message is for the person who tried);
3. set the status and the fields that change with it, and save only those;
4. write the step row (``step``), then run what follows from the move
   (``then``: a certificate, a notice, an event);
5. write the audit row last (``audit``), so the audit chain's head stays locked
   for the shortest time.

With ``repeat_is_noop`` a repeat of a move already made (the row is in the
target status) writes nothing and returns ``repeated=True``; the caller decides
whether that repeat is itself worth an audit row. See docs/decisions/1181.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models, transaction

Row = TypeVar("Row", bound=models.Model)
# status -> the statuses that may follow it (or the one that does).
TransitionMap = Mapping[Any, "str | Collection[str]"]


@dataclass(frozen=True)
class Moved(Generic[Row]):
    row: Row
    previous: str
    repeated: bool = False


class OutsideTransaction(RuntimeError):
    """A move outside ``transaction.atomic``: its step and audit rows could be written half-way."""


def lock(row: Row, *related: str) -> Row:
    """The row as committed, locked until the caller's transaction ends."""
    manager = type(row)._default_manager
    # This row only, and not its key: rows that point at it can still be written meanwhile
    # (PostgreSQL's reference check takes a key-share lock, which FOR UPDATE would block).
    query = manager.select_for_update(of=("self",), no_key=True)
    if related:
        query = query.select_related(*related)
    return query.get(pk=row.pk)


def may_follow(transitions: TransitionMap, previous: str, to_status: str) -> bool:
    following = transitions.get(previous, ())
    return to_status == following if isinstance(following, str) else to_status in following


def move(
    row: Row,
    to_status: str,
    *,
    transitions: TransitionMap,
    refused: Callable[[], Exception],
    step: Callable[[str], object],
    audit: Callable[[str], object],
    changes: Mapping[str, Any] | None = None,
    also_saved: Collection[str] = (),
    then: Callable[[str], object] | None = None,
    repeat_is_noop: bool = False,
    status_field: str = "status",
) -> Moved[Row]:
    """Move a row ``lock``-ed by the caller to ``to_status``; the callables get the previous status.

    ``changes`` are the other fields set with the status; ``also_saved`` names
    fields the caller already set on the row that must be saved with it.
    """
    if not transaction.get_connection(router_for(row)).in_atomic_block:
        raise OutsideTransaction(f"{type(row).__name__} moved outside a transaction")
    previous = str(getattr(row, status_field))
    if repeat_is_noop and previous == to_status:
        return Moved(row, previous, repeated=True)
    if not may_follow(transitions, previous, to_status):
        raise refused()
    setattr(row, status_field, to_status)
    for name, value in (changes or {}).items():
        setattr(row, name, value)
    row.save(update_fields=list(dict.fromkeys([status_field, *(changes or {}), *also_saved])))
    step(previous)
    if then is not None:
        then(previous)
    audit(previous)
    return Moved(row, previous)


def router_for(row: models.Model) -> str:
    """The database alias the row was read from (the default one for a new row)."""
    return row._state.db or "default"
