"""Does write throughput rise with concurrent writers, and how many sessions wait on locks?

1. Makes a PostgreSQL database afresh (``--database-url``), migrates it, loads
   the reference geography and registers ``--families`` families through
   the real register actions, each head with a citizen login.
2. For each level in ``--levels`` (default 1 2 4 8 16) starts that many
   writer processes (each its own database connection) for ``--seconds``.
   Each writer cycles through its own share of the citizens and, for each,
   either files a complete application through the API
   (``POST /api/v1/services/applications``, Django's test client in the
   process: middleware, session, validation, ``file_complete``, SMS handed
   to the file backend) for one of several services, or, one time in
   ``--audited-every``, writes an audited login-like entry
   (``audit.record`` of the citizen in its own transaction, as every
   audited write ends).
3. Meanwhile the parent samples ``pg_stat_activity`` every 20 ms: active
   sessions of this database, and those waiting on a heavyweight lock
   (``wait_event_type = 'Lock'``).
4. Prints per level: operations/s, submissions/s, latency percentiles, the
   share of active sessions waiting on a lock, load average and cores.

    .venv/bin/python bench/write_concurrency.py [--families 400] [--seconds 10] [--levels 1,2,4,8,16]

Run against another checkout (e.g. the code before a change) by copying this
file into that checkout's bench/ and running it there: it imports the
project it sits in. Everything (writers, PostgreSQL, sampler) shares the
machine's cores; the figures are a floor.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from measure import machine, percentiles, recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/h17_bench"


def environment(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "false",
            # Fixed, so that a --reuse run signs the audit heads with the key the first run used.
            "SECRET_KEY": "bench-only-write-concurrency-secret-key",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "himaccess.settings",
            "OIDC_RSA_PRIVATE_KEY_FILE": "",
            "REGISTER_ID_KEY": "bench-only-register-key",
            "SMS_BACKEND": "file",
            "HIMACCESS_DATA_DIR": tempfile.mkdtemp(prefix="write-concurrency-"),
            # The bench's citizens file far more than a person does in a day.
            "SERVICES_DRAFTS_PER_DAY": "1000",
            "SERVICES_SUBMISSIONS_PER_DAY": "1000",
        }
    )


def _register(i: int, district: Any, village: Any) -> Any:
    from datetime import date

    from himaccess.geography.models import Block, Tehsil
    from himaccess.registry.models import Gender, MaritalStatus, Relation, Source

    try:  # the register's actions as one module (older checkouts) or split by concept
        from himaccess.registry.actions import families as fam
        from himaccess.registry.actions import members as mem
    except ImportError:
        from himaccess.registry import actions as fam  # type: ignore[no-redef]

        mem = fam
    return fam.register_family(
        fam.Address(
            district=district,
            tehsil=Tehsil.objects.get(pk=133),
            block=Block.objects.get(pk=182),
            village=village,
            pincode="175001",
            house=str(i),
        ),
        mem.NewMember(
            name_en="Ramesh Thakur",
            name_hi="रमेश ठाकुर",
            gender=Gender.MALE,
            date_of_birth=date(1980, 1, 1),
            relation=Relation.HEAD,
            marital_status=MaritalStatus.MARRIED,
            social_category="general",
            mobile=f"93{i:08d}",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )


def _answers(fields: list[dict[str, Any]], prefilled: set[str]) -> dict[str, Any] | None:
    """Plausible answers for a service's form, or None if it asks for something we cannot make up."""
    answers: dict[str, Any] = {}
    for spec in fields:
        name, kind = spec["name"], spec["type"]
        if name in prefilled or not spec.get("required", True):
            continue
        if kind in ("text", "textarea"):
            if spec.get("pattern"):
                return None
            answers[name] = "Bench answer"
        elif kind == "date":
            if spec.get("when") == "future":
                return None
            answers[name] = "2001-05-10"
        elif kind == "number":
            answers[name] = max(int(spec.get("min", 0)), 1)
        elif kind == "choice":
            answers[name] = spec["choices"][0]["value"]
        else:
            answers[name] = True
    return answers


def prepare(url: str, families: int, reuse: bool) -> tuple[list[tuple[int, str]], dict[str, dict[str, Any]]]:
    """(user id, member id) per citizen, and the services filed in the bench with their answers."""
    if not reuse:
        recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    if not reuse:
        call_command("migrate", verbosity=0)
    from himaccess.accounts.models import User
    from himaccess.catalog.models import Service
    from himaccess.geography.loading import load_reference_geography
    from himaccess.geography.models import District, Village
    from himaccess.registry import models as registry_models

    CitizenLink = getattr(registry_models, "CitizenLink", None)
    if CitizenLink is None:
        from himaccess.accounts.models import CitizenLink  # type: ignore[attr-defined,no-redef]

    citizens = []
    if reuse:  # the citizens a previous run registered
        links = CitizenLink.objects.filter(user__username__startswith="bench").select_related("member")
        citizens = [(link.user_id, link.member.member_id) for link in links.order_by("user_id")]
        family = links.first().member.family
    else:
        load_reference_geography()
        district = District.objects.get(pk=22)
        village = Village.objects.filter(district=district, pincode="175001").order_by("name_en").first()
        for i in range(families):
            family = _register(i, district, village)
            member = family.head()
            user = User.objects.create_user(
                username=f"bench{i}", kind=User.Kind.CITIZEN, mobile=member.mobile
            )
            CitizenLink.objects.create(user=user, member=member)
            citizens.append((user.pk, member.member_id))
    # Services a citizen can file for in one call, with no document: tried once each through the API.
    services: dict[str, dict[str, Any]] = {}
    client = Client()
    client.force_login(User.objects.get(pk=citizens[0][0]))
    try:  # the applications' actions split by concept, or one module (older checkouts)
        from himaccess.applications.actions import drafts
    except ImportError:
        from himaccess.applications import actions as drafts  # type: ignore[no-redef]

    candidates = Service.objects.offered().select_related("current_version").order_by("code")
    for service in candidates:
        version = service.current_version
        if version is None or not version.stages or any(d["required"] for d in version.documents):
            continue
        prefilled = set(drafts.prefill_for(service, family.head()))
        answers = _answers(version.form_fields, prefilled)
        if answers is None:
            continue
        body = {"service": service.code, "member_id": citizens[0][1], "answers": answers}
        response = client.post("/api/v1/services/applications", body, content_type="application/json")
        if response.status_code == 201:
            services[service.code] = answers
        if len(services) >= 6:
            break
    if not services:
        raise SystemExit("no service could be filed without documents")
    return citizens, services


def writer(
    index: int,
    share: list[tuple[int, str]],
    services: dict[str, dict[str, Any]],
    audited_every: int,
    ready: Any,
    seconds: float,
    results: Any,
) -> None:
    from django.db import connections, transaction
    from django.test import Client

    from himaccess.accounts.models import User
    from himaccess.audit import log as audit

    connections.close_all()
    clients = []
    for user_id, member_id in share:
        user = User.objects.get(pk=user_id)
        client = Client()
        client.force_login(user)
        clients.append((user, client, member_id))
    codes = sorted(services)
    latencies: list[float] = []
    submitted = audited = errors = 0
    n = index
    ready.wait()  # every writer has logged its citizens in
    stop_at = time.time() + seconds
    while time.time() < stop_at:
        user, client, member_id = clients[n % len(clients)]
        began = time.perf_counter()
        if n % audited_every == 0:
            with transaction.atomic():
                audit.record(user, "account.login", user, after={"bench": True}, source="accounts")
            audited += 1
        else:
            code = codes[n % len(codes)]
            body = {"service": code, "member_id": member_id, "answers": services[code]}
            response = client.post("/api/v1/services/applications", body, content_type="application/json")
            if response.status_code == 201:
                submitted += 1
            else:
                errors += 1
        latencies.append((time.perf_counter() - began) * 1000)
        n += 1
    results.put({"submitted": submitted, "audited": audited, "errors": errors, "latencies": latencies})
    connections.close_all()


class Sampler(threading.Thread):
    """Active sessions of the database and those waiting on a lock, every 20 ms."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.active = 0
        self.waiting = 0
        self.samples = 0
        # What the waiting sessions wait for (lock type) and on which statement: the first place to look.
        self.waits: Counter[tuple[str, str]] = Counter()
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        name = self.url.rsplit("/", 1)[1]
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(
                    # A row lock is awaited holding a tuple lock on that row: its table names the row.
                    "SELECT a.wait_event_type, a.wait_event, "
                    "left(regexp_replace(a.query, '\\s+', ' ', 'g'), 90) || coalesce(' (row of ' || "
                    "(SELECT string_agg(DISTINCT l.relation::regclass::text, ', ') "
                    "FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'tuple') || ')', '') "
                    "FROM pg_stat_activity a "
                    "WHERE a.datname = %s AND a.state = 'active' AND a.pid <> pg_backend_pid()",
                    (name,),
                ).fetchall()
                self.active += len(rows)
                for kind, event, query in rows:
                    if kind == "Lock":
                        self.waiting += 1
                        self.waits[(event, query)] += 1
                self.samples += 1
                time.sleep(0.02)


def run_level(
    args: argparse.Namespace, writers: int, citizens: list[tuple[int, str]], services: dict
) -> None:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    ready = context.Barrier(writers + 1)
    processes = [
        context.Process(
            target=writer,
            args=(i, citizens[i::writers], services, args.audited_every, ready, args.seconds, results),
        )
        for i in range(writers)
    ]
    for process in processes:
        process.start()
    ready.wait()
    sampler = Sampler(args.database_url)
    sampler.start()
    time.sleep(args.seconds)
    sampler.stop.set()
    sampler.join()
    load = machine()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join()
    submitted = sum(o["submitted"] for o in outcomes)
    audited = sum(o["audited"] for o in outcomes)
    errors = sum(o["errors"] for o in outcomes)
    latencies = [ms for o in outcomes for ms in o["latencies"]]
    active = sampler.active / max(sampler.samples, 1)
    waiting = sampler.waiting / max(sampler.samples, 1)
    share = sampler.waiting / sampler.active if sampler.active else 0.0
    print(
        f"writers {writers:2d}: {(submitted + audited) / args.seconds:6.1f} ops/s "
        f"({submitted / args.seconds:5.1f} submissions/s, {audited / args.seconds:4.1f} audited logins/s, "
        f"{errors} errors)  {percentiles(latencies) if len(latencies) > 1 else ''}\n"
        f"            active sessions {active:4.2f}, waiting on a lock {waiting:4.2f} "
        f"({100 * share:4.1f}% of active)  [{load}]",
        flush=True,
    )
    for (event, query), count in sampler.waits.most_common(3):
        share_of_active = 100 * count / max(sampler.active, 1)
        print(f"            {share_of_active:4.1f}% waiting on {event}: {query}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--families", type=int, default=400)
    parser.add_argument("--reuse", action="store_true", help="use the citizens of a previous run's database")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--levels", default="1,2,4,8,16")
    parser.add_argument("--audited-every", type=int, default=5, help="one operation in N is an audited login")
    args = parser.parse_args()
    environment(args.database_url)
    started = time.perf_counter()
    citizens, services = prepare(args.database_url, args.families, args.reuse)
    print(
        f"{len(citizens)} citizens, services {', '.join(sorted(services))}; "
        f"prepared in {time.perf_counter() - started:.0f} s; code in {ROOT}",
        flush=True,
    )
    for level in (int(part) for part in args.levels.split(",")):
        run_level(args, level, citizens, services)
    from django.core.management import call_command

    call_command("audit", "verify")


if __name__ == "__main__":
    main()
