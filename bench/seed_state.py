"""Seed a synthetic population at state scale and print what it cost.

    .venv/bin/python bench/seed_state.py                      # 1,930,000 families into himaccess_bench
    .venv/bin/python bench/seed_state.py --families 100000 --database-url postgres://postgres@127.0.0.1:5432/mine

With the default URL (or --fresh) the database is dropped and created, then
migrated and given the reference geography; only the seed itself is timed.
It runs ``himaccess seed`` as a child process and samples the resident memory
of that process and its workers together from /proc every 0.2 s (the database
server's own memory is not counted). The database is left in place.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from measure import recreate_database, register_key

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/himaccess_bench"


def run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "-m", "himaccess.cli", *args], cwd=PROJECT, env=env, check=True)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakMemory(threading.Thread):
    """The largest sum of resident memory over a process tree, sampled."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.stopped = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(p) for p in _tree(self.pid)))


def counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
            for table in ("registry_family", "registry_member", "registry_registerchange")
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--families", type=int, default=1_930_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate the database (default for the bench URL)"
    )
    options = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": options.database_url, "REGISTER_ID_KEY": register_key()}
    if options.database_url == DEFAULT_URL or options.fresh:
        recreate_database(options.database_url)
    run(["migrate", "--verbosity", "0"], env)
    run(["load_geography"], env)

    command = [
        PYTHON,
        "-m",
        "himaccess.cli",
        "seed",
        "--families",
        str(options.families),
        "--seed",
        str(options.seed),
    ]
    if options.workers:
        command += ["--workers", str(options.workers)]
    if options.batch_size:
        command += ["--batch-size", str(options.batch_size)]
    load = os.getloadavg()
    started = time.monotonic()
    child = subprocess.Popen(command, cwd=PROJECT, env=env)
    sampler = PeakMemory(child.pid)
    sampler.start()
    code = child.wait()
    wall = time.monotonic() - started
    sampler.stopped.set()
    if code:
        raise SystemExit(f"seed failed with exit code {code}")

    import resource

    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rows = counts(options.database_url)
    total = sum(rows.values())
    print(f"families requested     {options.families:,}")
    print(f"load average before    {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    print(f"wall time              {wall:,.1f} s")
    print(f"rows/s (all tables)    {total / wall:,.0f}")
    print(f"members/s              {rows['registry_member'] / wall:,.0f}")
    print(f"peak RSS, all seed processes together  {sampler.peak_kib / 1024:,.0f} MiB")
    print(f"peak RSS, largest single process       {largest / 1024:,.0f} MiB")
    for table, count in rows.items():
        print(f"{table:<24}{count:>12,}")


if __name__ == "__main__":
    main()
