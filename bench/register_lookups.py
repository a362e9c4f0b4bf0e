"""Family-by-ID latency and throughput over a seeded register (the register's hottest read).

Against the database named by DATABASE_URL (the full synthetic state on PostgreSQL):

Sampling. Family IDs are drawn uniformly from the whole table: random primary
keys between the smallest and the largest, each looked up by the index, with
the IDs that fall into gaps drawn again, until there are enough distinct
families. The samples therefore land on pages all over the table (it prints
how many distinct heap pages they touch against the table's size), as the
requests of many different users do; a block sample (``TABLESAMPLE SYSTEM``)
would pick a few dozen neighbouring pages and measure a warm cache. Every
pass below gets its own, disjoint share of the sample, so no pass reads a
family an earlier pass has just brought into the cache. Drawing the sample
reads each chosen family's row once (one of the several pages a lookup
touches); members, addresses and the access log are not touched by it.

Passes.
1. One client through the ORM (what every view does): the family with its
   address and its living members.
2. One client through the JSON API in process (Django's test client: routing,
   scoping, serialisation, one access-log row written per read).
3. Concurrent clients through a real server: gunicorn (gthread workers,
   DEBUG off) serving ``himaccess.wsgi`` on this database, and for each
   ``--clients`` level that many keep-alive HTTP connections, each logged in
   as an official of the state, GETting ``/api/v1/families/{id}`` for
   distinct families for ``--seconds``. Prints requests/s and p50/p95/p99 per
   level, the errors, and the load average and cores.

Everything (server, PostgreSQL, the clients) shares the machine's cores.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/register_lookups.py --lookups 2000 --clients 1,4,8,16 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import audit_key, machine, percentiles, register_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
# The session made below is checked by the server with the same key.
os.environ.setdefault("AUDIT_HMAC_KEY", audit_key())
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_hex(16))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from himaccess.accounts.models import Level, Posting, Role, User  # noqa: E402
from himaccess.registry.access import get_family_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def sample_ids(count: int, seed: int) -> list[str]:
    """``count`` distinct Family IDs drawn uniformly over the whole table, in random order."""
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id), count(*) FROM registry_family")
        low, high, total = cursor.fetchone()
        if not total:
            raise SystemExit("no families in this database")
        count = min(count, total)
        found: dict[int, str] = {}
        while len(found) < count:
            wanted = {rng.randint(low, high) for _ in range(2 * (count - len(found)))} - found.keys()
            cursor.execute("SELECT id, family_id FROM registry_family WHERE id = ANY(%s)", [list(wanted)])
            for pk, family_id in cursor.fetchall():
                if len(found) < count:
                    found[pk] = family_id
        ids = list(found.values())
        rng.shuffle(ids)
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(DISTINCT (ctid::text::point)[0]) FROM registry_family WHERE id = ANY(%s)",
                [list(found)],
            )
            pages = cursor.fetchone()[0]
            cursor.execute("SELECT pg_relation_size('registry_family') / current_setting('block_size')::int")
            table_pages = cursor.fetchone()[0]
            spread = f"; they lie on {pages:,} distinct pages of the table's {table_pages:,}"
        else:
            spread = ""
    print(f"{total:,} families; {len(ids):,} distinct families sampled uniformly by primary key{spread}")
    return ids


def bench_orm(user: User, ids: list[str]) -> list[float]:
    timings = []
    for family_id in ids:
        start = time.perf_counter()
        family = get_family_for(user, family_id)
        list(family.living_members())
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def bench_api(client: Client, ids: list[str]) -> list[float]:
    timings = []
    for family_id in ids:
        start = time.perf_counter()
        response = client.get(f"/api/v1/families/{family_id}")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def state_official() -> User:
    user, created = User.objects.get_or_create(username="bench.state", defaults={"kind": User.Kind.OFFICIAL})
    if created:
        Posting.objects.create(user=user, role=Role.STATE_ADMIN, level=Level.STATE)
    return user


def session_for(user: User) -> str:
    """A logged-in session in the session store, as a login leaves it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None
    return store.session_key


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One GET on a keep-alive connection; its status (0 if the connection closed)."""
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        return 0
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return int(status_line.split()[1])


async def _client(port: int, session: str, ids: list[str], until: float, out: dict[str, list[float]]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for family_id in ids:
        if time.perf_counter() >= until:
            break
        request = (
            f"GET /api/v1/families/{family_id} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: sessionid={session}\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        started = time.perf_counter()
        try:
            status = await asyncio.wait_for(_get(reader, writer, request), 30)
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            status = 0
        if status == 200:
            out["ok"].append((time.perf_counter() - started) * 1000)
        else:
            out["errors"].append(float(status))
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    else:
        out["ran_out"].append(1.0)
    writer.close()


async def _level(
    port: int, session: str, ids: list[str], clients: int, seconds: float
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"ok": [], "errors": [], "ran_out": []}
    until = time.perf_counter() + seconds
    shares = [ids[i::clients] for i in range(clients)]
    await asyncio.gather(*(_client(port, session, share, until, out) for share in shares))
    return out


def serve(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """gunicorn on this database, DEBUG off, as production serves it."""
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "HIMACCESS_DATA_DIR": tempfile.mkdtemp(prefix="himaccess-bench-"),
        "OIDC_RSA_PRIVATE_KEY_FILE": "",
        # Reads issue no IDs; the key only has to be set for DEBUG off.
        "REGISTER_ID_KEY": register_key(),
    }
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "himaccess.wsgi:application",
            *("--bind", f"127.0.0.1:{port}", "--worker-class", "gthread"),
            *("--workers", str(workers), "--threads", str(threads)),
            *("--keep-alive", "30", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return process
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode})")
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start listening within 60 s")


def concurrent(args: argparse.Namespace, user: User, ids: list[str], levels: list[int]) -> None:
    session = session_for(user)
    connection.close()  # this process's own backend is not the server's
    server = serve(args.port, args.workers, args.threads)
    try:
        # Warm-up: imports and first connections of every worker, on IDs set aside for it.
        warm, ids = ids[:200], ids[200:]
        asyncio.run(_level(args.port, session, warm, max(levels), 30))
        print(
            f"gunicorn gthread {args.workers}x{args.threads} (DEBUG off), keep-alive connections, "
            f"{args.seconds:.0f} s per level, each level on families no earlier pass read"
        )
        each = len(ids) // len(levels)
        for n, clients in enumerate(levels):
            share = ids[n * each : (n + 1) * each]
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            out = asyncio.run(_level(args.port, session, share, clients, args.seconds))
            elapsed = time.perf_counter() - started
            ok = out["ok"]
            errors = len(out["errors"])
            note = " (ran out of sampled families before the time was up)" if out["ran_out"] else ""
            figures = percentiles(ok, 1) if len(ok) > 1 else "no answers"
            print(
                f"  {clients:>3} clients: {len(ok) / elapsed:7.1f} lookups/s, {figures}, "
                f"{errors} errors; load {load_before:.2f} -> {machine()}{note}"
            )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lookups", type=int, default=2000, help="single-client lookups per pass")
    parser.add_argument("--clients", default="1,4,8,16", help="concurrency levels; empty: none")
    parser.add_argument("--seconds", type=float, default=20, help="per concurrency level")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--seed", type=int, default=None, help="of the sample (default: a new one each run)")
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",") if n.strip()]
    # Enough distinct families for both single-client passes and every level (at most ~300/s each).
    per_level = int(args.seconds * 300)
    wanted = 2 * args.lookups + 200 + 2 * per_level * len(levels)
    print(machine())
    ids = sample_ids(wanted, args.seed if args.seed is not None else secrets.randbits(32))
    setup_test_environment()
    user = state_official()
    orm_ids, api_ids, ids = ids[: args.lookups], ids[args.lookups : 2 * args.lookups], ids[2 * args.lookups :]
    bench_orm(user, ids[:50])  # warm the connection, not the families measured
    print("family by ID through the ORM, one client:      ", percentiles(bench_orm(user, orm_ids), 2))
    client = Client()
    client.force_login(user)
    client.get(f"/api/v1/families/{ids[50]}")
    print("family by ID through the API in process, one client:", percentiles(bench_api(client, api_ids), 2))
    print("(the API figures include writing one access-log row per read)")
    print(machine())
    if levels:
        concurrent(args, user, ids[51:], levels)


if __name__ == "__main__":
    main()
