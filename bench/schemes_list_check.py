"""``himaccess schemes evaluate`` on a large CSV: time and peak memory.

Writes a synthetic list of --rows people (families of 1-6), then runs the
command in a child process and reports its wall time and peak resident
memory (ru_maxrss of the child).

    .venv/bin/python bench/schemes_list_check.py --rows 1000000
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "person_id", "family_id", "gender", "date_of_birth", "marital_status", "disability_percent", "bpl",
    "annual_family_income", "income_tax_payer", "govt_employee", "govt_pensioner", "receives_social_pension",
    "leprosy", "district",
]  # fmt: skip


def write_people(path: Path, rows: int) -> None:
    rng = random.Random(11)
    start = date(1925, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        family, left = 0, 0
        for i in range(rows):
            if left == 0:
                family, left = family + 1, rng.randint(1, 6)
                income = rng.choice([0, 30_000, 80_000, 150_000, 400_000])
                district = rng.randint(15, 26)
            left -= 1
            writer.writerow([
                f"P{i}", f"H{family}", rng.choice("FFMMT" if i % 500 == 0 else "FM"),
                (start + timedelta(days=rng.randint(0, 35_000))).isoformat(),
                rng.choice(["married", "married", "never_married", "widowed", "divorced", "separated"]),
                rng.choice([0] * 20 + [40, 60, 75, 90]), rng.choice(["yes", "no", "no"]), income,
                rng.choice(["no"] * 9 + ["yes"]), rng.choice(["no"] * 12 + ["yes"]),
                rng.choice(["no"] * 15 + ["yes"]),
                rng.choice(["no"] * 8 + ["yes"]), rng.choice(["no"] * 300 + ["yes"]), district,
            ])  # fmt: skip
        # A few bad rows, reported by line and skipped.
        writer.writerow(
            ["BAD1", "HX", "F", "1990-02-30", "married", 0, "no", 0, "no", "no", "no", "no", "no", 22]
        )
        writer.writerow(
            ["BAD2", "HX", "Q", "1990-01-01", "married", 0, "no", 0, "no", "no", "no", "no", "no", 22]
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp"))
    args = parser.parse_args()
    source = args.dir / f"people-{args.rows}.csv"
    output = args.dir / f"decisions-{args.rows}.csv"
    if not source.exists():
        started = time.perf_counter()
        write_people(source, args.rows)
        print(
            f"wrote {args.rows:,} people in {time.perf_counter() - started:.1f} s "
            f"({source.stat().st_size / 1e6:.0f} MB)"
        )
    started = time.perf_counter()
    result = subprocess.run(
        [str(ROOT / ".venv/bin/himaccess"), "schemes", "evaluate", "--input", str(source),
         "--output", str(output), "--on", "2025-06-15"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    took = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(result.stdout.strip())
    # Standard error carries the progress lines too: bad rows are the lines that name one.
    bad = sum(1 for line in result.stderr.splitlines() if line.startswith("line "))
    print(f"bad rows reported: {bad} (exit {result.returncode})")
    lines = sum(1 for _ in output.open(encoding="utf-8")) - 1 if output.exists() else 0
    print(
        f"schemes evaluate on {args.rows:,} rows: {took:.1f} s, "
        f"peak memory {peak_mb:.0f} MB, {lines:,} decisions"
    )
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
