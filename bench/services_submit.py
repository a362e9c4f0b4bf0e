"""Service applications submitted per second under load, served by gunicorn on PostgreSQL.

1. Either prepares a small PostgreSQL database (``--database``, default
   ``himseva_bench``; dropped and created afresh), migrates it, registers
   ``--families`` families in Mandi through the real register actions, and
   makes a logged-in session for each family's citizen (what the OTP login
   leaves in the session store); every citizen applies for a character
   certificate. Or, with ``--database-url`` (a full-state register, kept as it
   is: nothing dropped or migrated), draws ``--citizens`` heads of families
   uniformly over the whole register (random primary keys, so every district
   in proportion to its families), gives each a citizen login and a session,
   and picks for each one service at random among those offered online with a
   workflow, no required upload and fields the register prefills (the
   certificates, land records, relief, agriculture, animal husbandry and
   water services), with the answers a person types into the fields the
   register does not fill, checked with the server's own form. Every citizen
   applies once: a separate set of citizens takes the warm-up, and the run
   prints how many submissions were a citizen's second (more submissions than
   citizens). The static files are collected, as a deployment does.
2. Starts gunicorn (gthread workers, DEBUG off) on the project's WSGI app and,
   as production runs, a Celery worker on Redis (``--broker``, default
   ``redis://127.0.0.1:6379/7``) that delivers the SMS after the request has
   answered. ``--sms-inline`` runs without a broker instead: the SMS is handed
   over inside the request, as in the embedded profile.
3. Runs the load generator in a separate process (asyncio, raw HTTP/1.1
   keep-alive, so it takes little of the server's CPU): each of
   ``--concurrency`` connections first GETs the home page with its session
   cookie to receive the CSRF cookie from the server, then posts complete
   applications (the register filling the fields it knows) to
   ``POST /api/v1/services/applications`` for ``--seconds`` with that cookie
   and the X-CSRFToken header, as a browser does. Before the run it checks
   that a post without the header is refused (CSRF is enforced).
   Each connection cycles through its share of the citizens, as many
   browsers would. ``--keys on`` sends every submission with its own
   ``Idempotency-Key``; ``--keys both`` alternates rounds of about 15 s
   without and with keys (off, on, off, on ...) so both see the same
   machine, and prints the throughput of each.
4. Prints sustained submissions per second, latency percentiles, the error
   rate (with a few refusals' answers), whether every 201 answer has its
   application row (lost = 0), the applications by status and by service,
   the SMS delivered, the server's CPU per submission (gunicorn, Celery and
   PostgreSQL backends), the load generator's own CPU time, the load average
   and the number of cores.

``--fault`` turns it into a failure test: a third of the way in PostgreSQL is
restarted (``pg_ctlcluster --skip-systemctl-redirect VERSION CLUSTER restart``;
``--pg-cluster``, ``--pg-port``: give it a cluster of its own on a shared
machine), and two thirds in a gunicorn worker is killed (SIGKILL, mid-request).
Clients send every submission that got no answer, an error or a 503 again
(after its Retry-After), with the same key, until it is acknowledged or
``--retry-seconds`` pass. It prints acknowledged against stored: with keys
both must be equal, with no duplicate and nothing lost; ``--keys off --fault``
shows what blind retries do instead.

    .venv/bin/python bench/services_submit.py [--seconds 30] [--concurrency 16] [--workers 3] \\
        [--threads 4] [--sms-inline] [--keys off|on|both] [--fault] [--pg-cluster main] [--pg-port 5432]
    .venv/bin/python bench/services_submit.py \\
        --database-url postgres://postgres@127.0.0.1:5432/himaccess_bench --citizens 3000 [--seconds 60]

Everything (server, PostgreSQL, Celery worker, load generator) shares the
machine's cores; figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.measure import audit_key, machine, register_key  # noqa: E402


def pg_url(port: int, database: str) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{database}"


def environment(database_url: str, workdir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "HIMACCESS_DATA_DIR": workdir,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-" + secrets.token_hex(16),
            "AUDIT_HMAC_KEY": audit_key(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "himaccess.settings",
            "OIDC_RSA_PRIVATE_KEY_FILE": "",
            "REGISTER_ID_KEY": "bench-only-" + secrets.token_hex(16),
            # The bench's citizens file far more than a person does in a day.
            "SERVICES_DRAFTS_PER_DAY": "1000",
            "SERVICES_SUBMISSIONS_PER_DAY": "1000",
        }
    )
    return env


# One citizen's submission: session key, Member ID, service code, the answers the register did not fill.
Job = tuple[str, str, str, dict[str, str]]
# The small database's citizens all ask for a character certificate.
CHARACTER = ("CERT-05", {"relative_name": "Bench Parent", "purpose": "Benchmark"})


def _login(user: Any) -> str:
    """A logged-in session in the session store, as the OTP login leaves it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None
    return store.session_key


def prepare(database: str, families: int, port: int) -> list[Job]:
    """A fresh database of ``families`` families in Mandi; one job per citizen."""
    import psycopg

    with psycopg.connect(pg_url(port, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from himaccess.accounts.models import User
    from himaccess.geography.loading import load_reference_geography
    from himaccess.geography.models import Block, District, Tehsil, Village
    from himaccess.registry.actions import families as registry_families
    from himaccess.registry.actions import members
    from himaccess.registry.models import CitizenLink, Gender, MaritalStatus, Relation, Source

    load_reference_geography()
    district = District.objects.get(pk=22)
    village = Village.objects.filter(district=district, pincode="175001").order_by("name_en").first()
    sessions = []
    for i in range(families):
        family = registry_families.register_family(
            registry_families.Address(
                district=district,
                tehsil=Tehsil.objects.get(pk=133),
                block=Block.objects.get(pk=182),
                village=village,
                pincode="175001",
                house=str(i),
            ),
            members.NewMember(
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
        member = family.head()
        assert member is not None
        user = User.objects.create_user(username=f"bench{i}", kind=User.Kind.CITIZEN, mobile=member.mobile)
        CitizenLink.objects.create(user=user, member=member)
        sessions.append((_login(user), member.member_id, *CHARACTER))
    return sessions


# Answers a citizen types into the fields the register cannot fill, by field name.
TYPED = {
    "purpose": ("Admission to college", "Job application", "Army recruitment rally", "Police verification"),
    "khasra": ("112/3", "45", "208/17"),
    "khata_khatauni": ("45/67", "12/30", "301/512"),
    "crop": ("Apple", "Maize", "Wheat", "Potato"),
    "scheme": ("Jal Jeevan Mission", "Hand pump repair"),
    "qualification": ("Graduate", "Senior secondary", "Diploma in engineering"),
    "damage": ("Roof damaged in the landslide", "Cowshed washed away by the flood"),
    "tag_number": ("HP-22-0042",),
}


def _typed_answers(version: Any, prefilled: dict[str, Any], member: Any, rng: Any) -> dict[str, str]:
    """What the citizen types into the fields the register did not fill, as a person would."""
    family = member.family
    answers: dict[str, str] = {}
    for spec in version.form_fields:
        name = spec["name"]
        if name in prefilled:
            continue
        if name in TYPED:
            answers[name] = rng.choice(TYPED[name])
        elif name == "relative_name":
            relative = member.father or member.spouse or family.head()
            answers[name] = relative.name_en if relative and relative != member else "Not recorded"
        elif name == "mauza":
            answers[name] = family.village.name_en if family.village else family.tehsil.name_en
        elif name == "years_of_residence":
            answers[name] = str(max(1, member.age_on(date.today())))
        elif spec["type"] == "choice":
            answers[name] = rng.choice(spec["choices"])["value"]
        elif spec["type"] == "date":
            answers[name] = date(2024, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        elif spec["type"] == "number":
            answers[name] = str(max(int(spec.get("min") or 0), 1) * rng.randint(1, 5))
        elif spec["type"] == "yes_no":
            answers[name] = "on"
        else:
            answers[name] = family.tehsil.name_en
    return answers


def prepare_existing(citizens: int, seed: int) -> list[Job]:
    """Citizens of an existing register, one job each, for the services the register prefills.

    Heads of families drawn uniformly over the whole register (random primary
    keys, so every district is reached in proportion to its families), each
    given a citizen login (reused if a bench run made one before) and one
    service chosen at random among those offered online with a workflow, no
    required upload and at least one field the register fills. The answers
    are checked here with the same form the server uses, so a refusal in the
    run is the server's, not the bench's.
    """
    import random

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from himaccess.accounts.models import User
    from himaccess.applications.actions import drafts
    from himaccess.applications.forms import ApplicationForm
    from himaccess.catalog.models import Service
    from himaccess.registry.models import CitizenLink, Family, Member

    rng = random.Random(seed)
    services = [
        service
        for service in Service.objects.offered().select_related("current_version").order_by("code")
        if service.current_version is not None
        and service.current_version.stages
        and not any(d["required"] for d in service.current_version.documents)
        and any(f.get("prefill") for f in service.current_version.form_fields)
    ]
    if not services:
        raise SystemExit("no service is offered online without a required upload")
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM registry_family")
        low, high = cursor.fetchone()
    heads: dict[int, Any] = {}
    for _ in range(50):
        if len(heads) >= citizens:
            break
        drawn = [rng.randint(low, high) for _ in range(2 * (citizens - len(heads)))]
        for member in (
            Member.objects.living()
            .filter(family_id__in=drawn, relation="head", family__status=Family.Status.ACTIVE)
            .select_related("family", "family__district", "family__tehsil", "family__village")
            .select_related("family__panchayat", "family__urban_body", "father", "spouse")
        ):
            heads.setdefault(member.family_id, member)
    chosen = list(heads.values())[:citizens]
    jobs: list[Job] = []
    picked: dict[str, int] = {}
    refused = 0
    for member in chosen:
        link = CitizenLink.objects.filter(member=member).select_related("user").first()
        user: User | None = link.user if link is not None else None
        if user is None:
            # One citizen login per mobile number: the OTP login finds the one already made for it.
            user = (
                User.objects.filter(kind=User.Kind.CITIZEN, mobile=member.mobile).first()
                if member.mobile
                else None
            )
            if user is None:
                user, _ = User.objects.get_or_create(
                    username=f"bench.{member.member_id.lower()}",
                    defaults={"kind": User.Kind.CITIZEN, "mobile": member.mobile or ""},
                )
            CitizenLink.objects.get_or_create(user=user, member=member)
        for service in rng.sample(services, len(services)):
            version = service.current_version
            assert version is not None  # only services with a current version were chosen
            prefilled = drafts.prefill_for(service, member)
            answers = _typed_answers(version, prefilled, member, rng)
            if ApplicationForm(answers, version=version, language="en", prefilled=prefilled).is_valid():
                jobs.append((_login(user), member.member_id, service.code, answers))
                picked[service.code] = picked.get(service.code, 0) + 1
                break
        else:
            refused += 1
    districts = (
        Family.objects.filter(pk__in=[m.family_id for m in chosen])
        .values("district__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    rng.shuffle(jobs)
    print(
        f"{len(jobs)} distinct citizens (heads of random families) in {len(districts)} districts: "
        + ", ".join(f"{d['district__name_en']} {d['n']}" for d in districts)
    )
    print("services asked for: " + ", ".join(f"{code} {n}" for code, n in sorted(picked.items())))
    if refused:
        print(f"{refused} citizens skipped: no service's form accepted their register data")
    return jobs


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, dict[str, list[str]], bytes]:
    """Send one request on a keep-alive connection; (status, headers, body), status 0 if it was closed."""
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        return 0, {}, b""
    headers: dict[str, list[str]] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    length = int(headers.get("content-length", ["0"])[0])
    body = await reader.readexactly(length) if length else b""
    return int(status_line.split()[1]), headers, body


def _submission(job: Job, csrf: str | None, key: str | None = None) -> bytes:
    session, member_id, service, answers = job
    body = json.dumps({"service": service, "member_id": member_id, "answers": answers}).encode()
    cookies = f"sessionid={session}" + (f"; csrftoken={csrf}" if csrf else "")
    return (
        "POST /api/v1/services/applications HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {cookies}\r\n"
        + (f"X-CSRFToken: {csrf}\r\n" if csrf else "")
        + (f"Idempotency-Key: {key}\r\n" if key else "")
        + "Connection: keep-alive\r\n\r\n"
    ).encode() + body


async def _csrf_from_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: str) -> str:
    """The CSRF cookie the server sets on a page with a form, as a browser receives it."""
    request = (
        f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={session}\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    status, headers, _ = await _exchange(reader, writer, request)
    for cookie in headers.get("set-cookie", []):
        name, _, rest = cookie.partition("=")
        if name.strip() == "csrftoken":
            return rest.split(";")[0]
    raise RuntimeError(f"no CSRF cookie from GET / (status {status})")


@dataclass
class Round:
    """What the connections of one round saw."""

    keys: bool
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)  # every attempt's answer; 0: none came
    numbers: list[str] = field(default_factory=list)  # application numbers acknowledged (2xx)
    submissions: int = 0  # distinct submissions started
    retried: int = 0  # submissions that needed more than one attempt
    abandoned: int = 0  # submissions never acknowledged within the retry time
    replayed: int = 0  # answers given again for a key (the first answer was lost on the way)
    refusals: list[str] = field(default_factory=list)  # a few 4xx/5xx answers, to say why
    elapsed: float = 0.0

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def add(self, other: Round) -> None:
        self.latencies += other.latencies
        self.numbers += other.numbers
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.submissions += other.submissions
        self.retried += other.retried
        self.abandoned += other.abandoned
        self.replayed += other.replayed
        self.refusals += other.refusals[: max(0, 5 - len(self.refusals))]


RETRY_WAIT_MAX = 2.0


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection, waiting while the server cannot take one (a worker being replaced)."""
    while True:
        try:
            return await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.2)


async def worker(
    port: int, jobs: list[Job], until: float, found: Round, tag: str, retry_until: float | None
) -> None:
    """One keep-alive connection posting submissions until ``until``.

    Without ``retry_until`` a failed submission is counted and the next one
    sent. With it (the failure test) a submission is sent again, with the
    same key, until it is acknowledged or ``retry_until`` passes.
    """
    reader, writer = await _connect(port)
    # The CSRF cookie is not tied to a session: one per connection, as one browser holds it.
    csrf = await _csrf_from_server(reader, writer, jobs[0][0])
    sequence = 0
    while time.perf_counter() < until:
        request = _submission(jobs[sequence % len(jobs)], csrf, f"{tag}-{sequence}" if found.keys else None)
        sequence += 1
        found.submissions += 1
        attempts = 0
        while True:
            attempts += 1
            started = time.perf_counter()
            try:
                status, headers, payload = await asyncio.wait_for(_exchange(reader, writer, request), 30)
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                status, headers, payload = 0, {}, b""
            found.count(status)
            acknowledged = 200 <= status < 300
            if status >= 400 and len(found.refusals) < 5:
                found.refusals.append(f"{status} {payload[:200].decode('utf-8', 'replace')}")
            if acknowledged:
                found.latencies.append(time.perf_counter() - started)
                found.numbers.append(json.loads(payload)["number"])
                found.replayed += "idempotent-replayed" in headers
            if status == 0 or headers.get("connection", [""])[0].lower() == "close":
                writer.close()
                reader, writer = await _connect(port)
            if acknowledged or retry_until is None:
                break
            if time.perf_counter() > retry_until:
                found.abandoned += 1
                break
            try:
                wait = float(headers.get("retry-after", ["0.2"])[0])
            except ValueError:
                wait = 0.2
            await asyncio.sleep(min(max(wait, 0.2), RETRY_WAIT_MAX))
        if attempts > 1:
            found.retried += 1
    writer.close()


async def check_csrf_enforced(port: int, job: Job) -> None:
    """A post with the session but without the CSRF cookie and header must be refused."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    status, _, _ = await _exchange(reader, writer, _submission(job, None))
    writer.close()
    if status != 403:
        raise SystemExit(f"a post without the CSRF token was answered {status}, not 403")


async def load(
    port: int,
    sessions: list[Job],
    concurrency: int,
    seconds: float,
    keys: bool,
    tag: str,
    retry_seconds: float | None = None,
) -> Round:
    started = time.perf_counter()
    until = started + seconds
    retry_until = until + retry_seconds if retry_seconds is not None else None
    shards = [sessions[i::concurrency] for i in range(concurrency)]
    rounds = [Round(keys=keys) for _ in shards]
    await asyncio.gather(
        *(
            worker(port, shard, until, found, f"{tag}-c{n}", retry_until)
            for n, (shard, found) in enumerate(zip(shards, rounds, strict=True))
        )
    )
    total = Round(keys=keys, elapsed=time.perf_counter() - started)
    for found in rounds:
        total.add(found)
    return total


def client(args: argparse.Namespace) -> None:
    """The load generator process: runs warm-up and measured load, writes the results as JSON."""
    sessions: list[Job] = [
        (str(key), str(member), str(service), dict(answers))
        for key, member, service, answers in json.loads(Path(args.client).read_text())
    ]
    asyncio.run(check_csrf_enforced(args.port, sessions[0]))
    run = secrets.token_hex(4)  # the keys of one run never meet an earlier run's
    # With citizens set aside for the warm-up, the measured run never repeats a warm-up's citizen.
    warm, sessions = (
        (sessions[: args.warm_jobs], sessions[args.warm_jobs :]) if args.warm_jobs else (sessions, sessions)
    )
    asyncio.run(load(args.port, warm, args.concurrency, args.warmup, args.keys != "off", f"{run}-w"))
    Path(args.client + ".ready").write_text("")
    while not Path(args.client + ".go").exists():
        time.sleep(0.05)
    cpu = time.process_time()
    if args.keys == "both":
        # Alternating rounds of about 15 s (at least two of each): both modes see the same machine.
        pairs = max(2, int(args.seconds // 30))
        plan = [(False, args.seconds / pairs / 2), (True, args.seconds / pairs / 2)] * pairs
    else:
        plan = [(args.keys == "on", args.seconds)]
    retry = args.retry_seconds if args.fault else None
    rounds = [
        asdict(asyncio.run(load(args.port, sessions, args.concurrency, span, keys, f"{run}-r{n}", retry)))
        for n, (keys, span) in enumerate(plan)
    ]
    Path(args.client + ".out").write_text(json.dumps({"rounds": rounds, "cpu": time.process_time() - cpu}))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(roots: list[int]) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except OSError:
                continue
    found = set(roots)
    while True:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        if not more:
            return found
        found |= more


def server_cpu(roots: dict[str, int], database: str, port: int) -> dict[str, float]:
    """CPU seconds used so far by each named app process tree (gunicorn, Celery) and by PostgreSQL's backends.

    Keys are "<name> <pid>" for the app processes and "pg <pid>" for the backends.
    """
    import psycopg

    with psycopg.connect(pg_url(port, "postgres"), autocommit=True) as conn:
        backends = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
            )
        ]
    return {
        **{
            f"{name} {pid}": _cpu_seconds(pid) for name, root in roots.items() for pid in _descendants([root])
        },
        **{f"pg {pid}": _cpu_seconds(pid) for pid in backends},
    }


def _children(pid: int) -> list[int]:
    return sorted(_descendants([pid]) - {pid})


def inject_faults(args: argparse.Namespace, gunicorn: int, started: float, log: list[str]) -> None:
    """Restart PostgreSQL a third of the way in, kill a gunicorn worker two thirds in."""
    time.sleep(max(0.0, started + args.seconds / 3 - time.perf_counter()))
    began = time.perf_counter()
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", args.pg_version, args.pg_cluster, "restart"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    failed = f": {done.stderr.strip()}" if done.returncode else ""
    log.append(
        f"t+{began - started:.1f} s: PostgreSQL {args.pg_version}/{args.pg_cluster} restarted in "
        f"{time.perf_counter() - began:.1f} s (exit {done.returncode}{failed})"
    )
    time.sleep(max(0.0, started + args.seconds * 2 / 3 - time.perf_counter()))
    # The busiest worker: the one holding connections with requests in flight.
    workers = sorted(_children(gunicorn), key=_cpu_seconds)
    if workers:
        os.kill(workers[-1], signal.SIGKILL)
        log.append(f"t+{time.perf_counter() - started:.1f} s: gunicorn worker {workers[-1]} killed (SIGKILL)")


def _by_mode(rounds: list[dict[str, Any]]) -> dict[bool, dict[str, Any]]:
    merged: dict[bool, dict[str, Any]] = {}
    for found in rounds:
        mode = merged.setdefault(
            found["keys"], {"latencies": [], "statuses": {}, "numbers": [], "elapsed": 0.0, "abandoned": 0}
        )
        mode["latencies"] += found["latencies"]
        mode["numbers"] += found["numbers"]
        mode["elapsed"] += found["elapsed"]
        mode["abandoned"] += found["abandoned"]
        mode["replayed"] = mode.get("replayed", 0) + found["replayed"]
        mode["refusals"] = mode.get("refusals", []) + found["refusals"]
        mode["retried"] = mode.get("retried", 0) + found["retried"]
        mode["submissions"] = mode.get("submissions", 0) + found["submissions"]
        for status, n in found["statuses"].items():
            mode["statuses"][int(status)] = mode["statuses"].get(int(status), 0) + n
    return merged


def report(mode: dict[str, Any], keys: bool) -> float:
    """Print one mode's figures; returns its throughput."""
    latencies: list[float] = mode["latencies"]
    statuses: dict[int, int] = mode["statuses"]
    total = sum(statuses.values())
    ok = len(mode["numbers"])
    throughput = ok / mode["elapsed"] if mode["elapsed"] else 0.0
    label = "with Idempotency-Key" if keys else "without keys"
    print(
        f"[{label}] {ok} acknowledged of {total} requests in {mode['elapsed']:.1f} s; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    print(f"[{label}] throughput: {throughput:.1f} submissions/s")
    if latencies:
        print(
            f"[{label}] latency ms: p50 {statistics.median(latencies) * 1000:.1f}  "
            f"p95 {percentile(latencies, 0.95) * 1000:.1f}  "
            f"p99 {percentile(latencies, 0.99) * 1000:.1f}  max {max(latencies) * 1000:.1f}"
        )
    print(f"[{label}] error rate: {(total - ok) / total * 100 if total else 0:.2f} % of requests")
    return throughput


def wait_for(path: Path, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise SystemExit(f"the load generator stopped (exit {process.returncode})")
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {path.name}")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="himseva_bench")
    parser.add_argument("--families", type=int, default=400)
    parser.add_argument(
        "--database-url",
        default="",
        help="an existing register (not dropped): random heads of families apply for a mix of services",
    )
    parser.add_argument("--citizens", type=int, default=3000, help="with --database-url: distinct citizens")
    parser.add_argument("--seed", type=int, default=None, help="with --database-url: of the random choice")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8764)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/7")
    # solo: the worker runs tasks in its own process, without prefork's parent/child hand-off.
    parser.add_argument("--celery-pool", default="solo")
    parser.add_argument("--sms-inline", action="store_true", help="no broker: SMS handed over in the request")
    parser.add_argument("--keys", choices=["off", "on", "both"], default="on")
    parser.add_argument(
        "--fault", action="store_true", help="restart PostgreSQL and kill a web worker mid-run"
    )
    parser.add_argument(
        "--retry-seconds", type=float, default=60, help="how long clients retry after the run"
    )
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-cluster", default="main")
    versions = (
        sorted(p.name for p in Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").exists() else []
    )
    parser.add_argument("--pg-version", default=versions[-1] if versions else "15")
    parser.add_argument("--client", default="", help=argparse.SUPPRESS)
    parser.add_argument("--warm-jobs", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args)
        return
    if args.fault and args.keys == "both":
        parser.error("--fault runs one mode: --keys on (or off, to see blind retries)")

    workdir = tempfile.mkdtemp(prefix="himseva-bench-")
    database_url = args.database_url or pg_url(args.pg_port, args.database)
    parts = urlparse(database_url)
    database, pg_port = parts.path.lstrip("/"), parts.port or 5432
    env = environment(database_url, workdir)
    if args.database_url:
        # Application numbers are a keyed permutation of a counter in the database: the kept
        # register's one key, which its seed and every other run use too.
        env["REGISTER_ID_KEY"] = register_key()
    if not args.sms_inline:
        env["CELERY_BROKER_URL"] = args.broker
    os.environ.update(env)
    t0 = time.perf_counter()
    warm_jobs = 0
    if args.database_url:
        warm_jobs = max(args.concurrency * 4, 50)
        seed = args.seed if args.seed is not None else secrets.randbits(32)
        sessions = prepare_existing(args.citizens + warm_jobs, seed)
    else:
        sessions = prepare(args.database, args.families, args.pg_port)
    print(f"prepared {len(sessions)} citizens in {time.perf_counter() - t0:.1f} s")
    from django.core.management import call_command

    # The pages (the CSRF cookie comes with the home page) need the collected static files with DEBUG off.
    call_command("collectstatic", interactive=False, verbosity=0)
    processes: list[subprocess.Popen[bytes]] = []
    if not args.sms_inline:
        from himaccess.celery import app as celery_app

        celery_app.control.purge()  # nothing left over from an earlier run
        processes.append(
            subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/celery"),
                    "-A",
                    "himaccess.celery",
                    "worker",
                    "--pool",
                    args.celery_pool,
                    "--loglevel",
                    "warning",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
    processes.append(
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "himaccess.wsgi:application",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--worker-class",
                "gthread",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
    )
    from django.db import connection

    from himaccess.applications.models import Application
    from himaccess.idempotency.models import IdempotencyRecord
    from himaccess.notifications.models import SmsMessage

    jobs = Path(workdir) / "sessions.json"
    jobs.write_text(json.dumps(sessions))
    faults: list[str] = []
    try:
        time.sleep(4)
        generator = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--client",
                str(jobs),
                *("--port", str(args.port), "--concurrency", str(args.concurrency)),
                *("--seconds", str(args.seconds), "--warmup", str(args.warmup)),
                *("--keys", args.keys, "--retry-seconds", str(args.retry_seconds)),
                *(["--fault"] if args.fault else []),
                *("--warm-jobs", str(warm_jobs)),
            ],
            cwd=ROOT,
        )
        wait_for(Path(f"{jobs}.ready"), generator, 120)
        before = Application.objects.count()
        keys_before = IdempotencyRecord.objects.count()
        sms_before = SmsMessage.objects.count()
        connection.close()  # this process's own backend is not the server's
        # The last process started is gunicorn; the one before it, if any, the Celery worker.
        names = ("celery", "gunicorn")[2 - len(processes) :]
        roots = dict(zip(names, (process.pid for process in processes), strict=True))
        cpu_before = server_cpu(roots, database, pg_port)
        load_before = os.getloadavg()
        Path(f"{jobs}.go").write_text("")
        started = time.perf_counter()
        if args.fault:
            inject_faults(args, processes[-1].pid, started, faults)
        wait_for(Path(f"{jobs}.out"), generator, args.seconds + args.retry_seconds + 120)
        load_after = os.getloadavg()
        cpu_after = server_cpu(roots, database, pg_port)
        result = json.loads(Path(f"{jobs}.out").read_text())
        generator.wait(timeout=30)
        created = Application.objects.count() - before
        keys_stored = IdempotencyRecord.objects.count() - keys_before
        queued = SmsMessage.objects.count() - sms_before
        drain_started = time.perf_counter()
        pending = SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED)
        while pending.exists() and time.perf_counter() - drain_started < 120:
            time.sleep(0.5)
        drained = time.perf_counter() - drain_started
        waiting = pending.count()
        cpu_drained = server_cpu(roots, database, pg_port)
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    modes = _by_mode(result["rounds"])
    elapsed = sum(mode["elapsed"] for mode in modes.values())
    numbers: list[str] = [n for mode in modes.values() for n in mode["numbers"]]
    ok = len(numbers)
    from django.db.models import Count

    stored = Application.objects.filter(number__in=numbers)
    found = stored.count()
    sms_mode = "SMS inline (no broker)" if args.sms_inline else f"SMS by Celery worker on {args.broker}"
    print(
        f"gunicorn gthread {args.workers}x{args.threads}, {args.concurrency} connections, "
        f"{elapsed:.1f} s, PostgreSQL {args.pg_version}/{args.pg_cluster}, {sms_mode}, keys {args.keys}"
    )
    print(
        f"load average before/after the run: {load_before[0]:.2f} / {load_after[0]:.2f} "
        f"on {os.cpu_count()} cores"
    )
    for line in faults:
        print(f"fault: {line}")
    throughputs = {keys: report(mode, keys) for keys, mode in sorted(modes.items())}
    if len(throughputs) == 2 and throughputs[False]:
        change = (throughputs[True] / throughputs[False] - 1) * 100
        print(f"throughput with keys vs without: {change:+.1f} %")
    print(
        f"lost applications: {ok - found} (acknowledged answers without their row); "
        f"rows created {created}, answers acknowledged {ok}"
    )
    by_status = stored.values_list("status").annotate(n=Count("pk")).order_by("status")
    by_service = stored.values_list("service__code").annotate(n=Count("pk")).order_by("service__code")
    print("acknowledged applications by status: " + ", ".join(f"{s} {n}" for s, n in by_status))
    print("acknowledged applications by service: " + ", ".join(f"{s} {n}" for s, n in by_service))
    measured = len(sessions) - warm_jobs
    submitted = sum(mode.get("submissions", 0) for mode in modes.values())
    print(
        f"citizens: {measured} prepared for the measured run, {submitted} submissions started; "
        f"{max(0, submitted - measured)} were a citizen's second or later application in the run"
    )
    for mode in modes.values():
        for sample in mode.get("refusals", [])[:3]:
            print(f"  a refusal: {sample}")
    if args.fault:
        retried = sum(mode.get("retried", 0) for mode in modes.values())
        abandoned = sum(mode["abandoned"] for mode in modes.values())
        replayed = sum(mode.get("replayed", 0) for mode in modes.values())
        submissions = sum(mode.get("submissions", 0) for mode in modes.values())
        print(
            f"acknowledged vs stored: {ok} acknowledged, {created} stored "
            f"({created - len(set(numbers))} stored without an acknowledgement: duplicates or abandoned); "
            f"{submissions} submissions, {retried} retried ({replayed} answered from the stored answer: "
            f"committed, answer lost), {abandoned} abandoned after {args.retry_seconds:.0f} s"
        )
        if args.keys == "on":
            print(f"idempotency answers stored during the run: {keys_stored}")
    print(
        f"SMS: {queued} queued during the run, {waiting} still undelivered "
        f"{drained:.1f} s after the run ended"
    )
    # Processes alive at the end; a backend that began during the run counts from zero.
    used = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
    drain = {name: cpu_drained.get(name, value) - cpu_after[name] for name, value in cpu_after.items()}

    def spent(prefix: str) -> float:
        return sum(v for k, v in (*used.items(), *drain.items()) if k.startswith(prefix + " "))

    web, worker, pg = spent("gunicorn"), spent("celery"), spent("pg")
    if ok:
        print(
            f"server CPU per accepted submission: {(web + worker + pg) / ok * 1000:.1f} ms "
            f"(gunicorn {web / ok * 1000:.1f} ms, Celery {worker / ok * 1000:.1f} ms, "
            f"PostgreSQL backends {pg / ok * 1000:.1f} ms)"
        )
    print(
        f"load generator CPU: {result['cpu']:.1f} s over {elapsed:.1f} s "
        f"({result['cpu'] / elapsed * 100:.0f} % of one core)"
    )
    print(f"at the end: {machine()}")


if __name__ == "__main__":
    main()
