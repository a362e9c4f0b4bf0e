"""Time to load the reference geography, cold and again (idempotent re-run).

Uses the database named by DATABASE_URL (default: the embedded SQLite under
var/), migrating it first. Prints seconds per run and the row counts.

    .venv/bin/python bench/geography_load.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench .venv/bin/python bench/geography_load.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from himaccess.geography.loading import load_reference_geography  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    for run in ("first", "second"):
        started = time.perf_counter()
        counts = load_reference_geography()
        print(f"{run} run: {time.perf_counter() - started:.3f} s")
    print(", ".join(f"{kind} {count}" for kind, count in counts.items()))


if __name__ == "__main__":
    main()
