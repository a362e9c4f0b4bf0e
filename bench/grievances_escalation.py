"""CM Seva Sankalp at scale on PostgreSQL: the escalation job and helpline registrations.

1. A year of complaints (1.5 lakh, default) across the shipped departments and
   every tehsil, in mixed states, loaded with COPY; the public dashboard's
   aggregate figures are timed over them.
2. A stress set of open complaints (1 million, default), all past their
   deadline at level 1, loaded with COPY; ``escalate_overdue`` is timed over
   them (target: under 30 s), and a second run (nothing due) too.
3. Registrations per second through the agent console's API
   (POST /api/v1/grievances/complaints as a logged-in helpline agent, Django's
   test client in one process: routing, reference number, steps, audit, SMS rows).

It uses its own database (dropped and recreated):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_grievance_bench \
        .venv/bin/python bench/grievances_escalation.py [--year 150000] [--open 1000000] [--registrations 1000]
"""

# Long lines: generated row tuples and report lines read better whole.
# ruff: noqa: E501
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from measure import recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/himaccess_grievance_bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=150_000)
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--registrations", type=int, default=1000)
    args = parser.parse_args()

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("this benchmark needs PostgreSQL (DATABASE_URL=postgres://...)")
    recreate_database(url)
    os.environ["HIMACCESS_DATA_DIR"] = tempfile.mkdtemp(prefix="himaccess-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    settings.SMS_BACKEND = "memory"
    call_command("migrate", verbosity=0)

    from himaccess.accounts.models import Level, Posting, Role, User
    from himaccess.geography.loading import load_reference_geography
    from himaccess.geography.models import Tehsil
    from himaccess.grievances import escalation, figures
    from himaccess.grievances.models import Category, LadderLevel

    load_reference_geography()
    rng = random.Random(7)
    tehsils = list(Tehsil.objects.values_list("pk", "district_id"))
    leaves = list(
        Category.objects.filter(children__isnull=True).values_list("pk", "department_id", "time_limit_days")
    )

    # Officials: every tehsil-level handler in every tehsil, every district rung in every district, the state rungs.
    def official(name: str, **posting: object) -> None:
        user = User.objects.create(
            username=name, kind=User.Kind.OFFICIAL, password="!", mobile=f"94{rng.randrange(10**8):08d}"
        )
        Posting.objects.create(user=user, **posting)

    for tehsil, _district in tehsils:
        official(f"tehsildar-{tehsil}", role=Role.TEHSILDAR, level=Level.TEHSIL, tehsil_id=tehsil)
    for rung in LadderLevel.objects.all():
        if rung.area_level == Level.STATE:
            official(
                f"{rung.department_id}-{rung.number}",
                role=rung.role,
                level=Level.STATE,
                department_id=rung.department_id,
            )
        elif rung.area_level == Level.DISTRICT:
            for district in {d for _, d in tehsils}:
                name = (
                    f"{rung.role}-{district}"
                    if rung.role == Role.DEPUTY_COMMISSIONER
                    else f"{rung.department_id}-{rung.number}-{district}"
                )
                if not User.objects.filter(username=name).exists():
                    dept = None if rung.role == Role.DEPUTY_COMMISSIONER else rung.department_id
                    official(
                        name, role=rung.role, level=Level.DISTRICT, district_id=district, department_id=dept
                    )
    officers = list(User.objects.filter(username__startswith="tehsildar-").values_list("pk", flat=True))
    print(
        f"officials: {User.objects.count()}, ladder rungs: {LadderLevel.objects.count()}, leaf categories: {len(leaves)}"
    )

    columns = (
        "reference, channel, category_id, department_id, description, complainant_name, complainant_mobile,"
        " district_id, tehsil_id, status, level, assignee_id, routed_up, created_at, sla_due_at, due_at,"
        " first_action_at, resolved_at, resolution_note, resolution_attachment, resolution_round, confirm_by,"
        " closed_at, closed_how, reopen_count, rating"
    )
    now = timezone.now()

    def load(count: int, prefix: str, make_state: object) -> float:
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY grievances_complaint ({columns}) FROM STDIN") as copy,
        ):
            for n in range(count):
                category, department, days = leaves[n % len(leaves)]
                tehsil, district = tehsils[(n * 7) % len(tehsils)]
                row = make_state(n, days)  # type: ignore[operator]
                copy.write_row(
                    (
                        f"{prefix}{n:011d}",
                        "helpline",
                        category,
                        department,
                        "Complaint text",
                        "",
                        f"98{n % 10**8:08d}",
                        district,
                        tehsil,
                        *row,
                    )
                )
        return time.perf_counter() - started

    def year_state(n: int, days: int) -> tuple[object, ...]:
        created = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
        sla = created + timedelta(days=days)
        first = created + timedelta(hours=rng.randrange(1, 96))
        roll = rng.random()
        assignee = officers[n % len(officers)]
        if roll < 0.80:  # closed
            resolved = created + timedelta(hours=rng.randrange(2, days * 24 + 120))
            confirmed = rng.random() < 0.85
            return (
                "closed",
                1,
                assignee,
                False,
                created,
                sla,
                sla,
                first,
                resolved,
                "Done",
                "",
                1,
                resolved + timedelta(days=7),
                resolved + timedelta(days=rng.randrange(1, 7)),
                "confirmed" if confirmed else "no_answer",
                1 if rng.random() < 0.08 else 0,
                rng.choice([1, 2, 3, 4, 4, 5, 5, 5]) if confirmed else None,
            )
        if roll < 0.85:  # awaiting the citizen
            resolved = now - timedelta(days=rng.randrange(0, 7))
            return (
                "resolved",
                1,
                assignee,
                False,
                created,
                sla,
                sla,
                first,
                resolved,
                "Done",
                "",
                1,
                resolved + timedelta(days=7),
                None,
                "",
                0,
                None,
            )
        level = rng.choice([1, 1, 1, 2, 2, 3, 4])
        return (
            "open",
            level,
            assignee,
            False,
            created,
            sla,
            now + timedelta(hours=rng.randrange(-300, 300)),
            first,
            None,
            "",
            "",
            0,
            None,
            None,
            "",
            0,
            None,
        )

    def open_state(n: int, days: int) -> tuple[object, ...]:
        created = now - timedelta(days=days + 1)
        sla = created + timedelta(days=days)
        return (
            "open",
            1,
            officers[n % len(officers)],
            False,
            created,
            sla,
            sla,
            None,
            None,
            "",
            "",
            0,
            None,
            None,
            "",
            0,
            None,
        )

    seconds = load(args.year, "Y", year_state)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE grievances_complaint")
    print(f"year set: {args.year:,} complaints loaded with COPY in {seconds:.1f} s")
    for by in ("department", "district", "officer"):
        started = time.perf_counter()
        rows = figures.figures(by)
        print(f"  figures by {by}: {len(rows)} rows in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    outcome = escalation.escalate_overdue()
    print(f"  escalation over the year set: {outcome.rows:,} escalated in {outcome.seconds:.2f} s")

    seconds = load(args.open, "Z", open_state)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE grievances_complaint")
        cursor.execute("SELECT count(*) FROM grievances_complaint WHERE status = 'open'")
        open_count = cursor.fetchone()[0]
    print(
        f"stress set: {args.open:,} open complaints past their deadline loaded with COPY in {seconds:.1f} s ({open_count:,} open in all)"
    )
    outcome = escalation.escalate_overdue()
    print(
        f"  escalate_overdue: {outcome.rows:,} complaints escalated in {outcome.batches} batches, {outcome.seconds:.1f} s"
        f" ({outcome.rows / outcome.seconds:,.0f} per second); officers notified: {len(outcome.escalated_to) + len(outcome.escalated_from)}"
    )
    outcome = escalation.escalate_overdue()
    print(f"  second run (nothing newly due): {outcome.rows:,} escalated in {outcome.seconds:.2f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM grievances_complaintstep WHERE kind = 'escalated'")
        print(f"  escalation steps written: {cursor.fetchone()[0]:,}")

    # Registrations through the agent console's API.
    agent = User.objects.create(username="sunita-bench", kind=User.Kind.OFFICIAL, password="!")
    Posting.objects.create(user=agent, role=Role.HELPLINE_AGENT, level=Level.STATE)
    client = Client()
    client.force_login(agent)
    codes = list(Category.objects.filter(children__isnull=True).values_list("code", flat=True))
    started = time.perf_counter()
    for n in range(args.registrations):
        tehsil, district = tehsils[n % len(tehsils)]
        response = client.post(
            "/api/v1/grievances/complaints",
            {
                "mobile": f"97{n:08d}",
                "category": codes[n % len(codes)],
                "description": f"Caller's complaint {n}",
                "channel": "helpline",
                "location": {"district": district, "tehsil": tehsil},
            },
            content_type="application/json",
        )
        if response.status_code != 201:
            sys.exit(f"registration failed: {response.status_code} {response.content[:200]!r}")
    seconds = time.perf_counter() - started
    print(
        f"registrations through the agent API: {args.registrations:,} in {seconds:.1f} s = {args.registrations / seconds:.0f} per second"
        f" ({1000 * seconds / args.registrations:.1f} ms each), one process"
    )


if __name__ == "__main__":
    main()
