"""The audit chain's hashing and its verification, independent of the ORM.

A row's hash is SHA-256 over a canonical, unambiguous serialisation of its
fields and the previous row's hash: every field is written as
``<length>:<text>`` and joined with ``|``, the time as integer microseconds
since the Unix epoch (UTC), before/after as the canonical JSON text stored.

Verification streams rows in ``seq`` order and checks two local facts per
row: its stored hash is the hash of its fields, and its ``prev_hash`` is the
stored hash of the row before it at the position before it. The first row
failing either is diagnosed (edited, deleted, inserted, reordered) by looking
at a small window of rows around it. The signed head then catches a chain cut
short at its tail, or rewritten consistently to its end.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

GENESIS_HASH = "0" * 64
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# How far either side of a broken row the diagnosis looks for where a moved
# row came from; beyond it a moved row is reported as edited.
DIAGNOSIS_WINDOW = 1000


class ChainRow(NamedTuple):
    """The hashed fields of one entry, in hashing order, then its stored hash."""

    seq: int
    at: datetime | int
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    before: str
    after: str
    source: str
    client_address: str
    prev_hash: str
    hash: str = ""


# The column list every reader of the chain selects, in ChainRow's order.
COLUMNS = tuple(ChainRow._fields)


def row_hash(row: Sequence[Any]) -> str:
    """SHA-256 (hex) of the first eleven fields of a ChainRow-shaped sequence."""
    seq, at, actor_id, action, object_type, object_id, before, after, source, address, prev = row[:11]
    # The time may come as a datetime, or (from a bulk reader) as microseconds already.
    micros = at if isinstance(at, int) else (at - _EPOCH) // _MICROSECOND
    s, t, u = str(seq), str(micros), "" if actor_id is None else str(actor_id)
    # Spelled out rather than joined from a list: this runs once per row in verify.
    payload = (
        f"{len(s)}:{s}|{len(t)}:{t}|{len(u)}:{u}|{len(action)}:{action}|{len(object_type)}:{object_type}"
        f"|{len(object_id)}:{object_id}|{len(before)}:{before}|{len(after)}:{after}|{len(source)}:{source}"
        f"|{len(address)}:{address}|{len(prev)}:{prev}"
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def head_signature(seq: int, head_hash: str, key: str) -> str:
    return hmac.new(key.encode(), f"audit-head|{seq}|{head_hash}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    position: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"OK {self.count} entries"
        return f"BROKEN at position {self.position}: {self.reason} ({self.count} entries checked before it)"


class Head(NamedTuple):
    seq: int
    hash: str
    signature: str


# Fetches the rows whose seq lies in [low, high], ordered by seq.
WindowReader = Callable[[int, int], list[ChainRow]]


def verify(
    rows: Iterable[Sequence[Any]], *, head: Head | None, key: str, read_window: WindowReader
) -> Verdict:
    """Check the chain given as rows in ``seq`` order against its signed head.

    1. Every row must sit at the next position, link to the hash of the row
       before it, and hash to its stored hash; the first that does not is
       diagnosed from a window of rows around it.
    2. The head must be signed with ``key`` and name the last row's position
       and hash: a shorter chain was truncated, a longer one was appended to
       outside ``record``, a different last hash means a rewritten chain.
    """
    expected_seq = 1
    expected_prev = GENESIS_HASH
    for row in rows:
        if row[0] != expected_seq or row[10] != expected_prev or row_hash(row) != row[11]:
            position, reason = _diagnose(expected_seq, expected_prev, read_window)
            return Verdict(False, expected_seq - 1, position, reason)
        expected_prev = row[11]
        expected_seq += 1
    count = expected_seq - 1
    if head is None:
        # A chain never written to has no head yet; one with entries must.
        if count == 0:
            return Verdict(True, 0)
        return Verdict(False, count, count, "the signed chain head row is missing")
    if head.seq != 0 or head.signature:
        signature = head_signature(head.seq, head.hash, key)
        if not hmac.compare_digest(signature, head.signature):
            return Verdict(False, count, head.seq, "the chain head's signature does not match (head edited)")
    if head.seq > count:
        return Verdict(
            False,
            count,
            count + 1,
            f"truncated: the head records {head.seq} entries, the chain ends at {count}",
        )
    if head.seq < count:
        return Verdict(False, count, head.seq + 1, "inserted: entries after the signed head")
    if head.hash != expected_prev:
        return Verdict(False, count, count, "rewritten: the last entry does not match the signed head")
    return Verdict(True, count)


def _diagnose(position: int, expected_prev: str, read_window: WindowReader) -> tuple[int, str]:
    """Name what happened at the first position where the chain breaks."""
    window = read_window(max(1, position - DIAGNOSIS_WINDOW), position + DIAGNOSIS_WINDOW)
    by_seq = {row.seq: row for row in window}
    here = by_seq.get(position)
    if here is None:
        following = [row.seq for row in window if row.seq > position]
        if following:
            return position, f"deleted: positions {position} to {following[0] - 1} are missing"
        return position, "deleted: the entries from this position on are missing"
    if row_hash(here) == here.hash:
        # Intact on its own but linked to another row: rows were deleted
        # before it (and the rest renumbered), or it was inserted here.
        for row in window:
            if row.seq > position and row.prev_hash == expected_prev and row_hash(row) == row.hash:
                return position, f"inserted: {row.seq - position} entries not linked into the chain"
        return position, "deleted or inserted: the entry does not follow the one before it"
    written_at = _original_position(here, window)
    if written_at is None:
        # A forged row with a bad hash, followed by the original rows moved down by one?
        next_row = by_seq.get(position + 1)
        if next_row is not None and next_row.prev_hash == expected_prev:
            return position, "inserted: an entry not linked into the chain"
        return position, "edited: the entry's content does not match its hash"
    if written_at < position:
        return written_at, f"inserted: {position - written_at} entries placed before an existing one"
    if any(row.hash == here.prev_hash for row in window):
        return position, f"reordered: the entry written at position {written_at} is at {position}"
    return position, f"deleted: {written_at - position} entries removed and later ones renumbered"


def _original_position(row: ChainRow, window: list[ChainRow]) -> int | None:
    for candidate in range(max(1, row.seq - DIAGNOSIS_WINDOW), row.seq + DIAGNOSIS_WINDOW + 1):
        if candidate != row.seq and row_hash(row._replace(seq=candidate)) == row.hash:
            return candidate
    return None
