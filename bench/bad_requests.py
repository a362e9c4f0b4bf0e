"""Bad requests at volume must not slow good ones by more than 20 %.

    flock LOCKFILE .venv/bin/python bench/bad_requests.py [--database-url ...] \\
        [--good-users 10 --good-rate 1] [--bad-rate 40 --bad-users 20] [--seconds 60]

The product is served as bench/state_load.py serves it. Two measured runs
with the same good load, a fixed rate of citizens opening their family page
and reading the service catalogue through the API (``--good-users`` Locust
users each at ``--good-rate`` rounds a second):

1. the good load alone;
2. the same good load with a load of bad requests added, ``--bad-rate`` a
   second in all (0: no second run): malformed JSON, unauthenticated API
   calls, posts without a session or a CSRF token, 3 MB bodies, control
   characters in the address and in JSON, JSON nested 5,000 deep, taken in
   turn from ``BAD_REQUESTS``.

The bad requests come from a process of their own, not from the Locust
process that times the good ones: a small asyncio generator on raw sockets
(HTTP/1.1, keep-alive; a connection is closed after a body over 64 KiB, as
the server closes it after refusing one it did not read). It sends on a fixed
schedule whatever the answers take, with at most ``--bad-users`` requests in
flight (a request due while that many are waiting is counted as skipped, not
sent late), and checks each answer against the statuses right for it.

It prints the good requests' throughput and p50/p95/p99 in both runs and the
change; what each kind of bad request was answered (each must be its own 4xx,
never a 5xx; "no answer" is a connection closed or reset before a status
line), their p50/p95 and the generator's own CPU seconds; the load average and
the cores; and says whether good throughput fell, or good p95 rose, by more
than 20 %.

    .venv/bin/python bench/bad_requests.py generate PORT RATE IN_FLIGHT RESULT.json

runs the generator alone until it is sent SIGTERM, then writes its counts.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import state_load  # noqa: E402
from bench.measure import machine  # noqa: E402

LIMIT = 0.20
# A body the server will not read: the connection is not used again after it.
CLOSE_AFTER_BYTES = 65_536
ANSWER_SECONDS = 30.0
JSON_TYPE = {"Content-Type": "application/json"}
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}

# Each bad request (name, method, target, headers, body) with the answers that are right for it;
# anything else (a 5xx above all) is wrong.
BAD_REQUESTS: list[tuple[str, str, str, dict[str, str], bytes, tuple[int, ...]]] = [
    (
        "malformed JSON",
        "POST",
        "/api/v1/schemes/benefits",
        {"Authorization": "Bearer x.y", **JSON_TYPE},
        b'{"member_id": "M1", ',
        (400, 401, 422),
    ),
    ("unauthenticated", "GET", "/api/v1/department/members/M12345678901?purpose=x", {}, b"", (401, 422)),
    ("no session", "POST", "/api/v1/services/applications", JSON_TYPE, b'{"service": "CERT-05"}', (401, 403)),
    ("oversize body", "POST", "/api/v1/services/applications", JSON_TYPE, b"x" * 3_000_000, (413,)),
    ("control characters", "GET", "/services/catalogue/?q=a%00b", {}, b"", (400,)),
    (
        "control characters in JSON",
        "POST",
        "/api/v1/services/applications",
        JSON_TYPE,
        b'{"service": "CERT-05\\u0000"}',
        (400, 401, 403),
    ),
    ("deep JSON", "POST", "/api/v1/schemes/benefits", JSON_TYPE, b"[" * 5000 + b"]" * 5000, (400,)),
    (
        "form without CSRF",
        "POST",
        "/grievances/new/",
        FORM_TYPE,
        urlencode({"description": "x"}).encode(),
        (403,),
    ),
]


# ------------------------------------------------------------------ the generator (a process of its own)


def _raw(method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response (length-delimited or chunked); (status, whether the server closes), 0: none."""
    status_line = await reader.readline()
    if not status_line:
        return 0, True
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if "chunked" in headers.get("transfer-encoding", ""):
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    elif length := int(headers.get("content-length", "0")):
        await reader.readexactly(length)
    return int(status_line.split()[1]), headers.get("connection") == "close"


class Generator:
    """Bad requests at ``rate`` a second in all, in turn from ``BAD_REQUESTS``, on a fixed schedule."""

    def __init__(self, port: int, rate: float, in_flight: int) -> None:
        self.port, self.rate, self.in_flight = port, rate, in_flight
        self.requests = [
            (name, _raw(m, t, h, b), len(b), expected) for name, m, t, h, b, expected in BAD_REQUESTS
        ]
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.busy = 0
        self.counts: dict[str, dict[str, int]] = {name: {} for name, *_rest in BAD_REQUESTS}
        self.times: dict[str, list[float]] = {name: [] for name, *_rest in BAD_REQUESTS}
        self.skipped = 0

    async def _send(self, name: str, request: bytes, body_size: int, expected: tuple[int, ...]) -> None:
        self.busy += 1
        started = time.perf_counter()
        status, writer = 0, None
        try:
            reader, writer = (
                self.idle.pop() if self.idle else await asyncio.open_connection("127.0.0.1", self.port)
            )
            # Written in the background while the answer is awaited: a refusal may come before the body.
            writer.write(request)
            status, closes = await asyncio.wait_for(_answer(reader), ANSWER_SECONDS)
            if (
                not closes
                and body_size <= CLOSE_AFTER_BYTES
                and writer.transport.get_write_buffer_size() == 0
            ):
                self.idle.append((reader, writer))
                writer = None
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError, IndexError):
            status = 0
        finally:
            if writer is not None:
                writer.close()
            self.busy -= 1
        key = "no answer" if status == 0 else str(status) if status in expected else f"WRONG {status}"
        self.counts[name][key] = self.counts[name].get(key, 0) + 1
        if status:
            self.times[name].append(time.perf_counter() - started)

    async def run(self, stop: asyncio.Event) -> float:
        started = time.perf_counter()
        tasks: set[asyncio.Task[None]] = set()
        sequence = 0
        while not stop.is_set():
            due = started + sequence / self.rate
            if (wait := due - time.perf_counter()) > 0:
                try:
                    await asyncio.wait_for(stop.wait(), wait)
                    break
                except TimeoutError:
                    pass
            name, request, body_size, expected = self.requests[sequence % len(self.requests)]
            sequence += 1
            if self.busy >= self.in_flight:
                self.skipped += 1
                continue
            task = asyncio.create_task(self._send(name, request, body_size, expected))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        elapsed = time.perf_counter() - started
        if tasks:
            await asyncio.wait(tasks, timeout=ANSWER_SECONDS)
        for _reader, writer in self.idle:
            writer.close()
        return elapsed


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _generate(port: int, rate: float, in_flight: int) -> dict[str, Any]:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    generator = Generator(port, rate, in_flight)
    cpu = _cpu_seconds()
    elapsed = await generator.run(stop)
    return {
        "seconds": elapsed,
        "cpu_seconds": _cpu_seconds() - cpu,
        "skipped": generator.skipped,
        "counts": generator.counts,
        "times": generator.times,
    }


def generate_main(arguments: list[str]) -> None:
    port, rate, in_flight, out = int(arguments[0]), float(arguments[1]), int(arguments[2]), Path(arguments[3])
    out.write_text(json.dumps(asyncio.run(_generate(port, rate, in_flight))))


# ------------------------------------------------------------------ the two runs


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def measure(fixture: dict[str, Any], workdir: str, options: Any, bad: bool) -> dict[str, Any]:
    """The good users' step, with the bad-request generator running beside it throughout when ``bad``."""
    run = {**fixture, "scenarios": ["good"], "steps": [fixture["good_users"]]}
    generator = None
    out = Path(workdir) / "bad.json"
    if bad:
        generator = subprocess.Popen(
            [
                sys.executable,
                __file__,
                *("generate", str(options.port), str(options.bad_rate), str(options.bad_users), str(out)),
            ]
        )
    try:
        step: dict[str, Any] = state_load.run_users(run, workdir)["steps"][0]
    finally:
        if generator is not None:
            generator.send_signal(signal.SIGTERM)
            generator.wait(timeout=ANSWER_SECONDS + 30)
    if generator is not None:
        step["bad"] = json.loads(out.read_text())
    return step


def show(label: str, step: dict[str, Any]) -> dict[str, Any]:
    good = step["scenarios"]["good"]
    one, five, _ = step["load"]
    print(
        f"{label}: good {good['rps']:.1f} req/s  p50 {good['p50']:.0f} ms  p95 {good['p95']:.0f} ms  "
        f"p99 {good['p99']:.0f} ms  failures {good['failures']}/{good['requests']}; "
        f"RSS {step['rss_mib']:.0f} MiB; load average {one:.2f} {five:.2f} on {step['cores']} cores"
    )
    bad = step.get("bad")
    if bad:
        sent = sum(sum(by_status.values()) for by_status in bad["counts"].values())
        wrong = sum(
            n for by_status in bad["counts"].values() for key, n in by_status.items() if not key[0].isdigit()
        )
        print(
            f"   bad: {sent / bad['seconds']:.1f} req/s sent over {bad['seconds']:.0f} s, {wrong} answered "
            f"other than their 4xx, {bad['skipped']} skipped (too many in flight); generator CPU "
            f"{bad['cpu_seconds']:.1f} s ({bad['cpu_seconds'] / bad['seconds']:.0%} of a core)"
        )
        for name, by_status in bad["counts"].items():
            times = bad["times"][name]
            answers = ", ".join(f"{key}: {n}" for key, n in sorted(by_status.items()))
            print(
                f"      {name:<27} {answers:<32} p50 {_percentile(times, 0.5):5.0f} ms  "
                f"p95 {_percentile(times, 0.95):5.0f} ms"
            )
    result: dict[str, Any] = good
    return result


def main() -> None:
    parser = state_load.options_parser(__doc__ or "")
    parser.add_argument("--good-users", type=int, default=10)
    parser.add_argument("--good-rate", type=float, default=1.0, help="rounds a second per good user")
    parser.add_argument("--bad-rate", type=float, default=40.0, help="bad requests a second in all; 0: none")
    parser.add_argument("--bad-users", type=int, default=20, help="bad requests in flight at most")
    parser.add_argument("--seconds", type=float, default=60)
    parser.set_defaults(scenarios="good", port=8797)
    options = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="himaccess-bad-")
    env = state_load.setup_django(options, workdir)
    print(f"before: {machine()}")
    state_load.ensure_database(options)
    fixture = state_load.fixtures(options)
    fixture.update(
        host=f"http://127.0.0.1:{options.port}",
        step_seconds=options.seconds,
        warmup_seconds=5,
        good_users=options.good_users,
        good_rate=options.good_rate,
    )
    state_load.collect_static(env)
    state_load.purge_queue()
    processes = [state_load.start_celery(env), state_load.start_gunicorn(options, env)]
    try:
        state_load.wait_until_serving(options.port)
        fixture["watch_pids"] = [p.pid for p in processes]
        alone = show("good load alone", measure(fixture, workdir, options, bad=False))
        if options.bad_rate <= 0:
            return
        mixed = show("with bad load  ", measure(fixture, workdir, options, bad=True))
    finally:
        state_load.stop(processes)
    rate = (mixed["rps"] / alone["rps"] - 1) if alone["rps"] else 0.0
    p95 = (mixed["p95"] / alone["p95"] - 1) if alone["p95"] else 0.0
    print(f"good throughput change {rate:+.1%}, good p95 change {p95:+.1%}")
    verdict = "within" if rate >= -LIMIT and p95 <= LIMIT else "OUTSIDE"
    print(f"{verdict} the {LIMIT:.0%} budget")
    print(f"after: {machine()}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["generate"]:
        generate_main(sys.argv[2:])
    else:
        main()
