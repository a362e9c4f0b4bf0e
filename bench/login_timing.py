"""Does the citizen login take longer for a registered number than for an unknown one?

Asks for a login code (POST /accounts/citizen/) for many random registered
and unregistered numbers, interleaved in random order, each number once and
each request from its own address (so no rate limit is hit), through the
real page with Django's test client (routing, middleware, sessions, the code
row, the queued task). Prints the median and 95th percentile of each kind and
their difference (with a bootstrap interval for the median gap), with the
load average and the number of cores, since a shared machine makes every
figure noisier.

Runs as production does for this path: tasks go to a broker (an in-memory
one unless CELERY_BROKER_URL names another), never run inside the request.
Uses (and makes once) a dedicated PostgreSQL database with a small synthetic
population.

    .venv/bin/python bench/login_timing.py [--samples 400] [--families 1500]
    BENCH_DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... .venv/bin/python bench/login_timing.py
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/himaccess_login_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")


def ensure_database() -> None:
    import psycopg

    name = BENCH_URL.rsplit("/", 1)[1]
    with psycopg.connect(BENCH_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=400, help="requests per kind (known, unknown)")
    parser.add_argument("--families", type=int, default=1500, help="synthetic families to seed once")
    parser.add_argument("--warmup", type=int, default=40)
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from himaccess.accounts.models import User
    from himaccess.geography.models import District
    from himaccess.registry.models import Member

    setup_test_environment()  # ALLOWED_HOSTS for the test client; nothing else changes
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    if not District.objects.exists():
        call_command("load_geography", verbosity=0, stdout=io.StringIO())
    if not Member.objects.exclude(mobile="").exists():
        call_command("seed", families=args.families, seed=7, verbosity=0, stdout=io.StringIO())

    rng = random.Random()
    registered = set(Member.objects.exclude(mobile="").values_list("mobile", flat=True))
    registered |= set(User.objects.exclude(mobile="").values_list("mobile", flat=True))
    living = list(Member.objects.living().exclude(mobile="").values_list("mobile", flat=True).distinct())
    needed = args.samples + args.warmup
    if len(living) < needed:
        raise SystemExit(f"only {len(living)} registered numbers; use fewer --samples or more --families")
    known = rng.sample(living, needed)
    unknown: list[str] = []
    while len(unknown) < needed:
        number = f"{rng.choice('6789')}{rng.randrange(10**9):09d}"
        if number not in registered and number not in unknown:
            unknown.append(number)

    plan = [("known", m) for m in known] + [("unknown", m) for m in unknown]
    rng.shuffle(plan)
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    load_before = os.getloadavg()
    for i, (kind, mobile) in enumerate(plan):
        client = Client(REMOTE_ADDR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}")
        started = time.perf_counter()
        response = client.post("/accounts/citizen/", {"mobile": mobile})
        elapsed = time.perf_counter() - started
        assert response.status_code == 302, (kind, response.status_code)
        if i >= 2 * args.warmup:
            times[kind].append(elapsed * 1000)
    load_after = os.getloadavg()

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0] + "://" if settings.CELERY_BROKER_URL else ""
    where = f"queued to {broker}" if broker else "run in the request (no broker)"
    print(f"citizen login code requests on {engine}, tasks {where}, {len(plan)} requests")
    print(
        f"cores: {os.cpu_count()}; load average before {load_before[0]:.2f} {load_before[1]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f}"
    )
    for kind, values in times.items():
        print(
            f"  {kind:8} n={len(values):4}  median {statistics.median(values):6.2f} ms  "
            f"p95 {percentile(values, 0.95):6.2f} ms  mean {statistics.fmean(values):6.2f} ms"
        )
    median_gap = statistics.median(times["known"]) - statistics.median(times["unknown"])
    p95_gap = percentile(times["known"], 0.95) - percentile(times["unknown"], 0.95)
    print(f"  known - unknown: median {median_gap:+.2f} ms, p95 {p95_gap:+.2f} ms")
    # How much of that gap the noise alone could make: resample each kind, 1,000 times.
    gaps = sorted(
        statistics.median(rng.choices(times["known"], k=len(times["known"])))
        - statistics.median(rng.choices(times["unknown"], k=len(times["unknown"])))
        for _ in range(1000)
    )
    print(f"  95% interval of the median gap (bootstrap): {gaps[25]:+.2f} to {gaps[974]:+.2f} ms")


if __name__ == "__main__":
    main()
