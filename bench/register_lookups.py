"""Family-by-ID latency over a seeded register (the register's hottest read).

Samples Family IDs from the database named by DATABASE_URL and times, for
each, what the family page and the API do: the family with its address and
its living members. Prints p50/p95/p99 over the samples, first through the
ORM (what every view does), then through the JSON API end to end (routing,
scoping, serialisation) with an official of the state.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/register_lookups.py --lookups 2000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import percentiles

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from himaccess.accounts.models import Level, Posting, Role, User  # noqa: E402
from himaccess.registry.access import get_family_for  # noqa: E402
from himaccess.registry.models import Family  # noqa: E402


def sample_ids(count: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_family")
        total = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            share = min(100.0, 100.0 * count * 3 / max(total, 1))
            cursor.execute(
                f"SELECT family_id FROM registry_family TABLESAMPLE SYSTEM ({share:.4f}) LIMIT %s",
                [count],
            )
        else:
            cursor.execute("SELECT family_id FROM registry_family ORDER BY random() LIMIT %s", [count])
        ids = [row[0] for row in cursor.fetchall()]
    print(f"{total:,} families; {len(ids)} sampled")
    return ids


def bench_orm(user: User, ids: list[str]) -> list[float]:
    timings = []
    for family_id in ids:
        start = time.perf_counter()
        family = get_family_for(user, family_id)
        list(family.living_members())
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def bench_api(client: Client, ids: list[str]) -> list[float]:
    timings = []
    for family_id in ids:
        start = time.perf_counter()
        response = client.get(f"/api/v1/families/{family_id}")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    setup_test_environment()
    user, created = User.objects.get_or_create(username="bench.state", defaults={"kind": User.Kind.OFFICIAL})
    if created:
        Posting.objects.create(user=user, role=Role.STATE_ADMIN, level=Level.STATE)
    ids = sample_ids(args.lookups)
    bench_orm(user, ids[:50])  # warm the connection and caches
    print("family by ID through the ORM: ", percentiles(bench_orm(user, ids), 2))
    client = Client()
    client.force_login(user)
    print("family by ID through the API:  ", percentiles(bench_api(client, ids), 2))
    print("(the API figure includes writing one access-log row per read)")
    print(f"families in the database: {Family.objects.count():,}")


if __name__ == "__main__":
    main()
