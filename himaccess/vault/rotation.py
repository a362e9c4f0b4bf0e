"""Re-sealing the vault under its current key, in batches, resumable at any point.

A rotation walks the rows not yet under the current key, in id order,
``batch_size`` rows per transaction:

1. lock the batch (``SKIP LOCKED`` on PostgreSQL, so two workers never take
   the same rows and a store in progress is not waited on);
2. open each row with the key it names and seal it again under the current
   key with a fresh nonce;
3. save the batch and write one audit row (how many rows, from which keys,
   to which) in the same transaction.

The state of a rotation is the rows themselves: an interrupted rotation (a
stopped worker, a killed command) resumes by starting again, and only what
is still under an old key is read. An old key may leave ``VAULT_KEYS`` once
``himaccess vault status`` shows no row under it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from himaccess.audit import log as audit
from himaccess.vault import keys
from himaccess.vault.actions import open_entry, seal
from himaccess.vault.models import VaultEntry

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Batch:
    rotated: int
    last_id: int


def rows_by_key() -> dict[str, int]:
    """How many rows each key id seals."""
    counts = VaultEntry.objects.order_by().values("key_id").annotate(rows=Count("id"))
    return {row["key_id"]: row["rows"] for row in counts}


def remaining() -> int:
    return VaultEntry.objects.exclude(key_id=keys.key_ring().current_id).count()


@transaction.atomic
def rotate_batch(*, after_id: int = 0, batch_size: int = BATCH_SIZE) -> Batch:
    """Re-seal up to ``batch_size`` rows with ids above ``after_id`` that are not under the current key."""
    ring = keys.key_ring()
    rows = list(
        VaultEntry.objects.select_for_update(skip_locked=True)
        .filter(id__gt=after_id)
        .exclude(key_id=ring.current_id)
        .order_by("id")[:batch_size]
    )
    if not rows:
        return Batch(rotated=0, last_id=after_id)
    old_keys = sorted({row.key_id for row in rows})
    now = timezone.now()
    for row in rows:
        fresh = seal(open_entry(row, ring), row.reference, ring)
        row.key_id, row.nonce, row.ciphertext, row.sealed_at = (
            fresh.key_id,
            fresh.nonce,
            fresh.ciphertext,
            now,
        )
    VaultEntry.objects.bulk_update(rows, ["key_id", "nonce", "ciphertext", "sealed_at"])
    audit.record(
        None,
        "vault.rotated",
        None,
        after={"rows": len(rows), "from_keys": old_keys, "to_key": ring.current_id},
        source="vault",
    )
    return Batch(rotated=len(rows), last_id=rows[-1].id)


def rotate(
    *,
    batch_size: int = BATCH_SIZE,
    max_seconds: float | None = None,
    after_id: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Batch:
    """Rotate batch after batch until none is left or ``max_seconds`` have passed.

    Returns the rows rotated by this call and the id to continue after.
    """
    started = time.monotonic()
    total = 0
    while True:
        batch = rotate_batch(after_id=after_id, batch_size=batch_size)
        total += batch.rotated
        after_id = batch.last_id
        if progress is not None and batch.rotated:
            progress(total, after_id)
        if batch.rotated < batch_size:
            return Batch(rotated=total, last_id=after_id)
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            return Batch(rotated=total, last_id=after_id)
