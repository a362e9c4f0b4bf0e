"""What every benchmark shares: the machine's load and cores, percentiles, its own database, the CLI."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlparse

import psycopg

PROJECT = Path(__file__).resolve().parent.parent


def audit_key() -> str:
    """The key a benchmark's servers sign the audit chain's heads with: the operator's own.

    Servers run with a throwaway SECRET_KEY; the audit key would follow it, and the benchmark
    database would then hold heads that ``himaccess audit verify`` run afterwards (from the same
    environment, or the embedded default's) could not check.
    """
    return os.environ.get("AUDIT_HMAC_KEY") or "audit-head:" + (
        os.environ.get("SECRET_KEY") or "embedded-development-only-key-never-use-in-production"
    )


def register_key() -> str:
    """The key every benchmark writer of a kept register draws its IDs and numbers with.

    Register IDs and application numbers are a keyed permutation of counters in the database:
    written with two keys, two counters can give one number (seen: ``seed_history`` after a
    benchmark run stopped on a duplicate application number). The seed, the year of history
    and every benchmark server therefore use this one key, as a deployment uses one.
    """
    return os.environ.get("REGISTER_ID_KEY") or "bench-register-ids-v1"


def machine() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def percentiles(samples: list[float], digits: int = 1) -> str:
    """p50, p95 and p99 of millisecond samples."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    return f"p50 {p50:.{digits}f} ms  p95 {p95:.{digits}f} ms  p99 {p99:.{digits}f} ms  (n={len(samples)})"


def recreate_database(url: str) -> None:
    """Drop and create the benchmark's own PostgreSQL database (never one whose name looks odd)."""
    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"refusing to recreate database {name!r}")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def himaccess(*args: str) -> None:
    """The project's own command line, as an operator runs it."""
    subprocess.run([str(PROJECT / ".venv/bin/himaccess"), *args], check=True, cwd=PROJECT)


class AutovacuumStandIn:
    """``VACUUM (ANALYZE)`` of busy tables every minute when the server runs without autovacuum.

    A deployed PostgreSQL keeps autovacuum on (its default); a server set up with it off keeps
    the planner's row estimates from before a bulk load and lets dead rows pile up, and the
    figures would measure that instead of the product. Each script says when it stands in.
    """

    def __init__(self, url: str, tables: list[str], every: float = 60.0) -> None:
        for table in tables:
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
                raise ValueError(f"not a table name: {table!r}")
        self.url, self.tables, self.every = url, tables, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with psycopg.connect(url, autocommit=True) as probe:
            row = probe.execute("SHOW autovacuum").fetchone()
        self.needed = row is not None and row[0] == "off"

    def run_once(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            for table in self.tables:
                conn.execute(f"VACUUM (ANALYZE) {table}")

    def start(self) -> None:
        if not self.needed:
            return
        tables = ", ".join(self.tables)
        print(f"autovacuum is off on this server: VACUUM (ANALYZE) {tables} every {self.every:.0f} s")
        self.run_once()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.run_once()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
