"""A season's procurement of natural wheat at 22 centres with concurrent weighments, then the payment run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h16_nf .venv/bin/python bench/natural_farming_season.py \\
        [--farmers 2500] [--centres 22] [--workers 8] [--fresh]

1. Setup (not timed): with ``--fresh`` the database is dropped, created,
   migrated and given the reference geography; ``himaccess seed`` adds
   synthetic families when there are too few members with a bank account.
   ``--farmers`` such members become certified natural farmers (rows in
   bulk: registration is not what is measured), enrolled in the procurement
   scheme; ``--centres`` centres across the districts each get an operator
   login and a wheat window open all of today.
2. Timed: every farmer delivers twice at their centre (300-950 kg each), and
   one in ten tries a third delivery that would pass the 20-quintal cap; a
   share of farmers deliver their two loads at the same moment from two
   scales. ``--workers`` threads post through the centre API
   (``POST /api/v1/natural-farming/centres/{code}/weighments`` with an
   Idempotency-Key, the full middleware stack through Django's test client,
   each operator logged in). Prints weighments per second and request
   latency percentiles, and checks that no farmer went over the cap.
3. Timed: the payment run (one payment per farmer, one SMS row each; SMS
   hand-over is the in-memory backend), then, a month later, the month's
   rows posted to the benefit ledger.

Prints the figures with the load average and the core count.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import sys
import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
from measure import himaccess, machine, percentiles, recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h16_nf"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
CAP_KG = 2000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--farmers", type=int, default=2500)
    parser.add_argument("--centres", type=int, default=22)
    parser.add_argument("--workers", type=int, default=8)
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
    if Member.objects.living().exclude(bank_account="").count() < options.farmers:
        families = options.farmers // 2 + 500
        print(f"seeding {families:,} families ...", flush=True)
        himaccess("seed", "--families", str(families), "--workers", "1")
    run(options)


def setup(options: argparse.Namespace) -> tuple[list[tuple[str, str]], dict[str, object]]:
    """Farmers, centres, operators and windows; returns (farmer reference, centre code) pairs and clients."""
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from himaccess.accounts.models import Level, Posting, Role, User
    from himaccess.geography.models import District
    from himaccess.natural_farming.ledger import SCHEME_ID
    from himaccess.natural_farming.models import (
        CentreOperator,
        CertificationStatus,
        CollectionCentre,
        Farmer,
        ProcurementWindow,
    )
    from himaccess.registry.models import Member
    from himaccess.schemes import ledger
    from himaccess.schemes.models import Benefit, Enrolment, Scheme

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE natural_farming_weighment, natural_farming_payment, natural_farming_certificationstep, "
            "natural_farming_landparcel, natural_farming_farmer, natural_farming_procurementwindow, "
            "natural_farming_centreoperator, natural_farming_collectioncentre CASCADE"
        )
    Benefit.objects.filter(scheme__scheme_id=SCHEME_ID).delete()
    Enrolment.objects.filter(scheme__scheme_id=SCHEME_ID).delete()
    scheme = Scheme.objects.get(scheme_id=SCHEME_ID)
    registrar = ledger._system_user()
    today = timezone.localdate()
    districts = list(District.objects.order_by("pk"))
    centres = []
    for index in range(options.centres):
        district = districts[index % len(districts)]
        centres.append(
            CollectionCentre(
                code=f"bench-{index:02d}",
                name_en=f"Bench centre {index}",
                name_hi=f"बेंच केंद्र {index}",
                district=district,
            )
        )
    CollectionCentre.objects.bulk_create(centres)
    clients: dict[str, object] = {}
    for centre in CollectionCentre.objects.order_by("code"):
        user, _created = User.objects.get_or_create(
            username=f"bench-operator-{centre.code}", defaults={"kind": User.Kind.OFFICIAL}
        )
        if not Posting.objects.filter(user=user, ended_at__isnull=True).exists():
            Posting.objects.create(
                user=user,
                role=Role.DEPARTMENT_OFFICER,
                level=Level.DISTRICT,
                district=centre.district,
                department_id="food_civil_supplies",
            )
        CentreOperator.objects.create(user=user, centre=centre)
        ProcurementWindow.objects.create(
            centre=centre,
            crop="wheat",
            season=f"bench-{today:%Y%m%d}",
            opens_on=today,
            closes_on=today,
            daily_from=clock(0, 0),
            daily_until=clock(23, 59, 59),
        )
        client = Client()
        client.force_login(user)
        clients[centre.code] = client
    members = list(
        Member.objects.living()
        .exclude(bank_account="")
        .exclude(bank_ifsc="")
        .order_by("pk")
        .values_list("pk", flat=True)[: options.farmers]
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                reference=f"EN{pk:012d}"[:14],
                member_id=pk,
                scheme=scheme,
                status=Enrolment.Status.SANCTIONED,
                filed_by=registrar,
            )
            for pk in members
        ],
        batch_size=5000,
    )
    Enrolment.objects.filter(scheme=scheme).update(filed_at=timezone.now() - timedelta(days=30))
    Farmer.objects.bulk_create(
        [
            Farmer(
                reference=f"N{pk:011d}",
                member_id=pk,
                status=CertificationStatus.CERTIFIED,
                certified_until=today + timedelta(days=365),
                channel=Farmer.Channel.OFFICIAL,
                registered_by=registrar,
            )
            for pk in members
        ],
        batch_size=5000,
    )
    codes = sorted(clients)
    pairs = [(f"N{pk:011d}", codes[i % len(codes)]) for i, pk in enumerate(members)]
    return pairs, clients


def run(options: argparse.Namespace) -> None:
    from django.db import connections
    from django.db.models import Sum
    from django.utils import timezone

    from himaccess.natural_farming import actions, ledger
    from himaccess.natural_farming.models import Payment, Weighment

    started = time.perf_counter()
    pairs, clients = setup(options)
    print(
        f"setup: {len(pairs):,} certified farmers at {len(clients)} centres "
        f"({time.perf_counter() - started:.0f} s)"
    )

    rng = random.Random(2025)
    jobs: list[tuple[str, str, float, str]] = []
    for farmer, code in pairs:
        first, second = rng.randint(300, 950), rng.randint(300, 950)
        jobs.append((farmer, code, first, f"{farmer}:1"))
        jobs.append((farmer, code, second, f"{farmer}:2"))
        if rng.random() < 0.1:
            jobs.append((farmer, code, CAP_KG - 250, f"{farmer}:3"))  # over the cap with the first two
    rng.shuffle(jobs)
    work: queue.Queue[tuple[str, str, float, str]] = queue.Queue()
    for job in jobs:
        work.put(job)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker() -> None:
        try:
            while True:
                try:
                    farmer, code, kg, key = work.get_nowait()
                except queue.Empty:
                    return
                body = json.dumps({"farmer": farmer, "crop": "wheat", "kg": kg, "moisture_percent": 11})
                begin = time.perf_counter()
                answer = clients[code].post(  # type: ignore[attr-defined]
                    f"/api/v1/natural-farming/centres/{code}/weighments",
                    body,
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=key,
                )
                elapsed = (time.perf_counter() - begin) * 1000
                with lock:
                    latencies.append(elapsed)
                    statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
        finally:
            connections.close_all()

    print(f"weighing: {len(jobs):,} requests from {options.workers} threads ...", flush=True)
    begin = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(options.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - begin
    written = Weighment.objects.count()
    over = Weighment.objects.values("farmer").annotate(kg=Sum("kg")).filter(kg__gt=CAP_KG).count()
    print(
        f"weighments: {written:,} written, answers {dict(sorted(statuses.items()))} in {seconds:.1f} s: "
        f"{len(jobs) / seconds:.1f} requests/s, {written / seconds:.1f} weighments/s; "
        f"{percentiles(latencies)}"
    )
    print(f"farmers over the cap: {over}")

    begin = time.perf_counter()
    paid = actions.run_payments()
    pay_seconds = time.perf_counter() - begin
    print(
        f"payment run: {paid.paid:,} farmers, {paid.weighments:,} weighments, Rs {paid.amount:,} "
        f"in {pay_seconds:.1f} s ({paid.paid / pay_seconds:.0f} farmers/s)"
    )
    import time_machine

    next_month = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=2)
    with time_machine.travel(datetime.combine(next_month, clock(11, 0)), tick=True):
        begin = time.perf_counter()
        rows = ledger.post_closed_months()
        ledger_seconds = time.perf_counter() - begin
    print(f"ledger: {rows:,} month rows posted in {ledger_seconds:.1f} s")
    assert Payment.objects.filter(ledger_period__isnull=True).count() == 0
    print(machine())


if __name__ == "__main__":
    main()
