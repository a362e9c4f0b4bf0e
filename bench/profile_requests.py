"""Server CPU and SQL queries of four everyday requests, with a profile of where the time goes.

1. Makes a PostgreSQL database afresh (``--database-url``), migrates it, loads
   the reference geography and registers ``--families`` families in Mandi
   through the real register actions (a head and two children each, with
   names from a short list), each head with a citizen login; a tehsildar of
   Mandi for the search and, for the logins, an official with a password and
   a confirmed authenticator per timed, warm-up and profiled login (an
   authenticator code is accepted once).
2. Sends each request ``--repeat`` times (after ``--warmup`` untimed ones)
   with Django's test client in this process: URL routing, middleware,
   sessions, the view, the template, the SMS delivery (Celery runs tasks
   eagerly without a broker, so what a worker would spend is counted here):

   - ``submit``: ``POST /api/v1/services/applications`` (a character
     certificate, the register filling the form), as a logged-in citizen;
   - ``family``: the family page a citizen opens, ``GET /register/families/<id>/``;
   - ``otp-send`` and ``otp-verify``: a citizen asks for a login code, then enters it;
   - ``password`` and ``totp``: an official's two login steps;
   - ``search``: a tehsildar's name search, ``GET /register/search/?q=...``.

3. Prints per request: this process's CPU (``time.process_time``) and the
   CPU of its PostgreSQL backend (from ``/proc``, so the server must run on
   this machine; clock ticks, exact only as a sum over many requests), both in
   milliseconds per request, the SQL queries per request, and the statements
   sent more than once in one request; ``--sql`` every statement of one.
   ``--profile N`` adds the N functions taking most CPU time, cumulative and
   own, and the project's own functions alone (cProfile timed by CPU, in a
   separate pass so the profiler's cost does not enter the figures).

    .venv/bin/python bench/profile_requests.py [--database-url URL] [--families 60] [--repeat 40] \\
        [--warmup 5] [--profile 25] [--sql] [--only submit,family] [--keep | --reuse]

``--keep`` leaves the database for later runs, ``--reuse`` runs on what a
``--keep`` run left (no setup: useful to compare two checkouts, each
running its own copy of this script on the same rows).

It prints the load average and the cores; other processes on the machine
do not enter the CPU figures, but share caches and cores.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from measure import machine, recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/profile_requests"
ADDRESS = "127.0.0.1"
PASSWORD = "bench-only-official-password"
NAMES = [
    ("Ramesh Thakur", "रमेश ठाकुर"),
    ("Sunita Sharma", "सुनीता शर्मा"),
    ("Vijay Kumar", "विजय कुमार"),
    ("Kamla Devi", "कमला देवी"),
    ("Anil Chauhan", "अनिल चौहान"),
    ("Pooja Negi", "पूजा नेगी"),
]


def environment(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-profile-requests-secret-key",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "himaccess.settings",
            "OIDC_RSA_PRIVATE_KEY_FILE": "",
            "REGISTER_ID_KEY": "bench-only-register-key",
            "SMS_BACKEND": "file",
            "CELERY_BROKER_URL": "",
            "HIMACCESS_DATA_DIR": tempfile.mkdtemp(prefix="profile-requests-"),
            # The bench's citizens file far more than a person does in a day.
            "SERVICES_DRAFTS_PER_DAY": "1000",
            "SERVICES_SUBMISSIONS_PER_DAY": "1000",
        }
    )


@dataclass
class World:
    citizens: list[Any]  # citizen User per family head
    families: list[str]  # family id per citizen
    members: list[str]  # head's member id per citizen
    tehsildar: Any
    officials: list[Any]


def prepare(families: int, officials: int) -> World:
    from datetime import date

    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from himaccess.accounts.models import Level, Posting, Role, TotpDevice, User
    from himaccess.accounts.totp import new_secret
    from himaccess.geography.loading import load_reference_geography
    from himaccess.geography.models import Block, District, Tehsil, Village
    from himaccess.registry.actions import families as registry_families
    from himaccess.registry.actions import members
    from himaccess.registry.models import CitizenLink, Gender, MaritalStatus, Relation, Source

    load_reference_geography()
    district = District.objects.get(pk=22)
    tehsil = Tehsil.objects.get(pk=133)
    block = Block.objects.get(pk=182)
    village = Village.objects.filter(district=district, pincode="175001").order_by("name_en").first()
    world = World([], [], [], None, [])
    for i in range(families):
        name_en, name_hi = NAMES[i % len(NAMES)]
        family = registry_families.register_family(
            registry_families.Address(
                district=district, tehsil=tehsil, block=block, village=village, pincode="175001", house=str(i)
            ),
            members.NewMember(
                name_en=name_en,
                name_hi=name_hi,
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
        for child in range(2):
            child_en, child_hi = NAMES[(i + child + 1) % len(NAMES)]
            members.record_birth(
                family,
                members.NewMember(
                    name_en=child_en,
                    name_hi=child_hi,
                    gender=Gender.FEMALE,
                    date_of_birth=date(2005 + child, 3, 1),
                    relation=Relation.DAUGHTER,
                ),
                acting_user=None,
                source=Source.PANCHAYAT,
            )
        head = family.head()
        assert head is not None
        user = User.objects.create_user(username=f"bench{i}", kind=User.Kind.CITIZEN, mobile=head.mobile)
        CitizenLink.objects.create(user=user, member=head)
        world.citizens.append(user)
        world.families.append(family.family_id)
        world.members.append(head.member_id)
    world.tehsildar = User.objects.create_user(
        username="bench-tehsildar", kind=User.Kind.OFFICIAL, password=PASSWORD
    )
    Posting.objects.create(user=world.tehsildar, role=Role.TEHSILDAR, level=Level.TEHSIL, tehsil=tehsil)
    for i in range(officials):
        official = User.objects.create_user(username=f"bench-official-{i}", kind=User.Kind.OFFICIAL)
        official.password = world.tehsildar.password  # one slow hash for all, each still checked
        official.save(update_fields=["password"])
        Posting.objects.create(user=official, role=Role.TEHSILDAR, level=Level.TEHSIL, tehsil=tehsil)
        TotpDevice.objects.create(user=official, secret=new_secret(), confirmed_at=timezone.now())
        world.officials.append(official)
    return world


def reload(officials: int) -> World:
    """The world an earlier run (with ``--keep``) prepared."""
    from himaccess.accounts.models import User
    from himaccess.registry.models import CitizenLink

    links = CitizenLink.objects.filter(user__username__startswith="bench").select_related(
        "user", "member__family"
    )
    ordered = sorted(links, key=lambda link: int(link.user.username.removeprefix("bench")))
    found = User.objects.filter(username__startswith="bench-official-")
    by_number = sorted(found, key=lambda user: int(user.username.rpartition("-")[2]))
    if len(by_number) < officials:
        raise SystemExit(f"the kept database has {len(by_number)} officials, this run needs {officials}")
    return World(
        citizens=[link.user for link in ordered],
        families=[link.member.family.family_id for link in ordered],
        members=[link.member.member_id for link in ordered],
        tehsildar=User.objects.get(username="bench-tehsildar"),
        officials=by_number,
    )


def backend_cpu_ms(pid: int | None) -> float:
    """CPU (user + system) used so far by this connection's PostgreSQL backend."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    return int(row[0]) if row else None


@dataclass
class Figures:
    name: str
    cpu_ms: list[float] = field(default_factory=list)
    pg_ms: float = 0.0
    queries: list[int] = field(default_factory=list)
    repeated: Counter[str] = field(default_factory=Counter)
    statements: list[str] = field(default_factory=list)
    profile: str = ""

    def line(self) -> str:
        n = len(self.cpu_ms)
        cpu = sum(self.cpu_ms) / n
        pg = self.pg_ms / n
        ordered = sorted(self.cpu_ms)
        return (
            f"{self.name:<11} app CPU {cpu:6.2f} ms (median {ordered[n // 2]:6.2f})  "
            f"PostgreSQL backend {pg:5.2f} ms  total {cpu + pg:6.2f} ms  "
            f"queries {sum(self.queries) / n:5.1f}  (n={n})"
        )


def planning_ms(sql: str) -> float | None:
    """PostgreSQL's planning time for ``sql`` (the best of three, on a warm backend); None if not plannable.

    EXPLAIN without ANALYZE plans and does not run the statement: nothing is written or locked.
    """
    from django.db import connection

    if not sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
        return None
    times = []
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("EXPLAIN (SUMMARY ON) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            times += [
                float(line.split(":")[1].split()[0]) for line in lines if line.startswith("Planning Time")
            ]
    return min(times) if times else None


def print_plans(figures: Figures) -> None:
    """Each statement's planning time: a join of many tables can take longer to plan than to run."""
    print(f"\n{figures.name}: planning time of each statement of one request")
    total = 0.0
    for sql in figures.statements:
        planned = planning_ms(sql)
        if planned is not None:
            total += planned
            print(f"  {planned:6.3f} ms  {sql[:150]}")
    print(f"  {total:6.3f} ms in all")


# A request: given its index, does the untimed preparation and returns the timed call.
Request = Callable[[int], Callable[[], Any]]


def run(name: str, request: Request, repeat: int, warmup: int, expect: int, profile: int) -> Figures:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(warmup):
        response = request(repeat + i)()
        if response.status_code != expect:
            raise SystemExit(
                f"{name}: status {response.status_code}, expected {expect}: {response.content[:300]!r}"
            )
    figures = Figures(name)
    pid = backend_pid()
    for i in range(repeat):
        call = request(i)
        pg_before = backend_cpu_ms(pid)
        cpu_before = time.process_time()
        with CaptureQueriesContext(connection) as captured:
            response = call()
        cpu = (time.process_time() - cpu_before) * 1000
        figures.pg_ms += backend_cpu_ms(pid) - pg_before
        if response.status_code != expect:
            raise SystemExit(
                f"{name}: status {response.status_code}, expected {expect}: {response.content[:300]!r}"
            )
        figures.cpu_ms.append(cpu)
        figures.queries.append(len(captured.captured_queries))
        if i == 0:
            figures.statements = [q["sql"] for q in captured.captured_queries]
            counts = Counter(q["sql"] for q in captured.captured_queries)
            figures.repeated = Counter({sql: n for sql, n in counts.items() if n > 1})
    if pid is not None and pid != backend_pid():
        print(f"{name}: the PostgreSQL connection changed during the run; its backend CPU is partial")
    if profile:
        # CPU time, not wall time: waiting on PostgreSQL is counted apart, as its backend's CPU.
        profiler = cProfile.Profile(time.process_time)
        for i in range(min(repeat, 20)):
            call = request(repeat + warmup + i)
            profiler.enable()
            call()
            profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)
        # The project's own functions alone: where a change here can save time.
        stats.sort_stats("cumulative").print_stats(r"himaccess[/\\](?!middleware)", profile)
        figures.profile = out.getvalue()
    return figures


def requests(world: World, repeat: int, warmup: int) -> dict[str, tuple[Request, int]]:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from himaccess.accounts import otp
    from himaccess.accounts.testing import current_totp, last_code_sent_to
    from himaccess.notifications import sms

    count = len(world.citizens)
    # One handler (the middleware chain, built on a client's first request) for every client, as
    # a server process builds it once: a new client per browser would otherwise time its building.
    handler = Client().handler

    def browser() -> Client:
        client = Client(REMOTE_ADDR=ADDRESS)
        client.handler = handler
        return client

    def logged_in(user: Any) -> Client:
        client = browser()
        client.force_login(user)
        return client

    citizen_clients = [logged_in(user) for user in world.citizens]
    tehsildar = logged_in(world.tehsildar)

    def submit(i: int) -> Callable[[], Any]:
        client = citizen_clients[i % count]
        body = {
            "service": "CERT-05",
            "member_id": world.members[i % count],
            "answers": {"relative_name": "Bench Parent", "purpose": "Benchmark"},
        }
        return lambda: client.post("/api/v1/services/applications", body, content_type="application/json")

    def family(i: int) -> Callable[[], Any]:
        client = citizen_clients[i % count]
        return lambda: client.get(f"/register/families/{world.families[i % count]}/")

    def search(i: int) -> Callable[[], Any]:
        query = NAMES[i % len(NAMES)][0]
        return lambda: tehsildar.get("/register/search/", {"q": query})

    # Login codes: each iteration its own browser and number, limits reset outside the timing.
    def otp_send(i: int) -> Callable[[], Any]:
        mobile = world.citizens[i % count].mobile
        otp.reset_limits(mobile, ADDRESS)
        client = browser()
        return lambda: client.post("/accounts/citizen/", {"mobile": mobile})

    def otp_verify(i: int) -> Callable[[], Any]:
        mobile = world.citizens[i % count].mobile
        otp.reset_limits(mobile, ADDRESS)
        client = browser()
        with override_settings(SMS_BACKEND="memory"):
            assert client.post("/accounts/citizen/", {"mobile": mobile}).status_code == 302
        code = last_code_sent_to(mobile)
        sms.outbox.clear()
        return lambda: client.post("/accounts/citizen/code/", {"code": code})

    # Officials: one per iteration, since an authenticator code is accepted once.
    def official(i: int) -> Any:
        return world.officials[i % len(world.officials)]

    def password(i: int) -> Callable[[], Any]:
        client = browser()
        username = official(i).username
        return lambda: client.post("/accounts/official/", {"username": username, "password": PASSWORD})

    def totp_step(i: int) -> Callable[[], Any]:
        user = official(i)
        client = browser()
        response = client.post("/accounts/official/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"].endswith("/official/code/")
        code = current_totp(user)
        return lambda: client.post("/accounts/official/code/", {"code": code})

    assert settings.SMS_BACKEND == "file"
    return {
        "submit": (submit, 201),
        "family": (family, 200),
        "otp-send": (otp_send, 302),
        "otp-verify": (otp_verify, 302),
        "password": (password, 302),
        "totp": (totp_step, 302),
        "search": (search, 200),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--families", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions of each")
    parser.add_argument("--sql", action="store_true", help="print every statement of one request")
    parser.add_argument(
        "--plans",
        action="store_true",
        help="print PostgreSQL's planning time of each statement of one request",
    )
    parser.add_argument("--only", default="", help="comma-separated request names")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left")
    args = parser.parse_args()
    if urlparse(args.database_url).scheme not in ("postgres", "postgresql"):
        parser.error("--database-url must be a PostgreSQL URL")
    environment(args.database_url)
    if not args.reuse:
        recreate_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    # Pages name their stylesheets through the static files' manifest, as deployed.
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    # Officials: one per timed, warm-up and profiled login, as each code is accepted once.
    officials = args.repeat + args.warmup + 20
    world = reload(officials) if args.reuse else prepare(args.families, officials)
    print(f"prepared {len(world.citizens)} families in {time.perf_counter() - started:.1f} s")
    chosen = [name for name in args.only.split(",") if name]
    table = requests(world, args.repeat, args.warmup)
    print(machine())
    results = []
    for name, (request, expect) in table.items():
        if chosen and name not in chosen:
            continue
        figures = run(name, request, args.repeat, args.warmup, expect, args.profile)
        results.append(figures)
        print(figures.line(), flush=True)
    print(machine())
    for figures in results:
        if figures.repeated:
            print(f"\n{figures.name}: statements sent more than once in one request")
            for sql, n in figures.repeated.most_common():
                print(f"  {n}x {sql[:220]}")
        if args.sql:
            print(f"\n{figures.name}: statements of one request")
            for sql in figures.statements:
                print(f"  {sql[:300]}")
        if args.plans:
            print_plans(figures)
        if args.profile:
            print(f"\n{figures.name}: profile\n{figures.profile}")
    if not args.keep and not args.reuse:
        from django.db import connections

        connections.close_all()
        parts = urlparse(args.database_url)
        import psycopg

        name = parts.path.lstrip("/")
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
