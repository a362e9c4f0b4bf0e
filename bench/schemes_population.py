"""Every shipped scheme over the whole register: compiled SQL, DuckDB, and one person's explanation.

Against the database named by DATABASE_URL (the full synthetic state on PostgreSQL):

1. PostgreSQL: one compiled query per scheme (``population.eligible_counts``), end to end;
2. the DuckDB route, whole: a Parquet snapshot of the living register exported from the
   database (``snapshot.export_snapshot``), then all schemes counted in one DuckDB pass over
   it (``snapshot.counts``). The export is part of the route (the counts are only as fresh
   as the snapshot), so it prints the export time, the DuckDB time, their sum, and the sum
   against the compiled SQL. ``--reuse-snapshot`` skips the export and says so: that figure
   is then DuckDB alone, not the route;
3. one person's explanation (read inputs, evaluate, provenance, the explanation lines):
   p50/p95 over members drawn uniformly by primary key.

Each figure is printed with the machine's load average and cores.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/schemes_population.py --snapshot /tmp/register.parquet
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from bench.measure import machine  # noqa: E402
from himaccess.lib.rules import Clause  # noqa: E402
from himaccess.registry.models import Member  # noqa: E402
from himaccess.schemes import eligibility, population, snapshot  # noqa: E402
from himaccess.schemes.actions import reevaluation  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--on", default="2025-06-15")
    parser.add_argument("--snapshot", type=Path, default=Path("/tmp/himaccess-register.parquet"))
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--skip-sql", action="store_true")
    parser.add_argument("--reuse-snapshot", action="store_true")
    args = parser.parse_args()
    on = date.fromisoformat(args.on)
    versions = reevaluation.rules_in_force(on)
    living = Member.objects.filter(life_status="living").count()
    print(f"{connection.vendor}: {living:,} living members, {len(versions)} schemes, on {on}")
    print(machine())

    sql_took: float | None = None
    if not args.skip_sql:
        started = time.perf_counter()
        counts = population.eligible_counts(versions, on)
        sql_took = time.perf_counter() - started
        print(f"compiled SQL ({connection.vendor}), all schemes: {sql_took:.1f} s; {machine()}")
        for scheme_id, by_district in sorted(counts.items()):
            print(f"  {scheme_id:40s} {sum(by_district.values()):>10,}")

    export_took: float | None = None
    if not (args.reuse_snapshot and args.snapshot.exists()):
        started = time.perf_counter()
        rows = snapshot.export_snapshot(args.snapshot)
        export_took = time.perf_counter() - started
        print(f"snapshot: {rows:,} rows exported to Parquet in {export_took:.1f} s; {machine()}")
    started = time.perf_counter()
    con = snapshot.open_snapshot(args.snapshot)
    duck = snapshot.counts(con, versions, on)
    duck_took = time.perf_counter() - started
    print(f"DuckDB over the snapshot, all schemes in one pass: {duck_took:.1f} s; {machine()}")
    if not args.skip_sql:
        differ = [s for s in duck if duck[s] != counts[s]]
        print(
            f"  per-district counts equal to PostgreSQL's for {len(duck) - len(differ)}/{len(duck)} schemes"
        )
    print("all schemes over the whole register, side by side:")
    if sql_took is not None:
        print(f"  PostgreSQL alone (compiled SQL)          {sql_took:8.1f} s")
    if export_took is not None:
        route = export_took + duck_took
        print(f"  DuckDB route: export {export_took:.1f} s + count {duck_took:.1f} s = {route:8.1f} s")
        if sql_took:
            print(f"  DuckDB route against PostgreSQL alone:   {route / sql_took:8.2f} x the time")
    else:
        print(f"  DuckDB count alone {duck_took:.1f} s (snapshot reused: the export is not in this figure)")

    top = Member.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(7)
    times: list[float] = []
    scheme_versions = {v.scheme.scheme_id: v for v in versions}
    version = scheme_versions["old_age_pension_state"]
    while len(times) < args.people:
        member = (
            Member.objects.filter(id__gte=rng.randint(1, top), life_status="living")
            .select_related("family")
            .first()
        )
        if member is None:
            continue
        started = time.perf_counter()
        person = eligibility.person_for(member)
        assessment = eligibility.assess(person, version.scheme, version, on)
        eligibility.inputs_of(assessment, person)
        eligibility.lines(Clause.from_dict(assessment.clause.as_dict()))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"one person's explanation: p50 {statistics.median(times):.2f} ms, "
        f"p95 {p95:.2f} ms ({len(times)} people); {machine()}"
    )


if __name__ == "__main__":
    main()
