""""Does this person already exist?": latency of the check run when a member is added.

The register's add-member actions (a birth, a marriage in, a new family) emit
``member.added`` / ``family.registered``; ``linkage.lifecycle`` answers with
``actions.queue_on_entry`` (member record, indexed candidate look-up, scoring
with the latest trained model, pairs into the review queue). This script times
exactly that handler, ``lifecycle.check_added_member``, for many persons added to
families drawn at random across the register named by DATABASE_URL:

- re-entries: a living member drawn at random, added again to another family
  drawn at random in the same district, the way a second entry looks (as stored,
  the other script, a typo in the given name, the day and month swapped, the
  year off by one), keeping the father's record and the mobile only sometimes;
- new people: a given name and a surname of two other members drawn at random,
  a random date of birth, gender and mobile, in a random family.

Each person is saved the way the registry saves one (``refresh_name_keys``,
``save``) inside a transaction that is rolled back after the check, so the
register and the review queue are left as they were. Prints p50/p95/p99 for
each kind, how often a re-entry found its original, how often a new person drew
a proposal, the load average and the cores. With no trained model in the
database it stores the shipped one first (``--store-model``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        flock <bench lock> .venv/bin/python bench/linkage_check.py --queries 400 --store-model
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from bench.measure import machine, percentiles  # noqa: E402
from himaccess.linkage import actions, lifecycle  # noqa: E402
from himaccess.linkage.management.commands.linkage import SHIPPED_MODEL  # noqa: E402
from himaccess.linkage.models import CandidatePair, TrainedModel  # noqa: E402
from himaccess.registry.models import Family, Gender, MaritalStatus, Member, Relation, SocialCategory  # noqa: E402
from himaccess.registry.synthetic import errors  # noqa: E402

WAYS = ("as_stored", "other_script", "typo", "swapped", "year_off_by_one")


def random_members(count: int, rng: random.Random) -> list[Member]:
    """Living members spread over the whole register (a random primary key, the next living member)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM registry_member")
        low, top = cursor.fetchone()
    found: list[Member] = []
    while len(found) < count:
        member = (
            Member.objects.living()
            .select_related("family", "father", "spouse")
            .filter(pk__gte=rng.randint(low, top))
            .order_by("pk")
            .first()
        )
        if member is not None and member.name_en and member.relation != Relation.HEAD:
            found.append(member)
    return found


def family_in(district_id: int, rng: random.Random, avoid: int) -> Family:
    """A family of the district drawn at random (a random primary key, the next such family)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM registry_family")
        low, top = cursor.fetchone()
    for _ in range(50):
        family = (
            Family.objects.filter(district_id=district_id, pk__gte=rng.randint(low, top))
            .exclude(pk=avoid)
            .order_by("pk")
            .first()
        )
        if family is not None:
            return family
    return Family.objects.filter(district_id=district_id).exclude(pk=avoid).first() or Family.objects.get(
        pk=avoid
    )


def re_entry(original: Member, rng: random.Random, numpy_rng: np.random.Generator) -> tuple[Member, str]:
    way = rng.choice(WAYS)
    name_en, name_hi = original.name_en, original.name_hi
    if way == "other_script" and name_hi:
        name_en = ""  # typed in Devanagari only; the registry transliterates
    elif way == "typo":
        given, _, rest = name_en.partition(" ")
        name_en, name_hi = f"{errors.typo(given, numpy_rng)} {rest}".strip(), ""
    born = original.date_of_birth
    if way == "swapped":
        born = errors.swapped(born) or born
    elif way == "year_off_by_one":
        born = errors.year_off_by_one(born, numpy_rng)
    member = Member(
        family=family_in(original.family.district_id, rng, avoid=original.family_id),
        name_en=name_en,
        name_hi=name_hi,
        relation=Relation.SPOUSE,
        gender=original.gender,
        date_of_birth=born,
        marital_status=original.marital_status,
        social_category=original.social_category,
        occupation=original.occupation,
        mobile=original.mobile if rng.random() < 0.5 else "",
        father=original.father if rng.random() < 0.5 else None,
    )
    return member, way


def new_person(pool: list[Member], rng: random.Random) -> Member:
    given = rng.choice(pool).name_en.split()[0]
    surname = rng.choice(pool).name_en.split()[-1]
    home = rng.choice(pool).family
    return Member(
        family=home,
        name_en=f"{given} {surname}",
        relation=Relation.OTHER,
        gender=rng.choice([Gender.FEMALE, Gender.MALE]),
        date_of_birth=date(1940, 1, 1) + timedelta(days=rng.randrange(85 * 365)),
        marital_status=MaritalStatus.MARRIED,
        social_category=SocialCategory.GENERAL,
        occupation=pool[0].occupation,
        mobile=f"9{rng.randrange(10**9):09d}" if rng.random() < 0.6 else "",
    )


def timed_check(member: Member) -> tuple[float, list[int]]:
    """Save the person, time the handler the register's event runs, roll everything back."""
    with transaction.atomic():
        member.refresh_name_keys()
        member.save()
        started = time.perf_counter()
        lifecycle.check_added_member({"member_id": member.member_id, "family_id": member.family.family_id})
        elapsed = (time.perf_counter() - started) * 1000
        proposed = [
            other
            for left, right in CandidatePair.objects.filter(
                Q(member_l=member) | Q(member_r=member)
            ).values_list("member_l_id", "member_r_id")
            for other in (left, right)
            if other != member.pk
        ]
        transaction.set_rollback(True)
    return elapsed, proposed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=400, help="persons added (half re-entries)")
    parser.add_argument("--warm-up", type=int, default=20, help="checks run first and not counted")
    parser.add_argument("--store-model", action="store_true")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("this measures the check on PostgreSQL: set DATABASE_URL")
    print(f"before: {machine()}")
    if actions.latest_model() is None:
        if not args.store_model:
            sys.exit("no trained model in this database: run `himaccess linkage run` or pass --store-model")
        TrainedModel.objects.create(
            records=0, model=json.loads(SHIPPED_MODEL.read_text()), threshold=actions.DEFAULT_THRESHOLD
        )
        print("stored the shipped model (no model trained on this register yet)")
    trained = actions.latest_model()
    assert trained is not None
    print(f"model: {trained} threshold {trained.threshold}")
    rng = random.Random(args.seed)
    numpy_rng = np.random.default_rng(args.seed)
    drawn = time.perf_counter()
    pool = random_members(args.queries + args.warm_up, rng)
    print(f"{len(pool)} members drawn at random in {time.perf_counter() - drawn:.1f} s")
    plan: list[tuple[str, Member, Member | None]] = []
    for original in pool:
        if rng.random() < 0.5:
            member, way = re_entry(original, rng, numpy_rng)
            plan.append((way, member, original))
        else:
            plan.append(("new", new_person(pool, rng), None))
    rng.shuffle(plan)
    for _, member, _ in plan[: args.warm_up]:
        timed_check(member)
    timings: dict[str, list[float]] = {}
    found = {"re-entry": 0, "new": 0}
    tried = {"re-entry": 0, "new": 0}
    started = time.perf_counter()
    for way, member, original in plan[args.warm_up :]:
        elapsed, proposed = timed_check(member)
        timings.setdefault(way, []).append(elapsed)
        kind = "new" if original is None else "re-entry"
        tried[kind] += 1
        found[kind] += (original.pk in proposed) if original is not None else bool(proposed)
    wall = time.perf_counter() - started
    everything = [t for samples in timings.values() for t in samples]
    members = Member.objects.count()
    print(f"register: {members:,} members, {Family.objects.count():,} families")
    print(f"all checks: {percentiles(everything)}  max {max(everything):.1f} ms  ({wall:.1f} s in all)")
    for way in (*WAYS, "new"):
        if timings.get(way):
            print(f"  {way:16} {percentiles(timings[way])}")
    print(f"re-entries whose original was proposed: {found['re-entry']}/{tried['re-entry']}")
    print(f"new people who drew a proposal: {found['new']}/{tried['new']}")
    print(f"after: {machine()}")


if __name__ == "__main__":
    main()
