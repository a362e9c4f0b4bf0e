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
4. Prints sustained submissions per second, latency percentiles, the error
   rate, whether every 201 answer has its application row (lost = 0), the
   SMS delivered, the load generator's own CPU time and the load average.

    .venv/bin/python bench/services_submit.py [--seconds 30] [--concurrency 16] [--workers 3] \\
        [--threads 4] [--sms-inline]

Everything (server, PostgreSQL, Celery worker, load generator) shares the
machine's cores; figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def environment(database: str, workdir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
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
        }
    )
    return env


def prepare(database: str, families: int) -> list[tuple[str, str]]:
    """(session key, member id) per citizen."""
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    import django

    django.setup()
    from datetime import date

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from himaccess.accounts.models import User
    from himaccess.geography.loading import load_reference_geography
    from himaccess.geography.models import Block, District, Tehsil, Village
    from himaccess.registry import actions
    from himaccess.registry.models import CitizenLink, Gender, MaritalStatus, Relation, Source

    load_reference_geography()
    district = District.objects.get(pk=22)
    village = Village.objects.filter(district=district, pincode="175001").order_by("name_en").first()
    sessions = []
    for i in range(families):
        family = actions.register_family(
            actions.Address(
                district=district,
                tehsil=Tehsil.objects.get(pk=133),
                block=Block.objects.get(pk=182),
                village=village,
                pincode="175001",
                house=str(i),
            ),
            actions.NewMember(
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
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
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


def _submission(session: str, csrf: str | None, member_id: str) -> bytes:
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


async def worker(
    port: int,
    jobs: list[tuple[str, str]],
    until: float,
    latencies: list[float],
    statuses: dict[int, int],
    numbers: list[str],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # One citizen's session and CSRF cookie per connection, as one browser would hold them.
    session, member_id = jobs[0]
    csrf = await _csrf_from_server(reader, writer, session)
    while time.perf_counter() < until:
        started = time.perf_counter()
        status, headers, payload = await _exchange(reader, writer, _submission(session, csrf, member_id))
        if status == 0:
            statuses[0] = statuses.get(0, 0) + 1
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201:
            numbers.append(json.loads(payload)["number"])
        if headers.get("connection", [""])[0].lower() == "close":
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()


async def check_csrf_enforced(port: int, session: str, member_id: str) -> None:
    """A post with the session but without the CSRF cookie and header must be refused."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    status, _, _ = await _exchange(reader, writer, _submission(session, None, member_id))
    writer.close()
    if status != 403:
        raise SystemExit(f"a post without the CSRF token was answered {status}, not 403")


async def load(
    port: int, sessions: list[tuple[str, str]], concurrency: int, seconds: float
) -> tuple[list[float], dict[int, int], list[str], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    numbers: list[str] = []
    started = time.perf_counter()
    until = started + seconds
    shards = [sessions[i::concurrency] for i in range(concurrency)]
    await asyncio.gather(*(worker(port, shard, until, latencies, statuses, numbers) for shard in shards))
    return latencies, statuses, numbers, time.perf_counter() - started


def client(args: argparse.Namespace) -> None:
    """The load generator process: runs warm-up and measured load, writes the results as JSON."""
    sessions = [(str(key), str(member)) for key, member in json.loads(Path(args.client).read_text())]
    asyncio.run(check_csrf_enforced(args.port, *sessions[0]))
    asyncio.run(load(args.port, sessions, args.concurrency, args.warmup))
    Path(args.client + ".ready").write_text("")
    while not Path(args.client + ".go").exists():
        time.sleep(0.05)
    cpu = time.process_time()
    latencies, statuses, numbers, elapsed = asyncio.run(
        load(args.port, sessions, args.concurrency, args.seconds)
    )
    result = {
        "latencies": latencies,
        "statuses": statuses,
        "numbers": numbers,
        "elapsed": elapsed,
        "cpu": time.process_time() - cpu,
    }
    Path(args.client + ".out").write_text(json.dumps(result))


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


def server_cpu(roots: list[int], database: str) -> dict[str, float]:
    """CPU seconds used so far by the app processes (gunicorn, Celery) and by PostgreSQL's backends."""
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
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
    parser.add_argument("--client", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client(args)
        return

    workdir = tempfile.mkdtemp(prefix="himseva-bench-")
    env = environment(args.database, workdir)
    if not args.sms_inline:
        env["CELERY_BROKER_URL"] = args.broker
    os.environ.update(env)
    t0 = time.perf_counter()
    sessions = prepare(args.database, args.families)
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
    from himaccess.applications.models import Application
    from himaccess.notifications.models import SmsMessage

    jobs = Path(workdir) / "sessions.json"
    jobs.write_text(json.dumps(sessions))
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
            ],
            cwd=ROOT,
        )
        wait_for(Path(f"{jobs}.ready"), generator, 120)
        before = Application.objects.count()
        sms_before = SmsMessage.objects.count()
        from django.db import connection

        connection.close()  # this process's own backend is not the server's
        roots = [process.pid for process in processes]
        cpu_before = server_cpu(roots, args.database)
        load_before = os.getloadavg()
        Path(f"{jobs}.go").write_text("")
        wait_for(Path(f"{jobs}.out"), generator, args.seconds + 120)
        load_after = os.getloadavg()
        cpu_after = server_cpu(roots, args.database)
        result = json.loads(Path(f"{jobs}.out").read_text())
        generator.wait(timeout=30)
        created = Application.objects.count() - before
        queued = SmsMessage.objects.count() - sms_before
        drain_started = time.perf_counter()
        pending = SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED)
        while pending.exists() and time.perf_counter() - drain_started < 120:
            time.sleep(0.5)
        drained = time.perf_counter() - drain_started
        waiting = pending.count()
        cpu_drained = server_cpu(roots, args.database)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    latencies: list[float] = result["latencies"]
    statuses = {int(k): v for k, v in result["statuses"].items()}
    numbers: list[str] = result["numbers"]
    elapsed: float = result["elapsed"]
    found = Application.objects.filter(number__in=numbers, status="pending").count()
    total = sum(statuses.values())
    ok = statuses.get(201, 0)
    sms_mode = "SMS inline (no broker)" if args.sms_inline else f"SMS by Celery worker on {args.broker}"
    print(
        f"gunicorn gthread {args.workers}x{args.threads}, {args.concurrency} connections, "
        f"{elapsed:.1f} s, PostgreSQL, {sms_mode}"
    )
    print(f"load average before/after the run: {load_before[0]:.2f} / {load_after[0]:.2f}")
    print(f"submissions: {ok} accepted of {total} requests; statuses {dict(sorted(statuses.items()))}")
    print(f"throughput: {ok / elapsed:.1f} submissions/s")
    print(
        f"latency ms: p50 {statistics.median(latencies) * 1000:.1f}  "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f}  "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f}  max {max(latencies) * 1000:.1f}"
    )
    print(f"error rate: {(total - ok) / total * 100 if total else 0:.2f} %")
    print(
        f"lost applications: {ok - found} (201 answers without their row); "
        f"rows created {created}, answers 201 {ok}"
    )
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
