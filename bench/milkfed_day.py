"""A day of milk for 40,000 farmers through the API, then a month's statements and payments, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h16_milk .venv/bin/python bench/milkfed_day.py \\
        [--farmers 40000] [--society-size 150] [--fresh]

1. Setup (not timed): with ``--fresh`` (or an empty database) the database is
   dropped, created, migrated and given the reference geography, and
   ``himaccess seed`` adds enough synthetic families. Then ``--farmers``
   living adults become dairy farmers of societies of ``--society-size``
   members (rows written in bulk: registration one by one is not what is
   measured), each society with a secretary login.
2. Timed: the first day of last month, both shifts, posted through the API
   (``POST /api/v1/milkfed/societies/{code}/collections``, the full middleware
   stack through Django's test client, each society's secretary logged in),
   one request per society and shift: total time, rows per second, request
   latency percentiles.
3. The rest of last month is filled by one INSERT ... SELECT (not timed: the
   API path was measured in 2.).
4. Timed: ``statements.compute`` for the month (one set-based SQL statement),
   then ``statements.pay`` (ledger rows, idempotency keys, one SMS row each,
   committed together), then the SMS batches it queued handed over as a
   Celery worker would (the in-memory backend stands in for the gateway).

Prints the figures with the load average and the core count.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
from measure import himaccess, machine, percentiles, recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h16_milk"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--farmers", type=int, default=40_000)
    parser.add_argument("--society-size", type=int, default=150)
    parser.add_argument("--fresh", action="store_true")
    options = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of your own.")
    if options.fresh:
        recreate_database(url)
    himaccess("migrate", "--verbosity", "0")

    import django

    django.setup()
    from django.conf import settings

    settings.SMS_BACKEND = "memory"
    settings.ALLOWED_HOSTS = ["*"]

    from himaccess.geography.loading import load_reference_geography
    from himaccess.geography.models import District
    from himaccess.registry.models import Member

    if not District.objects.exists():
        load_reference_geography()
    adults = Member.objects.filter(life_status="living", date_of_birth__lte=date(2004, 1, 1))
    if adults.count() < options.farmers:
        families = int(options.farmers / 2.2) + 1000
        print(f"seeding {families:,} families ...", flush=True)
        himaccess("seed", "--families", str(families), "--workers", "1")
    run(options, machine, percentiles)


def run(options: argparse.Namespace, machine: object, percentiles: object) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from himaccess.accounts.models import User
    from himaccess.milkfed import statements
    from himaccess.milkfed.models import (
        MILK_SCHEME_ID,
        Collection,
        DairyFarmer,
        Membership,
        Secretary,
        Society,
        Statement,
    )
    from himaccess.notifications.tasks import deliver_sms_batch
    from himaccess.registry.models import Member
    from himaccess.schemes import ledger
    from himaccess.schemes.models import Benefit, Enrolment, Scheme

    today = timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    joined = month - timedelta(days=365)
    started = time.perf_counter()
    if DairyFarmer.objects.count() < options.farmers:
        # A clean slate for the Milkfed tables, then farmers, memberships and enrolments in bulk.
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE milkfed_collection, milkfed_statement, milkfed_upload, milkfed_membership, "
                "milkfed_secretary, milkfed_dairyfarmer, milkfed_society CASCADE"
            )
        Benefit.objects.filter(scheme__scheme_id=MILK_SCHEME_ID).delete()
        Enrolment.objects.filter(scheme__scheme_id=MILK_SCHEME_ID).delete()
        scheme = Scheme.objects.get(scheme_id=MILK_SCHEME_ID)
        members = list(
            Member.objects.filter(life_status="living", date_of_birth__lte=date(2004, 1, 1))
            .order_by("family__district_id", "family_id", "pk")
            .values_list("pk", "family__district_id")[: options.farmers]
        )
        registrar = ledger._system_user()
        societies: list[Society] = []
        for index in range(0, len(members), options.society_size):
            district = members[index][1]
            societies.append(
                Society(
                    code=f"B-{index // options.society_size:05d}",
                    name_en=f"Bench society {index // options.society_size}",
                    name_hi=f"बेंच सभा {index // options.society_size}",
                    district_id=district,
                )
            )
        Society.objects.bulk_create(societies)
        societies = list(Society.objects.order_by("code"))
        enrolments = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    reference=f"EB{pk:012d}"[:14],
                    member_id=pk,
                    scheme=scheme,
                    status=Enrolment.Status.SANCTIONED,
                    filed_by=registrar,
                )
                for pk, _district in members
            ],
            batch_size=5000,
        )
        Enrolment.objects.filter(scheme=scheme).update(filed_at=timezone.now() - timedelta(days=400))
        farmers = DairyFarmer.objects.bulk_create(
            [
                DairyFarmer(member_id=e.member_id, enrolment=e, channel="official", registered_by=registrar)
                for e in enrolments
            ],
            batch_size=5000,
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    farmer=f,
                    society=societies[i // options.society_size],
                    joined_on=joined,
                    recorded_by=registrar,
                )
                for i, f in enumerate(farmers)
            ],
            batch_size=5000,
        )
        for society in societies:
            user, _created = User.objects.get_or_create(
                username=f"bench-secretary-{society.code}", defaults={"kind": User.Kind.OFFICIAL}
            )
            Secretary.objects.create(society=society, user=user, started_on=joined)
        print(
            f"setup: {len(farmers):,} farmers in {len(societies)} societies "
            f"({time.perf_counter() - started:.0f} s)"
        )
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE milkfed_collection, milkfed_statement, milkfed_upload CASCADE")
    Benefit.objects.filter(scheme__scheme_id=MILK_SCHEME_ID).delete()

    # The day's batches: each society posts its morning, then its evening shift.
    batches: list[tuple[Client, str, str]] = []
    rows_total = 0
    for society in Society.objects.order_by("code"):
        secretary = Secretary.objects.get(society=society, ended_on__isnull=True).user
        client = Client()
        client.force_login(secretary)
        member_ids = list(
            Membership.objects.filter(society=society, left_on__isnull=True).values_list(
                "farmer__member__member_id", flat=True
            )
        )
        for shift in ("morning", "evening"):
            rows = [
                {
                    "member_id": member_id,
                    "date": month.isoformat(),
                    "shift": shift,
                    "animal": "buffalo" if n % 20 == 0 else "cow",
                    "litres": round(2 + (n * 7 % 90) / 10, 1),
                    "fat": round((6.2 if n % 20 == 0 else 3.3) + (n % 9) / 10, 1),
                    "snf": round(8.2 + (n % 8) / 10, 1),
                }
                for n, member_id in enumerate(member_ids)
            ]
            rows_total += len(rows)
            batches.append((client, society.code, json.dumps(rows)))
    latencies: list[float] = []
    started = time.perf_counter()
    for client, code, body in batches:
        t0 = time.perf_counter()
        answer = client.post(
            f"/api/v1/milkfed/societies/{code}/collections", body, content_type="application/json"
        )
        latencies.append((time.perf_counter() - t0) * 1000)
        if answer.status_code != 201:
            sys.exit(f"{code}: {answer.status_code} {answer.content[:300]!r}")
    day_seconds = time.perf_counter() - started
    stored = Collection.objects.count()
    print(
        f"one day through the API: {rows_total:,} rows ({stored:,} stored) "
        f"in {len(batches)} society batches: "
        f"{day_seconds:.1f} s, {rows_total / day_seconds:,.0f} rows/s"
    )
    print(f"  per batch: {percentiles(latencies)}")  # type: ignore[operator]
    print(f"  {machine()}")  # type: ignore[operator]

    _, end = statements.month_bounds(month)
    days = (end - month).days
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # The rest of the month: each day's rows as the first day's, litres varied a little.
        cursor.execute(
            """
            INSERT INTO milkfed_collection (society_id, farmer_id, date, shift, animal, litres_x100,
                                            fat_x100, snf_x100, upload_id)
            SELECT c.society_id, c.farmer_id, c.date + d, c.shift, c.animal,
                   GREATEST(10, c.litres_x100 + ((c.farmer_id + d) %% 7 - 3) * 10), c.fat_x100, c.snf_x100,
                   c.upload_id
            FROM milkfed_collection c CROSS JOIN generate_series(1, %s) AS d
            WHERE c.date = %s
            """,
            [days - 1, month],
        )
    print(
        f"rest of the month filled by SQL: {Collection.objects.count():,} rows "
        f"({time.perf_counter() - started:.0f} s, not a measured path)"
    )

    started = time.perf_counter()
    written = statements.compute(month, acting_user=None)
    compute_seconds = time.perf_counter() - started
    print(f"statements for {month:%Y-%m}: {written:,} in {compute_seconds:.1f} s (one SQL statement)")
    print(f"  {machine()}")  # type: ignore[operator]
    # The payment commits with its SMS rows; the batches it queues after commit are what Celery
    # workers take from the broker. Kept here and handed over next, each part timed on its own.
    queued: list[list[int]] = []
    started = time.perf_counter()
    with mock.patch.object(deliver_sms_batch, "delay", side_effect=queued.append):
        paid = statements.pay(month, paid_on=today, acting_user=None)
    pay_seconds = time.perf_counter() - started
    total = sum(Statement.objects.filter(month=month).values_list("paid_rupees", flat=True))
    print(
        f"payments: {paid.paid:,} ledger rows and {paid.messages:,} SMS rows committed in "
        f"{pay_seconds:.1f} s (Rs {total:,} in all), {len(queued)} SMS batches queued"
    )
    print(f"  {machine()}")  # type: ignore[operator]
    started = time.perf_counter()
    outcomes: dict[str, int] = {}
    for batch in queued:
        for outcome, count in deliver_sms_batch(batch).items():
            outcomes[outcome] = outcomes.get(outcome, 0) + count
    took = time.perf_counter() - started
    print(f"SMS handed over (in-memory gateway, one worker): {outcomes} in {took:.1f} s")
    print(f"  {machine()}")  # type: ignore[operator]


if __name__ == "__main__":
    main()
