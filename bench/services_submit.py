"""Service applications submitted per second under load, served by gunicorn on PostgreSQL.

1. Prepares a PostgreSQL database (``--database``, default ``himseva_bench``;
   dropped and created afresh), migrates it, registers ``--families`` families
   in Mandi through the real register actions, and makes a logged-in session
   for each family's citizen.
2. Starts gunicorn (gthread workers, DEBUG off) on the project's WSGI app.
3. Runs an asyncio HTTP/1.1 keep-alive load generator in this process: each of
   ``--concurrency`` connections posts complete applications (a character
   certificate, the register filling the form) to
   ``POST /api/v1/services/applications`` for ``--seconds``, with the CSRF
   cookie and header a browser sends.
4. Prints sustained submissions per second, latency percentiles, the error
   rate, and whether every 201 answer has its application row (lost = 0).

    .venv/bin/python bench/services_submit.py [--seconds 30] [--concurrency 16] [--workers 3] [--threads 4]

The load generator shares the two cores with the server; figures are a floor.
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
        sessions.append((store.session_key, member.member_id))
    return sessions


async def worker(
    port: int,
    jobs: list[tuple[str, str]],
    until: float,
    latencies: list[float],
    statuses: dict[int, int],
    numbers: list[str],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    csrf = secrets.token_hex(16)
    i = 0
    while time.perf_counter() < until:
        session, member_id = jobs[i % len(jobs)]
        i += 1
        body = json.dumps(
            {
                "service": "CERT-05",
                "member_id": member_id,
                "answers": {"relative_name": "Bench Parent", "purpose": "Benchmark"},
            }
        ).encode()
        request = (
            "POST /api/v1/services/applications HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nCookie: sessionid={session}; csrftoken={csrf}\r\n"
            f"X-CSRFToken: {csrf}\r\n"
            f"Connection: keep-alive\r\n\r\n"
        ).encode() + body
        started = time.perf_counter()
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            statuses[0] = statuses.get(0, 0) + 1
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            continue
        status = int(status_line.split()[1])
        length = 0
        close = False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            if name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        payload = await reader.readexactly(length) if length else b""
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201:
            numbers.append(json.loads(payload)["number"])
        if close:
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()


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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


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
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="himseva-bench-")
    env = environment(args.database, workdir)
    os.environ.update(env)
    t0 = time.perf_counter()
    sessions = prepare(args.database, args.families)
    print(f"prepared {len(sessions)} citizens in {time.perf_counter() - t0:.1f} s")
    server = subprocess.Popen(
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
    try:
        time.sleep(4)
        asyncio.run(load(args.port, sessions, args.concurrency, args.warmup))
        from himaccess.applications.models import Application

        before = Application.objects.count()
        latencies, statuses, numbers, elapsed = asyncio.run(
            load(args.port, sessions, args.concurrency, args.seconds)
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    created = Application.objects.count() - before
    found = Application.objects.filter(number__in=numbers, status="pending").count()
    total = sum(statuses.values())
    ok = statuses.get(201, 0)
    print(
        f"gunicorn gthread {args.workers}x{args.threads}, {args.concurrency} connections, "
        f"{elapsed:.1f} s, PostgreSQL"
    )
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


if __name__ == "__main__":
    main()
