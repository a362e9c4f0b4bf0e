"""The whole state under load: the product served as in production, stepped up with Locust until it breaks.

    flock /work/notes/bench.lock .venv/bin/python bench/state_load.py \\
        [--database-url postgres://postgres@127.0.0.1:5432/himaccess_bench] [--steps 8,16,32,64] \\
        [--step-seconds 60] [--workers 2 --threads 8] [--shedding 4] [--scenarios citizen,officer,...]

1. The database: if it does not exist, bench/seed_state.py builds it
   (``--families``), then ``himaccess seed_history`` adds a year of history
   when that command exists (a note says so when it does not;
   ``--with-history`` runs it on an existing database too).
2. Fixtures, reused by later runs: ``--citizens`` heads of families of the
   largest tehsil, each logged in (the session an OTP login leaves, as
   bench/services_submit.py makes them); a patwari and a tehsildar of that
   tehsil; a department data client with consents of ``--consents`` members
   (bench/department_reads.py); a ledger client of a benchmark pension scheme
   with ``--enrolments`` sanctioned enrolments, each paid once per month of
   the last year at most.
3. The product as deployed: ``himaccess collectstatic`` once, gunicorn (gthread)
   on himaccess.wsgi with DEBUG off, a Celery worker on ``--broker``
   (RabbitMQ by default), the shared cache on Redis (``--cache-url``).
   ``--shedding N`` serves with the capacity middleware (``lib.capacity``):
   N requests at once per process, the rest 503 with Retry-After.
4. Locust (bench/state_load_users.py, a process of its own) steps the users
   up; every step warms up and is then measured afresh. Per step and
   scenario it prints throughput, p50/p95/p99, failures, the 429/503 answers
   and whether each had a Retry-After, the peak RSS of gunicorn and Celery,
   the load average and the cores; then the break point (the first step
   whose failures pass 1 %, whose p95 passes 2 s, or whose throughput grows
   less than 5 % over the step before).
5. Nothing lost: every application the server acknowledged (the redirect to
   its page after "Submit") must be a submitted row, every 201 of the ledger
   a payment row; and the SMS queued during the run must all be handed over
   by the Celery worker within a minute.

Everything (server, PostgreSQL, Celery, RabbitMQ, Redis, Locust) shares the
machine's cores: the figures are a floor for a machine of this size.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.measure import audit_key, machine, register_key  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/himaccess_bench"
# Static files collected once with the production storage (hashed names), kept between runs.
STATIC_ROOT = Path(tempfile.gettempdir()) / "himaccess-load-static"
PURPOSE = "bench-pension-check"
LEDGER_SCHEME = "bench-load-pension"
LEDGER_CLIENT = "Benchmark load ledger"
BREAK_FAILURES = 0.01
BREAK_P95_MS = 2000
SIZING = (
    "sizing: 6,200 applications a day on average is 0.07/s over the day; a deadline day of 3 lakh is "
    "3.5/s over the day, about 10/s in its busiest hours"
)


def options_parser(description: str = __doc__ or "") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--families", type=int, default=1_930_000, help="to seed when the database is missing"
    )
    parser.add_argument("--with-history", action="store_true", help="run `himaccess seed_history` here too")
    parser.add_argument("--steps", default="8,16,32,64", help="users at each step")
    parser.add_argument("--step-seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=8)
    parser.add_argument("--scenarios", default="citizen,officer,department,ledger")
    parser.add_argument("--citizens", type=int, default=400)
    parser.add_argument("--consents", type=int, default=5000)
    parser.add_argument("--enrolments", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8794)
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument(
        "--shedding", type=int, default=0, help="requests at once per process; 0: no shedding"
    )
    parser.add_argument("--queue-ms", type=int, default=250, help="how long a request waits for a slot")
    return parser


# ------------------------------------------------------------------ the database


def database_exists(url: str) -> bool:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin = urlparse(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def ensure_database(options: argparse.Namespace) -> None:
    """Seed the database when it is missing; add a year of history when the command for it exists."""
    built = False
    if not database_exists(options.database_url):
        print(f"database missing: seeding {options.families:,} families with bench/seed_state.py")
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench/seed_state.py"),
                *("--families", str(options.families), "--database-url", options.database_url, "--fresh"),
            ],
            check=True,
            cwd=ROOT,
        )
        built = True
    from django.core.management import get_commands

    if "seed_history" not in get_commands():
        print("note: `himaccess seed_history` is not in this checkout; running without a year of history")
    elif built or options.with_history:
        print("adding a year of history: himaccess seed_history")
        subprocess.run(
            [str(ROOT / ".venv/bin/himaccess"), "seed_history"],
            check=True,
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": options.database_url, "REGISTER_ID_KEY": register_key()},
        )


def server_environment(options: argparse.Namespace, workdir: str) -> dict[str, str]:
    """The settings production runs with (docs/deploy.md), on this machine's services."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": options.database_url,
            "HIMACCESS_DATA_DIR": workdir,
            "STATIC_ROOT": str(STATIC_ROOT),
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or "bench-only-" + secrets.token_hex(16),
            "AUDIT_HMAC_KEY": audit_key(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            "OIDC_RSA_PRIVATE_KEY_FILE": "",
            # The kept register's one key (``measure.register_key``): its seed's and every run's.
            "REGISTER_ID_KEY": register_key(),
            "CACHE_URL": options.cache_url,
            "CELERY_BROKER_URL": options.broker,
            "SMS_BACKEND": "file",
            # Production configures its signing keys; here they are made once, before the server starts.
            "GENERATE_SIGNING_KEYS": "true",
            # A benchmark's citizens file far more than a person does in a day.
            "SERVICES_DRAFTS_PER_DAY": "1000",
            "SERVICES_SUBMISSIONS_PER_DAY": "1000",
            "DJANGO_SETTINGS_MODULE": "himaccess.settings",
            "MAX_CONCURRENT_REQUESTS": str(options.shedding),
            "CAPACITY_QUEUE_MILLISECONDS": str(options.queue_ms),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def setup_django(options: argparse.Namespace, workdir: str) -> dict[str, str]:
    # Stopped from outside (a time limit), still stop the server processes in the callers' finally.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    env = server_environment(options, workdir)
    os.environ.update(env)
    # This process only prepares and counts: plain settings, whatever the server runs with.
    os.environ["DJANGO_SETTINGS_MODULE"] = "himaccess.settings"
    import django

    django.setup()
    from himaccess.lib import signing

    # Made here, so the server's processes read one key instead of racing to make their own.
    signing.active_key("certificate")
    return env


# ------------------------------------------------------------------ fixtures


def _sessions(users: list[Any]) -> list[str]:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for user in users:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(str(store.session_key))
    return keys


def citizens_and_officers(count: int) -> tuple[list[tuple[str, str]], list[str], int]:
    """Logged-in heads of families of the largest tehsil, and a patwari and a tehsildar there."""
    from django.db import connection

    from himaccess.accounts.models import Level, Posting, Role, User
    from himaccess.registry.models import CitizenLink, Member

    with connection.cursor() as cursor:
        cursor.execute(
            # The same sample every run, so later runs reuse the citizens and officers made before.
            "SELECT tehsil_id FROM registry_family TABLESAMPLE SYSTEM (1) REPEATABLE (7) "
            "WHERE tehsil_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        raise SystemExit("the register is empty: seed it first (bench/seed_state.py)")
    tehsil = int(row[0])
    heads = list(
        Member.objects.filter(family__tehsil_id=tehsil, relation="head", life_status="living")
        .exclude(mobile="")
        .order_by("pk")[:count]
    )
    citizens: list[tuple[str, str]] = []
    users = []
    for member in heads:
        link = CitizenLink.objects.filter(member=member).select_related("user").first()
        if link is None:
            user = User.objects.create_user(
                username=f"load-{member.member_id}", kind=User.Kind.CITIZEN, mobile=member.mobile
            )
            CitizenLink.objects.create(user=user, member=member)
        else:
            user = link.user
        users.append(user)
    for member, key in zip(heads, _sessions(users), strict=True):
        citizens.append((key, member.member_id))
    officers = []
    for role in (Role.PATWARI, Role.TEHSILDAR):
        user, created = User.objects.get_or_create(
            username=f"load-{role}-{tehsil}", defaults={"kind": User.Kind.OFFICIAL}
        )
        if created:
            Posting.objects.create(user=user, role=role, level=Level.TEHSIL, tehsil_id=tehsil)
        officers.append(user)
    return citizens, _sessions(officers), tehsil


def department_credentials(count: int) -> dict[str, Any]:
    """A department data client (client credentials) and members who consented to its purpose."""
    from bench import department_reads
    from himaccess.sharing.models import ConsentRequest

    client, secret = department_reads.client_and_secret()
    consented = list(
        ConsentRequest.objects.filter(client=client, decision="approved").values_list(
            "member__member_id", flat=True
        )[:count]
    )
    if len(consented) < count:
        sampled = department_reads.sample_members(count - len(consented))
        department_reads.give_consents(client, sampled)
        consented += [member_id for _pk, member_id in sampled]
    return {"client_id": client.client_id, "secret": secret, "purpose": PURPOSE, "members": consented}


def ledger_credentials(count: int) -> dict[str, Any]:
    """A ledger client of a benchmark pension scheme; the (member, month) payments not yet made."""
    from django.db import connection
    from django.utils import timezone

    from himaccess.departments.models import Department
    from himaccess.schemes import ledger
    from himaccess.schemes.actions.clients import create_department_client
    from himaccess.schemes.models import Benefit, Enrolment, Scheme

    department = Department.objects.get(pk="social_justice")
    scheme, _created = Scheme.objects.get_or_create(
        scheme_id=LEDGER_SCHEME,
        defaults={
            "name_en": "Benchmark pension",
            "name_hi": "बेंचमार्क पेंशन",
            "department": department,
            "is_social_security_pension": False,
        },
    )
    have = Enrolment.objects.filter(scheme=scheme).count()
    if have < count:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM registry_member TABLESAMPLE SYSTEM (1) WHERE life_status = 'living' "
                "AND id NOT IN (SELECT member_id FROM schemes_enrolment WHERE scheme_id = %s) LIMIT %s",
                [scheme.pk, count - have],
            )
            members = [row[0] for row in cursor.fetchall()]
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    reference=f"LD{pk:012d}"[:14],
                    member_id=pk,
                    scheme=scheme,
                    status=Enrolment.Status.SANCTIONED,
                    filed_by=ledger._system_user(),
                )
                for pk in members
            ],
            batch_size=5000,
        )
        # Enrolled well over a year ago, so every month of the last year may be paid.
        Enrolment.objects.filter(scheme=scheme).update(filed_at=timezone.now() - timedelta(days=400))
    _client, token = create_department_client(LEDGER_CLIENT, department, acting_user=None)
    today = timezone.localdate()
    months: list[date] = []
    month = today.replace(day=1)
    for _ in range(12):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    paid = set(Benefit.objects.filter(scheme=scheme).values_list("member__member_id", "period"))
    enrolled = Enrolment.objects.filter(scheme=scheme).values_list("member__member_id", flat=True)
    pending = [(m, p.strftime("%Y-%m")) for m in enrolled for p in months if (m, p) not in paid]
    return {"scheme_id": LEDGER_SCHEME, "token": token, "paid_on": today.isoformat(), "pending": pending}


def fixtures(options: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    scenarios = options.scenarios.split(",")
    fixture: dict[str, Any] = {"scenarios": scenarios}
    citizens, officers, tehsil = citizens_and_officers(options.citizens)
    fixture.update(citizens=citizens, officers=officers)
    if "department" in scenarios:
        fixture["department"] = department_credentials(options.consents)
    if "ledger" in scenarios:
        fixture["ledger"] = ledger_credentials(options.enrolments)
    from django.db import connections

    connections.close_all()
    print(
        f"fixtures: {len(citizens)} citizens and 2 officers of tehsil {tehsil}, "
        f"{len(fixture.get('department', {}).get('members', []))} consented members, "
        f"{len(fixture.get('ledger', {}).get('pending', []))} ledger payments to make; "
        f"{time.perf_counter() - started:.1f} s"
    )
    return fixture


# ------------------------------------------------------------------ serving


def collect_static(env: dict[str, str]) -> None:
    if (STATIC_ROOT / "staticfiles.json").exists():
        return
    print(f"collecting static files into {STATIC_ROOT} (once)")
    subprocess.run(
        [str(ROOT / ".venv/bin/himaccess"), "collectstatic", "--noinput", "--verbosity", "0"],
        check=True,
        cwd=ROOT,
        env=env,
    )


def start_celery(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            *("-A", "himaccess.celery", "worker", "--pool", "solo", "--loglevel", "warning"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def start_gunicorn(options: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "himaccess.wsgi:application",
            *("--bind", f"127.0.0.1:{options.port}", "--worker-class", "gthread"),
            *("--workers", str(options.workers), "--threads", str(options.threads)),
            *("--keep-alive", "30", "--timeout", "60", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def wait_until_serving(port: int, seconds: float = 60) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer on port {port} within {seconds:.0f} s")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def purge_queue() -> None:
    from himaccess.celery import app as celery_app

    celery_app.control.purge()


# ------------------------------------------------------------------ running and reporting


def run_users(fixture: dict[str, Any], workdir: str) -> dict[str, Any]:
    path = Path(workdir) / "fixture.json"
    out = Path(workdir) / "result.json"
    path.write_text(json.dumps(fixture))
    subprocess.run([sys.executable, str(ROOT / "bench/state_load_users.py"), str(path), str(out)], check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def counts() -> dict[str, int]:
    from himaccess.applications.models import Application
    from himaccess.notifications.models import SmsMessage
    from himaccess.schemes.models import Benefit

    return {
        "applications": Application.objects.exclude(status="draft").count(),
        "benefits": Benefit.objects.count(),
        "sms": SmsMessage.objects.count(),
    }


def check_nothing_lost(
    result: dict[str, Any], before: dict[str, int], drain_seconds: float = 60
) -> list[str]:
    """Every acknowledged application and payment stored once; every SMS queued handed over."""
    from himaccess.applications.models import Application
    from himaccess.notifications.models import SmsMessage
    from himaccess.schemes.models import Benefit

    lines = []
    numbers = result["acknowledged"]["applications"]
    stored = Application.objects.filter(number__in=numbers).exclude(status="draft").count()
    after = counts()
    lines.append(
        f"applications: {len(numbers)} acknowledged, {stored} of them stored as submitted "
        f"(lost {len(numbers) - stored}); "
        f"submitted rows added during the run {after['applications'] - before['applications']}"
    )
    references = result["acknowledged"]["benefits"]
    booked = Benefit.objects.filter(payment_reference__in=references).count()
    added = after["benefits"] - before["benefits"]
    lines.append(
        f"ledger: {len(references)} payments acknowledged (201), {booked} stored "
        f"(lost {len(references) - booked}); payment rows added {added} "
        f"({added - booked} without an acknowledgement)"
    )
    started = time.monotonic()
    pending = SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED)
    while pending.exists() and time.monotonic() - started < drain_seconds:
        time.sleep(1)
    lines.append(
        f"SMS: {after['sms'] - before['sms']} queued during the run, {pending.count()} still undelivered "
        f"{time.monotonic() - started:.0f} s after it"
    )
    return lines


def report(result: dict[str, Any]) -> None:
    previous_rps = 0.0
    broke: str | None = None
    for step in result["steps"]:
        scenarios = step["scenarios"]
        total_rps = sum(s["rps"] for s in scenarios.values())
        requests = sum(s["requests"] for s in scenarios.values())
        failures = sum(s["failures"] for s in scenarios.values())
        worst_p95 = max((s["p95"] for s in scenarios.values()), default=0)
        one, five, _fifteen = step["load"]
        print(
            f"\n== {step['users']} users: {total_rps:.1f} requests/s, {failures}/{requests} failed; "
            f"gunicorn + Celery RSS peak {step['rss_mib']:.0f} MiB; load average {one:.2f} {five:.2f} "
            f"on {step['cores']} cores"
        )
        for name, s in sorted(scenarios.items()):
            print(
                f"   {name:<11} {s['rps']:7.1f} req/s  p50 {s['p50']:6.0f} ms  p95 {s['p95']:6.0f} ms  "
                f"p99 {s['p99']:6.0f} ms  failures {s['failures']}/{s['requests']}"
            )
        submits = sum(
            n["requests"] - n["failures"]
            for s in scenarios.values()
            for name, n in s["names"].items()
            if name == "citizen: submit with upload"
        )
        print(f"   applications submitted: {submits / step['seconds']:.2f}/s")
        if step["refusals"]:
            print(f"   over-capacity answers: {step['refusals']}")
        if broke is None:
            if requests and failures / requests > BREAK_FAILURES:
                broke = f"{step['users']} users (failures {failures / requests:.1%})"
            elif worst_p95 > BREAK_P95_MS:
                broke = f"{step['users']} users (p95 {worst_p95:.0f} ms)"
            elif previous_rps and total_rps < previous_rps * 1.05:
                broke = (
                    f"{step['users']} users (throughput {total_rps:.1f}/s, no more than {previous_rps:.1f}/s)"
                )
        previous_rps = total_rps
    print(f"\nbreak point: {broke or 'not reached at the last step'}")
    print(SIZING)


def main() -> None:
    options = options_parser().parse_args()
    workdir = tempfile.mkdtemp(prefix="himaccess-load-")
    env = setup_django(options, workdir)
    print(f"before: {machine()}")
    ensure_database(options)
    fixture = fixtures(options)
    fixture.update(
        host=f"http://127.0.0.1:{options.port}",
        steps=[int(n) for n in options.steps.split(",")],
        step_seconds=options.step_seconds,
        warmup_seconds=options.warmup,
    )
    collect_static(env)
    purge_queue()
    processes = [start_celery(env), start_gunicorn(options, env)]
    try:
        wait_until_serving(options.port)
        fixture["watch_pids"] = [p.pid for p in processes]
        before = counts()
        print(
            f"serving: gunicorn gthread {options.workers}x{options.threads}, Celery on {options.broker}, "
            f"cache {options.cache_url}, shedding "
            + (f"{options.shedding} at once, {options.queue_ms} ms queue" if options.shedding else "off")
        )
        result = run_users(fixture, workdir)
        report(result)
        for line in check_nothing_lost(result, before):
            print(line)
    finally:
        stop(processes)
    print(f"after: {machine()}")


if __name__ == "__main__":
    main()
