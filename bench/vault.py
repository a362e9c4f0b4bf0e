"""The Aadhaar vault at state scale: bulk store, lookups, and the scan.

    # 1. Store N numbers through the bulk path (importing an existing register),
    #    into a database of its own (migrated first):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_vaultbench \\
        .venv/bin/python bench/vault.py store --count 7600000

    # 2. Look numbers up: reference + vault row (what the register's uniqueness
    #    check and e-KYC do), and reveal (decrypt + audit row), p50/p95/p99:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_vaultbench \\
        .venv/bin/python bench/vault.py lookup --lookups 5000

    # 3. The scan over a full-state register (every text column of every table):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/vault.py scan

Numbers are made up: the n-th is a keyed permutation of n (lib.identifiers)
with a first digit 2-9 and a Verhoeff check digit, so runs are repeatable and
``store`` is idempotent across runs (``--start`` continues a run). Each
figure is printed with the load average and the core count.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import machine, percentiles

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from himaccess.accounts.models import User  # noqa: E402
from himaccess.lib.identifiers import permute, verhoeff_check_digit  # noqa: E402
from himaccess.vault import actions, scan  # noqa: E402
from himaccess.vault.models import VaultEntry  # noqa: E402

BENCH_KEY = "vault-bench"


def number(n: int) -> str:
    """The n-th made-up number: 2-9, ten permuted digits, check digit."""
    body = f"{2 + n % 8}{permute(n // 8, BENCH_KEY):010d}"
    return body + str(verhoeff_check_digit(body))


def numbers(start: int, count: int) -> Iterator[str]:
    for n in range(start, start + count):
        yield number(n)


def bench_store(count: int, start: int, batch: int) -> None:
    before = VaultEntry.objects.count()
    print(f"{before:,} rows in the vault before {machine()}")
    started = time.perf_counter()
    report_every = max(batch, count // 20)
    stored = actions.store_many(numbers(start, count), actor=None, purpose="bench", batch_size=batch)
    for done, _ref in enumerate(stored, start=1):
        if done % report_every == 0:
            elapsed = time.perf_counter() - started
            print(f"  {done:,} stored, {done / elapsed:,.0f}/s {machine()}", flush=True)
    elapsed = time.perf_counter() - started
    after = VaultEntry.objects.count()
    print(
        f"store_many: {count:,} numbers ({after - before:,} new rows) in {elapsed:.1f} s = "
        f"{count / elapsed:,.0f} numbers/s, batch {batch} {machine()}"
    )
    single = [number(start + count + i) for i in range(500)]
    t0 = time.perf_counter()
    for one in single:
        actions.store(one, actor=None, purpose="bench")
    elapsed = time.perf_counter() - t0
    print(
        f"store (one at a time, each with its audit row): {len(single) / elapsed:,.0f} numbers/s {machine()}"
    )


def _actor() -> User:
    user, _ = User.objects.get_or_create(
        username="vault-bench", defaults={"kind": User.Kind.OFFICIAL, "is_active": True}
    )
    return user


def bench_lookup(lookups: int, seed: int) -> None:
    stored = VaultEntry.objects.count()
    if not stored:
        sys.exit("the vault is empty: run `store` first")
    rng = random.Random(seed)
    # Numbers stored by `store` are number(0) .. number(stored - 1) (plus the singles after them).
    picks = [number(rng.randrange(stored - 500 if stored > 1000 else stored)) for _ in range(lookups)]
    print(f"{stored:,} rows in the vault {machine()}")
    timings: list[float] = []
    for one in picks:
        t0 = time.perf_counter()
        reference = actions.reference_for(one)
        found = actions.last4(reference)
        timings.append((time.perf_counter() - t0) * 1000)
        assert found == one[-4:]
    print(f"lookup (validate, reference, vault row): {percentiles(timings, 3)} {machine()}")
    actor = _actor()
    timings = []
    for one in picks[: max(1, lookups // 5)]:
        reference = actions.reference_for(one)
        t0 = time.perf_counter()
        revealed = actions.reveal(reference, purpose="ekyc", actor=actor)
        timings.append((time.perf_counter() - t0) * 1000)
        assert revealed == one
    print(f"reveal (decrypt + audit row): {percentiles(timings, 3)} {machine()}")


def bench_scan() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_member")
        members = cursor.fetchone()[0]
    print(f"{members:,} members {machine()}")
    columns = scan._text_columns("default")
    total_started = time.perf_counter()
    findings = 0
    for table in sorted(columns):
        if not columns[table]:
            continue
        t0 = time.perf_counter()
        found = list(scan.scan_table(table, columns[table]))
        elapsed = time.perf_counter() - t0
        findings += len(found)
        if elapsed > 1 or found:
            print(f"  {table}: {len(columns[table])} text columns, {elapsed:.1f} s, {len(found)} findings")
        for finding in found[:3]:
            print(f"    {finding}")
    elapsed = time.perf_counter() - total_started
    print(
        f"scan of {len(columns)} tables, {sum(map(len, columns.values()))} text columns: {elapsed:.1f} s, "
        f"{findings} findings {machine()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    store = sub.add_parser("store")
    store.add_argument("--count", type=int, default=100_000)
    store.add_argument("--start", type=int, default=0)
    store.add_argument("--batch", type=int, default=actions.STORE_BATCH)
    lookup = sub.add_parser("lookup")
    lookup.add_argument("--lookups", type=int, default=5000)
    lookup.add_argument("--seed", type=int, default=1)
    sub.add_parser("scan")
    args = parser.parse_args()
    if args.what == "store":
        bench_store(args.count, args.start, args.batch)
    elif args.what == "lookup":
        bench_lookup(args.lookups, args.seed)
    else:
        bench_scan()


if __name__ == "__main__":
    main()
