"""How long ``himaccess audit verify`` takes over 1 million and 10 million audit entries.

Makes (or reuses) a dedicated PostgreSQL database, migrates it, fills the
audit chain with COPY (the chain is computed in Python exactly as
``audit.log.record`` computes it), writes the signed head, then times
``verify_chain`` at each size. Prints rows/s for generation and verification.

    .venv/bin/python bench/audit_verify.py            # 1M and 10M
    .venv/bin/python bench/audit_verify.py 200000     # other sizes
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/audit_verify.py
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/himaccess_audit_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "source",
    "client_address",
    "prev_hash",
    "hash",
)


def ensure_database() -> None:
    import psycopg

    name = BENCH_URL.rsplit("/", 1)[1]
    with psycopg.connect(BENCH_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fill(upto: int) -> None:
    """Extend the chain to ``upto`` entries (from wherever it ends now)."""
    from django.conf import settings
    from django.db import connection

    from himaccess.audit import chain

    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
        head = cursor.fetchone()
    seq, prev = head if head else (0, chain.GENESIS_HASH)
    if seq >= upto:
        return
    started = time.perf_counter()
    base = datetime(2026, 1, 1, tzinfo=UTC)
    first = seq + 1
    raw = connection.connection  # the psycopg connection under Django's wrapper
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY audit_auditentry ({', '.join(COLUMNS)}) FROM STDIN") as copy,
    ):
        for seq in range(first, upto + 1):
            row = chain.ChainRow(
                seq,
                base + timedelta(milliseconds=seq * 37),
                None,
                "member.mobile_changed",
                "registry.member",
                f"M{seq:011d}",
                '{"mobile":"98160XXXXX"}',
                f'{{"mobile":"98161{seq % 100000:05d}"}}',
                "bench",
                "10.0.0.1",
                prev,
            )
            digest = chain.row_hash(row)
            copy.write_row((*row[:11], digest))
            prev = digest
    signature = chain.head_signature(upto, prev, settings.AUDIT_HMAC_KEY)
    with raw.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_audithead (id, seq, hash, signature, updated_at)"
            " VALUES (1, %s, %s, %s, now()) ON CONFLICT (id) DO UPDATE"
            " SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, signature = EXCLUDED.signature",
            (upto, prev, signature),
        )
    raw.commit()
    elapsed = time.perf_counter() - started
    made = upto - first + 1
    print(
        f"generated {made:,} entries in {elapsed:.1f} s"
        f" ({made / elapsed:,.0f} rows/s, chain computed in Python)"
    )


def main() -> None:
    import django

    sizes = [int(arg) for arg in sys.argv[1:]] or [1_000_000, 10_000_000]
    ensure_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from himaccess.audit.verification import verify_chain

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditentry")
        existing = cursor.fetchone()[0]
    if existing > min(sizes):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditentry, audit_audithead")
    for size in sorted(sizes):
        fill(size)
        started = time.perf_counter()
        verdict = verify_chain()
        elapsed = time.perf_counter() - started
        print(f"verify {size:,} entries: {verdict} in {elapsed:.1f} s ({size / elapsed:,.0f} rows/s)")


if __name__ == "__main__":
    main()
