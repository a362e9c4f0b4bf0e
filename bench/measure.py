"""What every benchmark shares: the machine's load and cores, percentiles, its own database, the CLI."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import psycopg

PROJECT = Path(__file__).resolve().parent.parent


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
