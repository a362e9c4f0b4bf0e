"""The e-KYC campaign dashboard over the whole state: page latency with half the members done.

1. ``--prepare`` (once; skipped when states exist) gives half the living
   members a campaign state by SQL (every other member id: mostly verified,
   some done without Aadhaar, mismatched or failed), recounts the areas'
   tallies from the rows (``campaign.recount``, timed) and spreads the
   completions over 30 days of ``KycDay`` rows.
2. Times the dashboard page through Django's test client (routing, scope,
   queries, template, SVG) as the state administrator (every district) and as
   a district official, drilling into a district and a block; prints
   p50/p95/p99 with the load average and core count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/kyc_campaign.py --prepare --requests 200
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import machine, percentiles

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from himaccess.accounts.models import Level, Posting, Role, User  # noqa: E402
from himaccess.kyc import campaign  # noqa: E402
from himaccess.kyc.models import KycState, KycTally  # noqa: E402

AREA = (
    "f.district_id || ':' || f.tehsil_id || ':' || coalesce(f.block_id, 0) || ':' || "
    "coalesce(f.panchayat_id, 0) || ':' || coalesce(f.urban_body_id, 0)"
)


def prepare() -> None:
    if KycState.objects.exists():
        print(f"{KycState.objects.count():,} campaign states already present; not preparing again")
        return
    print(f"before prepare: {machine()}")
    start = time.perf_counter()
    areas = campaign.recount()
    print(f"recount (members by area): {areas:,} areas in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO kyc_kycstate (member_id, tally_id, state, method, field, changed_at)
            SELECT m.id, t.id,
                   CASE WHEN m.id % 100 < 90 THEN 'verified' WHEN m.id % 100 < 95 THEN 'without_aadhaar'
                        WHEN m.id % 100 < 98 THEN 'mismatch' ELSE 'failed' END,
                   CASE WHEN m.id % 100 BETWEEN 90 AND 94 THEN 'physical' ELSE 'aadhaar_otp' END,
                   CASE WHEN m.id % 100 BETWEEN 95 AND 97 THEN 'name' ELSE '' END,
                   now() - ((m.id % 30) || ' days')::interval
            FROM registry_member m
            JOIN registry_family f ON f.id = m.family_id
            JOIN kyc_kyctally t ON t.area = {AREA}
            WHERE m.life_status = 'living' AND f.status = 'active' AND m.id % 2 = 0
            """
        )
        print(f"states inserted: {cursor.rowcount:,} in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    campaign.recount()
    print(f"recount (members and states): {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE kyc_kycstate; ANALYZE kyc_kyctally; ANALYZE kyc_kycday")
    # The trend: the completions spread evenly over the last 30 days.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO kyc_kycday (tally_id, day, completed)
            SELECT t.id, (now() AT TIME ZONE 'Asia/Kolkata')::date - d, (t.verified + t.without_aadhaar) / 30
            FROM kyc_kyctally t CROSS JOIN generate_series(0, 29) AS d
            WHERE t.verified + t.without_aadhaar > 0
            """
        )


def official(username: str, role: str, level: str, **area: int) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"kind": User.Kind.OFFICIAL})
    if not user.postings.current().exists():
        Posting.objects.create(user=user, role=role, level=level, **area)
    return user


def time_page(client: Client, url: str, count: int) -> list[float]:
    client.get(url)  # warm: templates, translations, first connection
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if args.prepare:
        prepare()
    setup_test_environment()
    totals = KycTally.objects.all()
    members = sum(t.members for t in totals)
    done = sum(t.verified + t.without_aadhaar for t in totals)
    print(f"{KycTally.objects.count():,} areas, {members:,} living members, {done:,} done")
    district = KycTally.objects.values_list("district_id", flat=True).order_by("-members").first()
    assert district is not None, "no areas: run with --prepare first"
    block = (
        KycTally.objects.filter(district_id=district, block__isnull=False)
        .values_list("block_id", flat=True)
        .order_by("-members")
        .first()
    )
    state_admin = official("bench-kyc-state", Role.STATE_ADMIN, Level.STATE)
    collector = official("bench-kyc-district", Role.DEPUTY_COMMISSIONER, Level.DISTRICT, district_id=district)
    pages = [
        ("state admin, all districts", state_admin, "/kyc/campaign/"),
        ("state admin, one district's blocks", state_admin, f"/kyc/campaign/?district={district}"),
        (
            "state admin, one block's panchayats",
            state_admin,
            f"/kyc/campaign/?district={district}&block={block}",
        ),
        ("deputy commissioner, own district", collector, "/kyc/campaign/"),
    ]
    for label, user, url in pages:
        client = Client()
        client.force_login(user)
        print(f"before {label}: {machine()}")
        print(f"  {label:40s} {percentiles(time_page(client, url, args.requests))}")
    print(f"after: {machine()}")


if __name__ == "__main__":
    main()
