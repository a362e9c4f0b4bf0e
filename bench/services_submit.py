"""Service applications submitted per second under load, served by gunicorn on PostgreSQL.

1. Prepares a PostgreSQL database (``--database``, default ``himseva_bench``;
   dropped and created afresh), migrates it, registers ``--families`` families
   in Mandi through the real register actions, and makes a logged-in session
   for each family's citizen (what the OTP login leaves in the session store).
2. Starts gunicorn (gthread workers, DEBUG off) on the project's WSGI app and,
   as production runs, a Celery worker on Redis (``--broker``, default
   ``redis://127.0.0.1:6379/7``) that delivers the SMS after the request has
   answered. ``--sms-inline`` runs without a broker instead: the SMS is handed
   over inside the request, as in the embedded profile.
3. Runs the load generator in a separate process (asyncio, raw HTTP/1.1
   keep-alive, so it takes little of the server's CPU): each of
   ``--concurrency`` connections first GETs the home page with its session
   cookie to receive the CSRF cookie from the server, then posts complete
   applications (a character certificate, the register filling the form) to
   ``POST /api/v1/services/applications`` for ``--seconds`` with that cookie
   and the X-CSRFToken header, as a browser does. Before the run it checks
   that a post without the header is refused (CSRF is enforced).
   Each connection cycles through its share of the citizens, as many
   browsers would. ``--keys on`` sends every submission with its own
   ``Idempotency-Key``; ``--keys both`` alternates rounds of about 15 s
   without and with keys (off, on, off, on ...) so both see the same
   machine, and prints the throughput of each.
4. Prints sustained submissions per second, latency percentiles, the error
   rate, whether every 201 answer has its application row (lost = 0), the
   SMS delivered, the load generator's own CPU time, the load average and
   the number of cores.

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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pg_url(port: int, database: str) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{database}"


def environment(database: str, workdir: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": pg_url(port, database),
            "HIMACCESS_DATA_DIR": workdir,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-" + secrets.token_hex(16),
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


def prepare(database: str, families: int, port: int) -> list[tuple[str, str]]:
    """(session key, member id) per citizen."""
    import psycopg

    with psycopg.connect(pg_url(port, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    import django

    django.setup()
    from datetime import date

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
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
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        assert store.session_key is not None
        sessions.append((store.session_key, member.member_id))
    return sessions


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


def _submission(session: str, csrf: str | None, member_id: str, key: str | None = None) -> bytes:
    body = json.dumps(
        {
            "service": "CERT-05",
            "member_id": member_id,
            "answers": {"relative_name": "Bench Parent", "purpose": "Benchmark"},
        }
    ).encode()
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


RETRY_WAIT_MAX = 2.0


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection, waiting while the server cannot take one (a worker being replaced)."""
    while True:
        try:
            return await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.2)


async def worker(
    port: int, jobs: list[tuple[str, str]], until: float, found: Round, tag: str, retry_until: float | None
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
        session, member_id = jobs[sequence % len(jobs)]
        request = _submission(session, csrf, member_id, f"{tag}-{sequence}" if found.keys else None)
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


async def check_csrf_enforced(port: int, session: str, member_id: str) -> None:
    """A post with the session but without the CSRF cookie and header must be refused."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    status, _, _ = await _exchange(reader, writer, _submission(session, None, member_id))
    writer.close()
    if status != 403:
        raise SystemExit(f"a post without the CSRF token was answered {status}, not 403")


async def load(
    port: int,
    sessions: list[tuple[str, str]],
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
    sessions = [(str(key), str(member)) for key, member in json.loads(Path(args.client).read_text())]
    asyncio.run(check_csrf_enforced(args.port, *sessions[0]))
    run = secrets.token_hex(4)  # the keys of one run never meet an earlier run's
    asyncio.run(load(args.port, sessions, args.concurrency, args.warmup, args.keys != "off", f"{run}-w"))
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


def server_cpu(roots: list[int], database: str, port: int) -> dict[str, float]:
    """CPU seconds used so far by the app processes (gunicorn, Celery) and by PostgreSQL's backends."""
    import psycopg

    with psycopg.connect(pg_url(port, "postgres"), autocommit=True) as conn:
        backends = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
            )
        ]
    return {
        **{f"app {pid}": _cpu_seconds(pid) for pid in _descendants(roots)},
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
    args = parser.parse_args()
    if args.client:
        client(args)
        return
    if args.fault and args.keys == "both":
        parser.error("--fault runs one mode: --keys on (or off, to see blind retries)")

    workdir = tempfile.mkdtemp(prefix="himseva-bench-")
    env = environment(args.database, workdir, args.pg_port)
    if not args.sms_inline:
        env["CELERY_BROKER_URL"] = args.broker
    os.environ.update(env)
    t0 = time.perf_counter()
    sessions = prepare(args.database, args.families, args.pg_port)
    print(f"prepared {len(sessions)} citizens in {time.perf_counter() - t0:.1f} s")
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
            ],
            cwd=ROOT,
        )
        wait_for(Path(f"{jobs}.ready"), generator, 120)
        before = Application.objects.count()
        keys_before = IdempotencyRecord.objects.count()
        sms_before = SmsMessage.objects.count()
        connection.close()  # this process's own backend is not the server's
        roots = [process.pid for process in processes]
        cpu_before = server_cpu(roots, args.database, args.pg_port)
        load_before = os.getloadavg()
        Path(f"{jobs}.go").write_text("")
        started = time.perf_counter()
        if args.fault:
            inject_faults(args, processes[-1].pid, started, faults)
        wait_for(Path(f"{jobs}.out"), generator, args.seconds + args.retry_seconds + 120)
        load_after = os.getloadavg()
        cpu_after = server_cpu(roots, args.database, args.pg_port)
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
        cpu_drained = server_cpu(roots, args.database, args.pg_port)
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
    found = Application.objects.filter(number__in=numbers, status="pending").count()
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
    app = sum(v for k, v in used.items() if k.startswith("app")) + sum(
        v for k, v in drain.items() if k.startswith("app")
    )
    pg = sum(v for k, v in used.items() if k.startswith("pg")) + sum(
        v for k, v in drain.items() if k.startswith("pg")
    )
    if ok:
        print(
            f"server CPU per accepted submission: {(app + pg) / ok * 1000:.1f} ms "
            f"(gunicorn + Celery {app / ok * 1000:.1f} ms, PostgreSQL backends {pg / ok * 1000:.1f} ms)"
        )
    print(
        f"load generator CPU: {result['cpu']:.1f} s over {elapsed:.1f} s "
        f"({result['cpu'] / elapsed * 100:.0f} % of one core)"
    )


if __name__ == "__main__":
    main()
