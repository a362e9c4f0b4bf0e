"""Faults under a steady load of submissions: what clients are told, and that nothing is lost or done twice.

    flock LOCKFILE .venv/bin/python bench/faults.py [--database-url ...] [--users 12] \\
        [--pg-restart --lock LOCKFILE]

The product is served as bench/state_load.py serves it (gunicorn gthread,
DEBUG off, Celery with its beat on RabbitMQ), with two differences that let
faults be made without touching anyone else: the shared cache is a Redis
server this script starts (``--redis-port``) and SMS go over HTTP to a
gateway this script runs (``--gateway-port``), which counts every message it
accepts by its reference.

Citizens' apps file applications through the API and department systems post
ledger payments, each with an Idempotency-Key, sending again (same key,
after Retry-After) until acknowledged. One fault at a time, each in its own
window of ``--fault-seconds``:

1. the SMS gateway slow (answers after 12 s: longer than the product waits);
2. the SMS gateway down (503);
3. Redis (the cache) down: its server shut down, then started again;
4. RabbitMQ down: ``rabbitmqctl stop_app``, then ``start_app`` (the broker is shared);
5. the Celery worker killed (SIGKILL) mid-task, started again 5 s later;
6. with ``--pg-restart`` only: PostgreSQL restarted
   (``pg_ctlcluster --skip-systemctl-redirect VERSION CLUSTER restart``), once.
   It restarts every database of the server, so it runs only when this
   command runs under ``flock --lock`` (the machine's benchmark lock).

Per window it prints what clients got (statuses; 503 and 429 with or without
Retry-After; no answer at all), then: applications and payments acknowledged
against rows stored (none lost, none twice), and SMS accepted by the gateway
against SMS rows (each sent once, none left queued once the relay has run).
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import state_load  # noqa: E402

SLOW_SECONDS = 12
FAULTS = {
    "gateway-slow": "SMS gateway slow",
    "gateway-down": "SMS gateway down",
    "redis": "Redis down",
    "rabbitmq": "RabbitMQ down",
    "celery": "Celery worker killed",
}


class Gateway:
    """An SMS gateway on 127.0.0.1 that can be made slow or down; counts what it accepted by reference."""

    def __init__(self, port: int) -> None:
        self.mode = "up"
        self.accepted: collections.Counter[str] = collections.Counter()
        self.first_accepted: dict[str, float] = {}
        self.refused = 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if gateway.mode == "slow":
                    time.sleep(SLOW_SECONDS)
                if gateway.mode == "down":
                    gateway.refused += 1
                    self.send_response(503)
                    self.end_headers()
                    return
                reference = str(json.loads(body).get("reference", ""))
                gateway.accepted[reference] += 1
                gateway.first_accepted.setdefault(reference, time.time())
                answer = json.dumps({"id": f"gw-{reference}-{gateway.accepted[reference]}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def start_redis(port: int, workdir: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            "redis-server",
            *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            *("--dir", workdir, "--loglevel", "warning"),
        ],
        start_new_session=True,
    )
    for _ in range(50):
        if (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip()
            == b"PONG"
        ):
            return process
        time.sleep(0.1)
    raise SystemExit(f"redis-server did not start on port {port}")


def under_lock(lock: str) -> bool:
    """Whether a process above this one is ``flock LOCK ...`` (so the lock is held for this run)."""
    pid = os.getppid()
    while pid > 1:
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        if words and Path(words[0].decode()).name == "flock" and lock.encode() in words:
            return True
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return False


def pg_cluster() -> tuple[str, str]:
    found = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True)
    version, cluster = found.stdout.split()[:2]
    return version, cluster


def main() -> None:
    parser = state_load.options_parser(__doc__ or "")
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--fault-seconds", type=float, default=15)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--gateway-port", type=int, default=8795)
    parser.add_argument(
        "--drain-seconds", type=float, default=240, help="wait for the SMS relay after the run"
    )
    parser.add_argument("--faults", default=",".join(FAULTS), help="which, in order: " + ", ".join(FAULTS))
    parser.add_argument("--pg-restart", action="store_true", help="restart PostgreSQL once (needs --lock)")
    parser.add_argument("--lock", default="", help="the benchmark lock this command runs under (flock)")
    parser.set_defaults(scenarios="submitter,ledger", port=8796)
    options = parser.parse_args()
    if options.pg_restart and not (options.lock and under_lock(options.lock)):
        parser.error(
            "--pg-restart restarts every database of the server: run under `flock LOCK` with --lock LOCK"
        )
    options.cache_url = f"redis://127.0.0.1:{options.redis_port}/0"

    workdir = tempfile.mkdtemp(prefix="himaccess-faults-")
    env = state_load.setup_django(options, workdir)
    env.update(
        {
            "SMS_BACKEND": "http",
            "SMS_GATEWAY_URL": f"http://127.0.0.1:{options.gateway_port}/send",
            "SMS_GATEWAY_API_KEY": "bench",
        }
    )
    from django.db import connections

    from bench.measure import machine
    from himaccess.notifications.models import SmsMessage, SmsTemplate

    print(f"before: {machine()}")
    state_load.ensure_database(options)
    fixture = state_load.fixtures(options)
    # The gateway takes only registered (DLT) templates; the benchmark's stand-ins are put back afterwards.
    blank_en = list(SmsTemplate.objects.filter(dlt_template_id_en="").values_list("pk", flat=True))
    blank_hi = list(SmsTemplate.objects.filter(dlt_template_id_hi="").values_list("pk", flat=True))
    SmsTemplate.objects.filter(pk__in=blank_en).update(dlt_template_id_en="BENCH-DLT")
    SmsTemplate.objects.filter(pk__in=blank_hi).update(dlt_template_id_hi="BENCH-DLT")
    seconds = options.fault_seconds
    faults = [FAULTS[name] for name in options.faults.split(",")]
    if options.pg_restart:
        faults.append("PostgreSQL restarted")
    run_seconds = 10 + len(faults) * (seconds + 10) + 30
    fixture.update(
        host=f"http://127.0.0.1:{options.port}",
        steps=[options.users],
        step_seconds=run_seconds,
        warmup_seconds=3,
        retry_seconds=120,
    )
    state_load.collect_static(env)
    gateway = Gateway(options.gateway_port)
    redis = start_redis(options.redis_port, workdir)
    env["CACHE_URL"] = options.cache_url
    state_load.purge_queue()
    celery = start_celery_with_beat(env)
    gunicorn = state_load.start_gunicorn(options, env)
    windows: list[tuple[str, float, float]] = []
    sms_before = SmsMessage.objects.count()
    try:
        state_load.wait_until_serving(options.port)
        fixture["watch_pids"] = [celery.pid, gunicorn.pid]
        before = state_load.counts()
        connections.close_all()
        results: list[dict[str, Any]] = []
        users = threading.Thread(target=lambda: results.append(state_load.run_users(fixture, workdir)))
        users.start()
        time.sleep(fixture["warmup_seconds"] + 10)
        for fault in faults:
            started = time.time()
            if fault == "SMS gateway slow":
                gateway.mode = "slow"
                time.sleep(seconds)
                gateway.mode = "up"
            elif fault == "SMS gateway down":
                gateway.mode = "down"
                time.sleep(seconds)
                gateway.mode = "up"
            elif fault == "Redis down":
                subprocess.run(
                    ["redis-cli", "-p", str(options.redis_port), "shutdown", "nosave"], check=False
                )
                redis.wait(timeout=10)
                time.sleep(seconds)
                redis = start_redis(options.redis_port, workdir)
            elif fault == "RabbitMQ down":
                subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True)
                time.sleep(seconds)
                subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True)
            elif fault == "Celery worker killed":
                os.killpg(celery.pid, signal.SIGKILL)
                celery.wait(timeout=10)
                time.sleep(5)
                celery = start_celery_with_beat(env)
                fixture["watch_pids"][0] = celery.pid
                time.sleep(max(seconds - 5, 0))
            elif fault == "PostgreSQL restarted":
                version, cluster = pg_cluster()
                subprocess.run(
                    ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"], check=True
                )
                time.sleep(seconds)
            windows.append((fault, started, time.time()))
            print(f"fault: {fault} from {started:.0f} to {time.time():.0f}", flush=True)
            time.sleep(10)
        users.join()
        result = results[0]
        print(
            f"load finished; waiting up to {options.drain_seconds:.0f} s for queued SMS "
            "(the relay runs each minute)"
        )
        deadline = time.monotonic() + options.drain_seconds
        queued = SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED)
        while queued.exists() and time.monotonic() < deadline:
            time.sleep(2)
        report(result, windows, before, gateway, sms_before)
    finally:
        state_load.stop([gunicorn, celery])
        with contextlib.suppress(ProcessLookupError):
            os.killpg(redis.pid, signal.SIGTERM)
        SmsTemplate.objects.filter(pk__in=blank_en).update(dlt_template_id_en="")
        SmsTemplate.objects.filter(pk__in=blank_hi).update(dlt_template_id_hi="")
        gateway.server.shutdown()
    print(f"after: {machine()}")


def start_celery_with_beat(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """One worker with its beat (-B), so the relay of queued SMS runs as in production."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            *("-A", "himaccess.celery", "worker", "-B", "--pool", "solo", "--loglevel", "warning"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            *("--schedule", str(Path(env["HIMACCESS_DATA_DIR"]) / "beat-schedule")),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def _window(windows: list[tuple[str, float, float]], at: float) -> str:
    for name, started, ended in windows:
        # An answer within 5 s of the window's end is still the fault's (requests in flight, retries).
        if started <= at <= ended + 5:
            return name
    return "no fault"


def report(
    result: dict[str, Any],
    windows: list[tuple[str, float, float]],
    before: dict[str, int],
    gateway: Gateway,
    sms_before: int,
) -> None:
    from himaccess.applications.models import Application
    from himaccess.notifications.models import SmsMessage
    from himaccess.schemes.models import Benefit

    seen: dict[str, collections.Counter[str]] = {}
    for at, scenario, status, retry_after, _seconds in result["attempts"]:
        if status in (429, 503):
            label = f"{status} {'with' if retry_after else 'WITHOUT'} Retry-After"
        elif status == 0:
            label = "no answer"
        else:
            label = str(status)
        seen.setdefault(_window(windows, at), collections.Counter())[f"{scenario} {label}"] += 1
    print()
    for name in ["no fault", *(w[0] for w in windows)]:
        print(f"{name:<22} {dict(sorted(seen.get(name, collections.Counter()).items()))}")
    numbers = result["acknowledged"]["applications"]
    references = result["acknowledged"]["benefits"]
    after = state_load.counts()
    stored = Application.objects.filter(number__in=numbers).count()
    added = after["applications"] - before["applications"]
    print(
        f"\napplications: {len(numbers)} acknowledged ({len(set(numbers))} distinct), {stored} stored; "
        f"submitted rows added {added} (lost {len(set(numbers)) - stored}, extra {added - stored})"
    )
    booked = Benefit.objects.filter(payment_reference__in=references).count()
    print(
        f"ledger: {len(references)} payments acknowledged, {booked} stored; rows added "
        f"{after['benefits'] - before['benefits']} (lost {len(set(references)) - booked})"
    )
    messages = SmsMessage.objects.filter(pk__gt=0).order_by("-pk")[: after["sms"] - sms_before]
    statuses = collections.Counter(message.status for message in messages)
    twice = sum(1 for count in gateway.accepted.values() if count > 1)
    print(
        f"SMS: {after['sms'] - sms_before} written during the run {dict(statuses)}; the gateway accepted "
        f"{sum(gateway.accepted.values())} ({len(gateway.accepted)} distinct, {twice} more than once), "
        f"refused {gateway.refused} while down"
    )
    for reference, count in gateway.accepted.items():
        if count > 1:
            window = _window(windows, gateway.first_accepted[reference])
            print(f"   SMS {reference} accepted {count} times; first during: {window}")
    unclear = sum(
        count
        for counter in seen.values()
        for label, count in counter.items()
        if label.split(" ", 1)[1] in ("500", "502", "504", "no answer", "503 WITHOUT Retry-After")
    )
    print(f"answers that were not clear (5xx other than 503 with Retry-After, none at all): {unclear}")


if __name__ == "__main__":
    main()
