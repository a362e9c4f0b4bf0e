""""Does this person already exist?": latency of the check run when a member is added.

Samples living members of the register named by DATABASE_URL, makes each a
"new" person the way a second entry looks (the other script, a typo in the given
name, the day and month swapped, or as stored), and times
``linkage.actions.possible_existing`` (indexed candidate look-up in PostgreSQL,
scoring with the latest trained model). Prints p50/p95/p99 and how often the
sampled member was among the answers. With no trained model in the database it
stores the shipped one first (``--store-model``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/linkage_check.py --queries 300 --store-model
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from himaccess.linkage import actions  # noqa: E402
from himaccess.linkage.management.commands.linkage import SHIPPED_MODEL  # noqa: E402
from himaccess.linkage.models import TrainedModel  # noqa: E402
from himaccess.linkage.records import make_record  # noqa: E402
from himaccess.registry.models import Member  # noqa: E402
from himaccess.registry.synthetic import errors  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--store-model", action="store_true")
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()}")
    if actions.latest_model() is None:
        if not args.store_model:
            sys.exit("no trained model in this database: run `himaccess linkage run` or pass --store-model")
        TrainedModel.objects.create(
            records=0, model=json.loads(SHIPPED_MODEL.read_text()), threshold=actions.DEFAULT_THRESHOLD
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM registry_member")
        top = cursor.fetchone()[0]
    rng = random.Random(5)
    numpy_rng = __import__("numpy").random.default_rng(5)
    timings, found = [], 0
    sample: list[Member] = []
    while len(sample) < args.queries:
        member = (
            Member.objects.living()
            .select_related("family", "father", "spouse")
            .filter(pk__gte=rng.randint(1, top))
            .first()
        )
        if member is not None and member.name_en:
            sample.append(member)
    for member in sample:
        way = rng.choice(["other_script", "typo", "swapped", "as_stored"])
        name = member.name_hi if way == "other_script" and member.name_hi else member.name_en
        if way == "typo":
            given, _, rest = name.partition(" ")
            name = f"{errors.typo(given, numpy_rng)} {rest}"
        born = errors.swapped(member.date_of_birth) if way == "swapped" else None
        record = make_record(
            "new",
            name=name,
            father_name=member.father.name_en if member.father else "",
            spouse_name=member.spouse.name_en if member.spouse else "",
            father_ref=member.father.member_id if member.father else None,
            spouse_ref=member.spouse.member_id if member.spouse else None,
            gender=member.gender,
            born=born or member.date_of_birth,
            district=member.family.district_id,
            village=str(member.family.village_id or member.family.urban_body_id or "") or None,
            mobile=member.mobile,
        )
        started = time.perf_counter()
        answers = actions.possible_existing(record)
        timings.append((time.perf_counter() - started) * 1000)
        found += any(other.pk == member.pk for other, _ in answers)
    timings.sort()
    q = statistics.quantiles(timings, n=100)
    members = Member.objects.count()
    print(
        f"{len(timings)} checks on {members:,} members: p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, "
        f"p99 {q[98]:.1f} ms, max {timings[-1]:.1f} ms"
    )
    print(f"the member re-entered was found {found}/{len(timings)}")
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
