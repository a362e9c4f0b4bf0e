"""Webhook fan-out: N events to S subscribers over real HTTP, one subscriber down for a while.

1. A receiver process serves S local ports (asyncio, HTTP/1.1 keep-alive) and
   records the ``Him-Delivery`` id of every request it accepts. One port
   answers 503 for ``--down-seconds`` from its first request, then 200.
2. The bench makes S department clients with allowances and subscriptions,
   then N ``member.born`` webhook events in chunks, fanned out with
   ``publishing.fan_out`` (the function the bus handler uses): N x S deliveries.
3. Delivery runs either in ``--workers`` processes each looping over
   ``delivery.deliver_batch`` (``--mode processes``), or in a real Celery
   worker with ``--workers`` prefork children fed ``webhooks.deliver`` tasks on
   a private queue through the broker (``--mode celery``).
4. It waits until no delivery is pending, then checks at the receiver that
   every subscriber accepted each of its N deliveries exactly once
   (duplicates are counted, not hidden), and prints times, throughput,
   delivery latency percentiles and the load average with the core count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h16_hooks \\
        .venv/bin/python bench/webhook_fanout.py --events 10000 --subscribers 10 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import AutovacuumStandIn, machine, percentiles

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

QUEUE = "webhooks-bench"

# ------------------------------------------------------------------ the receiver


def receiver(ports_out: Connection, control: Connection, count: int, down_seconds: float) -> None:
    accepted: list[Counter[str]] = [Counter() for _ in range(count)]
    refused = [0] * count
    down_from: list[float | None] = [None]

    async def handle(index: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length, delivery = 0, ""
                for line in head.split(b"\r\n")[1:]:
                    name, _sep, value = line.partition(b":")
                    lowered = name.strip().lower()
                    if lowered == b"content-length":
                        length = int(value)
                    elif lowered == b"him-delivery":
                        delivery = value.strip().decode()
                await reader.readexactly(length)
                status = b"200 OK"
                if index == 0:
                    now = time.monotonic()
                    began = down_from[0] if down_from[0] is not None else now
                    down_from[0] = began
                    if now - began < down_seconds:
                        status = b"503 Service Unavailable"
                if status.startswith(b"200"):
                    accepted[index][delivery] += 1
                else:
                    refused[index] += 1
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = []
        for index in range(count):

            async def bound(r: asyncio.StreamReader, w: asyncio.StreamWriter, i: int = index) -> None:
                await handle(i, r, w)

            servers.append(await asyncio.start_server(bound, "127.0.0.1", 0, backlog=512))
        ports_out.send([server.sockets[0].getsockname()[1] for server in servers])
        loop = asyncio.get_running_loop()
        finished = loop.create_future()

        def wait_for_report() -> None:
            control.recv()
            loop.call_soon_threadsafe(finished.set_result, None)

        threading.Thread(target=wait_for_report, daemon=True).start()
        await finished
        control.send(
            [
                {"accepted": sum(c.values()), "unique": len(c), "refused": refused[i]}
                for i, c in enumerate(accepted)
            ]
        )

    asyncio.run(main())


# ------------------------------------------------------------------- delivering


def delivery_worker(stop_when_idle: float) -> None:
    import django

    django.setup()
    from himaccess.webhooks import delivery
    from himaccess.webhooks.models import Delivery

    idle_since: float | None = None
    while True:
        sent = delivery.deliver_batch()
        if sent.delivered + sent.failed + sent.released:
            idle_since = None
            continue
        if not Delivery.objects.filter(status="pending").exists():
            return
        idle_since = idle_since or time.monotonic()
        if time.monotonic() - idle_since > stop_when_idle:
            return
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--down-seconds", type=float, default=30.0)
    parser.add_argument("--mode", choices=("processes", "celery"), default="processes")
    parser.add_argument("--broker", default="amqp://guest:guest@127.0.0.1:5672//")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from oauth2_provider.models import get_application_model

    from himaccess.webhooks import addresses, publishing
    from himaccess.webhooks.models import Allowance, Delivery, Subscription, WebhookEvent

    assert connection.vendor == "postgresql", "run against PostgreSQL (DATABASE_URL)"
    assert settings.WEBHOOKS_ALLOW_HTTP and settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, (
        "needs DEBUG (local receiver)"
    )
    call_command("migrate", verbosity=0)
    print(f"start: {machine()}")

    # A clean slate in the bench's own database.
    Delivery.objects.all().delete()
    Subscription.objects.all().delete()
    WebhookEvent.objects.all().delete()
    Allowance.objects.all().delete()
    get_application_model().objects.filter(name__startswith="bench-").delete()

    ctx = mp.get_context("spawn")
    ports_in, ports_out = ctx.Pipe(duplex=False)
    control_here, control_there = ctx.Pipe()
    server = ctx.Process(
        target=receiver, args=(ports_out, control_there, args.subscribers, args.down_seconds)
    )
    server.start()
    ports = ports_in.recv()

    Application = get_application_model()
    for index, port in enumerate(ports):
        application = Application.objects.create(
            name=f"bench-{index}",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            redirect_uris="",
        )
        # Rows made directly: the bench measures delivery, not the audited set-up actions.
        Allowance.objects.create(application=application, event_types=["member.born"])
        Subscription.objects.create(
            application=application,
            url=addresses.validate_url(f"http://127.0.0.1:{port}/hooks"),
            event_types=["member.born"],
        )
    print(f"subscriber 0 (port {ports[0]}) answers 503 for {args.down_seconds:.0f} s from its first request")

    start = time.perf_counter()
    scopes = publishing.live_scopes()
    chunk = 2000
    made = 0
    for first in range(0, args.events, chunk):
        size = min(chunk, args.events - first)
        events = WebhookEvent.objects.bulk_create(
            [
                WebhookEvent(
                    type="member.born",
                    data={"member_id": f"M{first + i:011d}", "family_id": f"F{first + i:011d}"},
                )
                for i in range(size)
            ]
        )
        made += publishing.fan_out(events, scopes)
    fanned = time.perf_counter() - start
    print(
        f"fan-out: {args.events:,} events -> {made:,} deliveries in {fanned:.1f} s ({made / fanned:,.0f}/s)"
    )
    connections.close_all()
    busy = ["webhooks_delivery", "webhooks_subscription"]
    housekeeping = AutovacuumStandIn(os.environ["DATABASE_URL"], busy)
    housekeeping.start()

    start = time.perf_counter()
    celery: subprocess.Popen[bytes] | None = None
    workers = []
    if args.mode == "processes":
        workers = [ctx.Process(target=delivery_worker, args=(120.0,)) for _ in range(args.workers)]
        for worker in workers:
            worker.start()
    else:
        env = {**os.environ, "CELERY_BROKER_URL": args.broker}
        celery = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "himaccess",
                "worker",
                "-Q",
                QUEUE,
                "-c",
                str(args.workers),
                "-n",
                f"webhooks-bench-{os.getpid()}@%h",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
        )
        from himaccess.celery import app

        app.conf.broker_url = args.broker
        app.conf.task_always_eager = False

    pending = Delivery.objects.filter(status="pending")
    last_print = 0.0
    while True:
        left = pending.count()
        elapsed = time.perf_counter() - start
        if elapsed - last_print >= 10:
            print(f"  {elapsed:6.0f} s: {left:,} pending, {machine()}", flush=True)
            last_print = elapsed
        if left == 0:
            break
        if args.mode == "celery":
            for _ in range(args.workers):
                app.send_task("webhooks.deliver", queue=QUEUE)
        elif not any(worker.is_alive() for worker in workers):
            print("  workers stopped with deliveries pending")
            break
        time.sleep(2.0)
    took = time.perf_counter() - start
    housekeeping.stop()
    for worker in workers:
        worker.join(timeout=30)
    if celery is not None:
        celery.terminate()
        celery.wait(timeout=60)

    control_here.send("report")
    report = control_here.recv()
    server.terminate()

    delivered = Delivery.objects.filter(status="delivered").count()
    print(
        f"delivered: {delivered:,} of {made:,} in {took:.1f} s ({delivered / took:,.0f}/s), mode {args.mode}"
    )
    lost = duplicated = 0
    for index, counts in enumerate(report):
        lost += args.events - counts["unique"]
        duplicated += counts["accepted"] - counts["unique"]
        print(
            f"  subscriber {index}: accepted {counts['accepted']:,}, unique {counts['unique']:,}, "
            f"refused (503) {counts['refused']:,}"
        )
    print(f"at the receiver: lost {lost:,}, duplicated {duplicated:,}")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.id = (SELECT min(id) FROM webhooks_subscription) AS down,
                   EXTRACT(EPOCH FROM d.delivered_at - d.created_at) * 1000
            FROM webhooks_delivery d JOIN webhooks_subscription s ON s.id = d.subscription_id
            WHERE d.status = 'delivered'
            """
        )
        rows = cursor.fetchall()
    healthy_ms = [float(ms) for was_down, ms in rows if not was_down]
    down_ms = [float(ms) for was_down, ms in rows if was_down]
    if healthy_ms:
        print(f"time from fan-out to delivery, healthy subscribers: {percentiles(healthy_ms, 0)}")
    if down_ms:
        print(f"time from fan-out to delivery, the subscriber that was down: {percentiles(down_ms, 0)}")
    attempts = Delivery.objects.filter(
        subscription=Subscription.objects.order_by("id").first(), attempts__gt=1
    )
    print(f"deliveries of the down subscriber needing more than one attempt: {attempts.count():,}")
    print(f"end: {machine()}")


if __name__ == "__main__":
    main()
