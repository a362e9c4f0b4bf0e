"""Departments' data API over a seeded register: consented reads per second, and bulk verification.

Over the database named by DATABASE_URL (seed it first with bench/seed_state.py):

Wall-clock figures depend on the machine's load (printed before and after); the CPU time this
process spends (server and clients together) does much less.

1. registers a purpose and a department data client (once; reused on later runs), samples
   ``--members`` random living members and gives each one's consent to the client (the rows a
   citizen's approval makes, written in bulk so the setup takes seconds);
2. starts a threaded WSGI server on 127.0.0.1 in this process and gets a token
   from the real client-credentials endpoint;
3. consented reads: ``--clients`` concurrent HTTP clients read random consented members for
   ``--seconds`` seconds (each read checks the token, the purpose and the live consent in the
   database, and writes its access-log row); prints reads per second and p50/p95/p99;
4. bulk verification: one ``POST /api/v1/department/verify`` of ``--bulk`` random IDs (found and
   unknown Member and Family IDs mixed), timed end to end, ``--bulk-repeats`` times.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h16_sharing_bench \\
        .venv/bin/python bench/department_reads.py --clients 8 --seconds 30
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import machine, percentiles

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

import django

django.setup()


import requests  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from himaccess.departments.models import Department  # noqa: E402
from himaccess.lib import identifiers  # noqa: E402
from himaccess.sharing import actions  # noqa: E402
from himaccess.sharing.models import Channel, ConsentRequest, DataClient, Decision, Purpose  # noqa: E402

PURPOSE = "bench-pension-check"
CLIENT_NAME = "Benchmark pension system"


class ThreadedServer(WSGIServer):
    """A fixed pool of threads, as gunicorn's threaded worker has: a thread per request would open
    a database connection per request and keep it (persistent connections) until the server
    runs out of them."""

    pool = ThreadPoolExecutor(max_workers=8)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._handle, request, client_address)

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def client_and_secret() -> tuple[DataClient, str]:
    department = Department.objects.get(pk="social_justice")
    purpose = Purpose.objects.filter(pk=PURPOSE).first() or actions.define_purpose(
        code=PURPOSE,
        department=department,
        name_en="Pension eligibility (benchmark)",
        name_hi="पेंशन पात्रता (बेंचमार्क)",
        field_groups=["identity", "family", "category"],
        acting_user=None,
    )
    existing = DataClient.objects.filter(application__name=CLIENT_NAME).first()
    if existing is not None:
        return existing, actions.rotate_secret(existing, acting_user=None, overlap_hours=0)
    client, secret = actions.register_client(
        name=CLIENT_NAME,
        department=department,
        purposes=[purpose],
        field_groups=["identity", "family", "category"],
        registered_by=None,
        requests_per_minute=10_000_000,
    )
    return client, secret


def sample_members(count: int) -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_member")
        total = cursor.fetchone()[0]
        share = min(100.0, 100.0 * count * 3 / max(total, 1))
        cursor.execute(
            f"SELECT id, member_id FROM registry_member TABLESAMPLE SYSTEM ({share:.4f}) "
            "WHERE life_status = 'living' LIMIT %s",
            [count],
        )
        rows = [(row[0], row[1]) for row in cursor.fetchall()]
    print(f"{total:,} members; {len(rows)} sampled")
    return rows


def give_consents(client: DataClient, members: list[tuple[int, str]]) -> None:
    """The rows a citizen's approval on their page makes, for each sampled member (in bulk)."""
    now = timezone.now()
    purpose = Purpose.objects.get(pk=PURPOSE)
    ConsentRequest.objects.bulk_create(
        [
            ConsentRequest(
                client=client,
                purpose=purpose,
                member_id=pk,
                field_groups=purpose.field_groups,
                channel=Channel.PAGE,
                requested_at=now,
                answer_by=now + timedelta(hours=24),
                decision=Decision.APPROVED,
                decided_at=now,
                decided_with=Channel.PAGE,
                expires_at=now + timedelta(days=90),
            )
            for pk, _member_id in members
        ],
        batch_size=2000,
    )


def serve() -> tuple[ThreadedServer, str]:
    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=ThreadedServer, handler_class=QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def token(base: str, client: DataClient, secret: str) -> str:
    response = requests.post(
        f"{base}/o/department/token/",
        data={"grant_type": "client_credentials", "scope": "register.verify register.read"},
        auth=(client.client_id, secret),
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def consented_reads(base: str, bearer: str, member_ids: list[str], clients: int, seconds: float) -> None:
    samples: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(seed: int) -> None:
        chooser = random.Random(seed)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {bearer}"
        mine: list[float] = []
        while time.monotonic() < deadline:
            member_id = chooser.choice(member_ids)
            started = time.perf_counter()
            response = session.get(
                f"{base}/api/v1/department/members/{member_id}?purpose={PURPOSE}", timeout=60
            )
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code == 200:
                mine.append(elapsed)
            else:
                with lock:
                    failures[0] += 1
        with lock:
            samples.extend(mine)

    started, cpu = time.monotonic(), time.process_time()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    print(f"consented reads: {clients} concurrent clients for {wall:.1f} s")
    print(f"  {len(samples) / wall:.0f} reads/s, {failures[0]} failed; {percentiles(samples)}")
    # Server and clients share this process: CPU per read bounds the rate on an idle core.
    print(f"  {cpu * 1000 / max(len(samples), 1):.1f} ms CPU per read (server and client in this process)")


def bulk_verification(base: str, bearer: str, member_ids: list[str], size: int, repeats: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT family_id FROM registry_family TABLESAMPLE SYSTEM (1) LIMIT %s", [size // 4])
        family_ids = [row[0] for row in cursor.fetchall()]
    chooser = random.Random(7)
    for run in range(repeats):
        known = chooser.sample(member_ids, min(len(member_ids), size // 2)) + family_ids
        unknown = [
            identifiers.make_id("M", chooser.randrange(10**9), "bench-unknown")
            for _ in range(size - len(known))
        ]
        ids = known + unknown
        chooser.shuffle(ids)
        started, cpu = time.perf_counter(), time.process_time()
        response = requests.post(
            f"{base}/api/v1/department/verify",
            json={"purpose": PURPOSE, "ids": ids},
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=300,
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        response.raise_for_status()
        body = response.json()
        sent = response.request.body
        asked = len(sent) / 1024 if isinstance(sent, bytes | str) else 0.0
        print(
            f"bulk verification #{run + 1}: {body['count']:,} IDs ({body['found']:,} found) "
            f"in {elapsed:.2f} s, {cpu:.2f} s CPU in this process "
            f"({len(response.content) / 1024:.0f} KiB answer, {asked:.0f} KiB asked)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=20_000, help="consented members to read among")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--bulk", type=int, default=10_000)
    parser.add_argument("--bulk-repeats", type=int, default=3)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("run against a PostgreSQL database seeded by bench/seed_state.py")

    print(machine())
    client, secret = client_and_secret()
    members = sample_members(options.members)
    started = time.perf_counter()
    give_consents(client, members)
    print(f"consents given to {len(members):,} members in {time.perf_counter() - started:.1f} s")
    connections.close_all()
    server, base = serve()
    bearer = token(base, client, secret)
    member_ids = [member_id for _pk, member_id in members]
    consented_reads(base, bearer, member_ids, options.clients, options.seconds)
    bulk_verification(base, bearer, member_ids, options.bulk, options.bulk_repeats)
    print(machine())
    server.shutdown()


if __name__ == "__main__":
    main()
