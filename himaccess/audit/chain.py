"""The audit chains' hashing and their verification, independent of the ORM.

The audit log is a fixed set of chains (1, 2, ... ``AUDIT_CHAINS``), each with
its own gap-free positions and its own signed head, so that appends to
different chains never wait for each other; signed checkpoints of every
head, written as the chains grow, tie the chains together (see
docs/decisions/1221-audit-chains-and-checkpoints.md).

A row's hash is SHA-256 over a canonical, unambiguous serialisation of its
fields and the previous row's hash: every field is written as
``<length>:<text>`` and joined with ``|``, the time as integer microseconds
since the Unix epoch (UTC), before/after as the canonical JSON text stored.
Rows of chains other than 1 start with their chain's number, so that a row
moved to another chain no longer matches its hash; chain 1 is hashed as the
single chain was before there were several, so existing rows stay valid.

Verification streams rows in ``seq`` order and checks two local facts per
row: its stored hash is the hash of its fields, and its ``prev_hash`` is the
stored hash of the row before it at the position before it. The first row
failing either is diagnosed (edited, deleted, inserted, reordered) by looking
at a small window of rows around it. The signed head then catches a chain cut
short at its tail, or rewritten consistently to its end; the checkpoints
catch a whole chain removed with its head, or a chain cut back to an old
head that was copied and put back.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
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


def row_hash(row: Sequence[Any], chain: int = 1) -> str:
    """SHA-256 (hex) of the first eleven fields of a ChainRow-shaped sequence in ``chain``."""
    seq, at, actor_id, action, object_type, object_id, before, after, source, address, prev = row[:11]
    # The time may come as a datetime, or (from a bulk reader) as microseconds already.
    micros = at if isinstance(at, int) else (at - _EPOCH) // _MICROSECOND
    s, t, u = str(seq), str(micros), "" if actor_id is None else str(actor_id)
    # Spelled out rather than joined from a list: this runs once per row in verify.
    payload = (
        ("" if chain == 1 else f"chain|{len(str(chain))}:{chain}|")
        + f"{len(s)}:{s}|{len(t)}:{t}|{len(u)}:{u}|{len(action)}:{action}|{len(object_type)}:{object_type}"
        f"|{len(object_id)}:{object_id}|{len(before)}:{before}|{len(after)}:{after}|{len(source)}:{source}"
        f"|{len(address)}:{address}|{len(prev)}:{prev}"
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def head_signature(seq: int, head_hash: str, key: str, chain: int = 1) -> str:
    # Chain 1 keeps the message the single chain's head was signed with.
    message = f"audit-head|{seq}|{head_hash}" if chain == 1 else f"audit-head|{chain}|{seq}|{head_hash}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def checkpoint_text(heads: Iterable[tuple[int, int, str]]) -> str:
    """The signed form of every chain's (number, position, hash), in chain order."""
    return ",".join(f"{number}:{seq}:{head_hash}" for number, seq, head_hash in sorted(heads))


def parse_checkpoint(text: str) -> dict[int, tuple[int, str]]:
    heads: dict[int, tuple[int, str]] = {}
    for part in filter(None, text.split(",")):
        number, seq, head_hash = part.split(":")
        heads[int(number)] = (int(seq), head_hash)
    return heads


def checkpoint_signature(text: str, key: str) -> str:
    return hmac.new(key.encode(), f"audit-checkpoint|{text}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    position: int | None = None
    reason: str = ""
    chain: int = 1

    def __str__(self) -> str:
        if self.ok:
            return f"OK {self.count} entries"
        where = "" if self.chain == 1 else f" in chain {self.chain}"
        checked = f"({self.count} entries checked before it)"
        return f"BROKEN at position {self.position}: {self.reason} {checked}{where}"


class Checkpoint(NamedTuple):
    id: int
    heads: str
    signature: str


class Head(NamedTuple):
    seq: int
    hash: str
    signature: str


# Fetches the rows whose seq lies in [low, high], ordered by seq.
WindowReader = Callable[[int, int], list[ChainRow]]


def verify_all(
    chains: Iterable[tuple[int, Iterable[Sequence[Any]]]],
    *,
    heads: dict[int, Head],
    checkpoints: Iterable[Checkpoint],
    key: str,
    window_for: Callable[[int], WindowReader],
) -> Verdict:
    """Check every chain (``chains``: number and rows in ``seq`` order, by chain) and the checkpoints.

    Each checkpoint must be signed with ``key``; the positions and hashes it
    records are anchors every chain must still hold (a chain named in one
    must exist). Chains are checked in order; the first break is reported,
    with the entries of the chains before it counted.
    """
    anchors: dict[int, dict[int, str]] = {}
    for checkpoint in checkpoints:
        if not hmac.compare_digest(checkpoint_signature(checkpoint.heads, key), checkpoint.signature):
            return Verdict(
                False, 0, checkpoint.id, "a checkpoint's signature does not match (checkpoint edited)"
            )
        for number, (seq, head_hash) in parse_checkpoint(checkpoint.heads).items():
            if seq > 0:
                anchors.setdefault(number, {})[seq] = head_hash
    total = 0
    seen: set[int] = set()

    def check(number: int, rows: Iterable[Sequence[Any]]) -> Verdict:
        seen.add(number)
        verdict = verify(
            rows,
            head=heads.get(number),
            key=key,
            read_window=window_for(number),
            chain=number,
            anchors=anchors.get(number, {}),
        )
        return replace(verdict, count=total + verdict.count)

    for number, rows in chains:
        verdict = check(number, rows)
        if not verdict.ok:
            return verdict
        total = verdict.count
    for number in sorted((set(heads) | set(anchors)) - seen):
        verdict = check(number, ())
        if not verdict.ok:
            return verdict
        total = verdict.count
    return Verdict(True, total)


def verify(
    rows: Iterable[Sequence[Any]],
    *,
    head: Head | None,
    key: str,
    read_window: WindowReader,
    chain: int = 1,
    anchors: dict[int, str] | None = None,
) -> Verdict:
    """Check one chain given as rows in ``seq`` order against its signed head.

    1. Every row must sit at the next position, link to the hash of the row
       before it, and hash to its stored hash; the first that does not is
       diagnosed from a window of rows around it.
    2. The head must be signed with ``key`` and name the last row's position
       and hash: a shorter chain was truncated, a longer one was appended to
       outside ``record``, a different last hash means a rewritten chain.
    3. Every anchor (position: hash, from signed checkpoints) must be there
       with that hash: a chain cut back below one was truncated, even if an
       old signed head was put back with it.
    """
    anchors = anchors or {}
    expected_seq = 1
    expected_prev = GENESIS_HASH
    for row in rows:
        if row[0] != expected_seq or row[10] != expected_prev or row_hash(row, chain) != row[11]:
            position, reason = _diagnose(expected_seq, expected_prev, read_window, chain)
            return Verdict(False, expected_seq - 1, position, reason, chain)
        if anchors and expected_seq in anchors and anchors[expected_seq] != row[11]:
            return Verdict(
                False,
                expected_seq - 1,
                expected_seq,
                "rewritten: the entry does not match a signed checkpoint",
                chain,
            )
        expected_prev = row[11]
        expected_seq += 1
    count = expected_seq - 1
    anchored = max(anchors, default=0)
    if head is None:
        # A chain never written to has no head yet; one with entries, or named by a checkpoint, must.
        if count == 0 and anchored == 0:
            return Verdict(True, 0, chain=chain)
        return Verdict(False, count, max(count, 1), "the signed chain head row is missing", chain)
    if head.seq != 0 or head.signature:
        signature = head_signature(head.seq, head.hash, key, chain)
        if not hmac.compare_digest(signature, head.signature):
            return Verdict(
                False, count, head.seq, "the chain head's signature does not match (head edited)", chain
            )
    if max(head.seq, anchored) > count:
        recorded, by = (head.seq, "the head") if head.seq >= anchored else (anchored, "a signed checkpoint")
        return Verdict(
            False,
            count,
            count + 1,
            f"truncated: {by} records {recorded} entries, the chain ends at {count}",
            chain,
        )
    if head.seq < count:
        return Verdict(False, count, head.seq + 1, "inserted: entries after the signed head", chain)
    if head.hash != expected_prev:
        return Verdict(False, count, count, "rewritten: the last entry does not match the signed head", chain)
    return Verdict(True, count, chain=chain)


def _diagnose(position: int, expected_prev: str, read_window: WindowReader, chain: int) -> tuple[int, str]:
    """Name what happened at the first position where the chain breaks."""
    window = read_window(max(1, position - DIAGNOSIS_WINDOW), position + DIAGNOSIS_WINDOW)
    by_seq = {row.seq: row for row in window}
    here = by_seq.get(position)
    if here is None:
        following = [row.seq for row in window if row.seq > position]
        if following:
            return position, f"deleted: positions {position} to {following[0] - 1} are missing"
        return position, "deleted: the entries from this position on are missing"
    if row_hash(here, chain) == here.hash:
        # Intact on its own but linked to another row: rows were deleted
        # before it (and the rest renumbered), or it was inserted here.
        for row in window:
            if row.seq > position and row.prev_hash == expected_prev and row_hash(row, chain) == row.hash:
                return position, f"inserted: {row.seq - position} entries not linked into the chain"
        return position, "deleted or inserted: the entry does not follow the one before it"
    written_at = _original_position(here, window, chain)
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


def _original_position(row: ChainRow, window: list[ChainRow], chain: int) -> int | None:
    for candidate in range(max(1, row.seq - DIAGNOSIS_WINDOW), row.seq + DIAGNOSIS_WINDOW + 1):
        if candidate != row.seq and row_hash(row._replace(seq=candidate), chain) == row.hash:
            return candidate
    return None
