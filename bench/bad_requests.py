"""Bad requests at volume must not slow good ones by more than 20 %.

    flock LOCKFILE .venv/bin/python bench/bad_requests.py [--database-url ...] \\
        [--good-users 10 --good-rate 1] [--bad-users 20 --bad-rate 2] [--seconds 60]

The product is served as bench/state_load.py serves it. Two measured runs
with the same good load, a fixed rate of citizens opening their family page
and reading the service catalogue through the API (``--good-users`` each at
``--good-rate`` rounds a second):

1. the good load alone;
2. the same good load with a load of bad requests added (``--bad-users`` at
   ``--bad-rate`` each): malformed JSON, unauthenticated API calls, posts
   without a session or a CSRF token, 3 MB bodies, control characters in the
   address and in JSON, JSON nested 5,000 deep.

It prints the good requests' throughput and p50/p95/p99 in both runs and the
change, what the bad requests were answered (each must be its own 4xx, never
a 5xx), the load average and the cores; and says whether good throughput
fell, or good p95 rose, by more than 20 %.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import state_load  # noqa: E402

LIMIT = 0.20


def measure(fixture: dict[str, Any], workdir: str, bad_users: int) -> dict[str, Any]:
    run = {**fixture, "bad_users": bad_users, "scenarios": ["good", "bad"] if bad_users else ["good"]}
    run["steps"] = [fixture["good_users"] + bad_users]
    step: dict[str, Any] = state_load.run_users(run, workdir)["steps"][0]
    return step


def show(label: str, step: dict[str, Any]) -> dict[str, Any]:
    good = step["scenarios"]["good"]
    one, five, _ = step["load"]
    print(
        f"{label}: good {good['rps']:.1f} req/s  p50 {good['p50']:.0f} ms  p95 {good['p95']:.0f} ms  "
        f"p99 {good['p99']:.0f} ms  failures {good['failures']}/{good['requests']}; "
        f"RSS {step['rss_mib']:.0f} MiB; load average {one:.2f} {five:.2f} on {step['cores']} cores"
    )
    bad = step["scenarios"].get("bad")
    if bad:
        print(f"   bad: {bad['rps']:.1f} req/s, {bad['failures']} answered other than their 4xx")
        for name, figures in sorted(bad["names"].items()):
            print(f"      {name}: {figures['requests']} ({figures['failures']} wrong)")
    result: dict[str, Any] = good
    return result


def main() -> None:
    parser = state_load.options_parser(__doc__ or "")
    parser.add_argument("--good-users", type=int, default=10)
    parser.add_argument("--good-rate", type=float, default=1.0, help="rounds a second per good user")
    parser.add_argument("--bad-users", type=int, default=20)
    parser.add_argument("--bad-rate", type=float, default=2.0, help="requests a second per bad user")
    parser.add_argument("--seconds", type=float, default=60)
    parser.set_defaults(scenarios="good", port=8797)
    options = parser.parse_args()
    import tempfile

    workdir = tempfile.mkdtemp(prefix="himaccess-bad-")
    env = state_load.setup_django(options, workdir)
    from bench.measure import machine

    print(f"before: {machine()}")
    state_load.ensure_database(options)
    fixture = state_load.fixtures(options)
    fixture.update(
        host=f"http://127.0.0.1:{options.port}",
        step_seconds=options.seconds,
        warmup_seconds=5,
        good_users=options.good_users,
        good_rate=options.good_rate,
        bad_rate=options.bad_rate,
    )
    state_load.collect_static(env)
    state_load.purge_queue()
    processes = [state_load.start_celery(env), state_load.start_gunicorn(options, env)]
    try:
        state_load.wait_until_serving(options.port)
        fixture["watch_pids"] = [p.pid for p in processes]
        alone = show("good load alone", measure(fixture, workdir, 0))
        mixed = show("with bad load  ", measure(fixture, workdir, options.bad_users))
    finally:
        state_load.stop(processes)
    rate = (mixed["rps"] / alone["rps"] - 1) if alone["rps"] else 0.0
    p95 = (mixed["p95"] / alone["p95"] - 1) if alone["p95"] else 0.0
    print(f"good throughput change {rate:+.1%}, good p95 change {p95:+.1%}")
    verdict = "within" if rate >= -LIMIT and p95 <= LIMIT else "OUTSIDE"
    print(f"{verdict} the {LIMIT:.0%} budget")
    print(f"after: {machine()}")


if __name__ == "__main__":
    main()
