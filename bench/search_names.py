"""Name search latency and recall over a seeded register.

Samples members from the database named by DATABASE_URL, turns each name
into the kind of query people type (the other script, a spelling variant, a
typo, the name as stored), runs ``registry.search.search_members`` and prints
p50/p95/p99 latency and recall: how often the intended member, or a member
of exactly the same name, is among the first 20 results. With --trigram it
also times the naive pg_trgm query (``ORDER BY similarity(name_en, q) LIMIT
20``, no index) on the first queries, for comparison.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/search_names.py --queries 400 --trigram 20
"""

from __future__ import annotations

import argparse
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

from himaccess.geography.models import District  # noqa: E402
from himaccess.registry import search  # noqa: E402
from himaccess.registry.models import Member  # noqa: E402

VARIANT_RULES = [
    ("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("v", "w"), ("w", "v"), ("sh", "s"),
    ("ender", "endra"), ("endra", "ender"), ("aa", "a"), ("th", "t"), ("dh", "d"), ("bh", "b"),
    ("ch", "chh"), ("ph", "f"), ("z", "j"), ("er", "ar"), ("tt", "t"), ("ll", "l"), ("ia", "iya"),
]  # fmt: skip
KINDS = ("other script", "spelling variant", "typo", "as stored")


def variant(word: str, rng: random.Random) -> str:
    rules = [(a, b) for a, b in VARIANT_RULES if a in word.lower()]
    if not rules:
        return word
    a, b = rng.choice(rules)
    return word.lower().replace(a, b, 1).capitalize()


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    action = rng.choice(("delete", "swap", "replace", "double"))
    if action == "delete":
        return word[:i] + word[i + 1 :]
    if action == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if action == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiourtnslkm") + word[i + 1 :]


def make_query(member: tuple[int, str, str], kind: str, rng: random.Random) -> str:
    _, name_en, name_hi = member
    words = name_en.split()
    words = [words[0], words[-1]] if len(words) > 1 else words
    if kind == "other script":
        hi = name_hi.split()
        return " ".join([hi[0], hi[-1]] if len(hi) > 1 else hi)
    if kind == "spelling variant":
        j = rng.randrange(len(words))
        words[j] = variant(words[j], rng)
    elif kind == "typo":
        j = rng.randrange(len(words))
        words[j] = typo(words[j], rng)
    return " ".join(words)


def sample_members(count: int, rng: random.Random) -> list[tuple[int, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {Member._meta.db_table}")
        low, high = cursor.fetchone()
    ids = rng.sample(range(low, high + 1), min(count * 2, high - low + 1))
    rows = list(Member.objects.filter(pk__in=ids).values_list("pk", "name_en", "name_hi"))
    rng.shuffle(rows)
    return [r for r in rows if r[1] and r[2]][:count]


def percentiles(times: list[float]) -> str:
    times = sorted(times)
    if len(times) < 2:
        return "n/a"
    q = statistics.quantiles(times, n=100, method="inclusive")
    return f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms, max {times[-1]:.1f} ms"


def run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    total = Member.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, {total:,} members")
    members = sample_members(args.queries, rng)
    started = time.perf_counter()
    search.search_members("Ram Singh")  # loads the key vocabularies once per process
    print(f"first search (loads key vocabularies): {(time.perf_counter() - started) * 1000:.0f} ms")

    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    found_member = dict.fromkeys(KINDS, 0)
    found_name = dict.fromkeys(KINDS, 0)
    queries: list[tuple[str, tuple[int, str, str]]] = []
    all_times: list[float] = []
    for n, member in enumerate(members):
        kind = KINDS[n % len(KINDS)]
        query = make_query(member, kind, rng)
        queries.append((query, member))
        started = time.perf_counter()
        matches = search.search_members(query, limit=20)
        elapsed = (time.perf_counter() - started) * 1000
        by_kind[kind].append(elapsed)
        all_times.append(elapsed)
        found_member[kind] += any(m.member.pk == member[0] for m in matches)
        found_name[kind] += any(m.member.name_en == member[1] or m.member.pk == member[0] for m in matches)
    print(f"\nsearch_members over {len(members)} queries: {percentiles(all_times)}")
    for kind in KINDS:
        count = len(by_kind[kind])
        print(
            f"  {kind:17s} n={count:4d}  {percentiles(by_kind[kind])}  "
            f"recall@20 member {found_member[kind] / count:.1%}, same name {found_name[kind] / count:.1%}"
        )
    recall = sum(found_member.values()) / len(members)
    same = sum(found_name.values()) / len(members)
    print(f"  overall recall@20: intended member {recall:.1%}, a member of the same name {same:.1%}")

    district_times: list[float] = []
    district_hits = 0
    districts = {d.pk: d for d in District.objects.all()}
    family_district = dict(
        Member.objects.filter(pk__in=[m[0] for _, m in queries[: args.district_queries]]).values_list(
            "pk", "family__district_id"
        )
    )
    for query, member in queries[: args.district_queries]:
        started = time.perf_counter()
        matches = search.search_members(query, district=districts[family_district[member[0]]], limit=20)
        district_times.append((time.perf_counter() - started) * 1000)
        district_hits += any(m.member.pk == member[0] for m in matches)
    if district_times:
        print(
            f"\nwith the member's district as filter, {len(district_times)} queries: "
            f"{percentiles(district_times)}; recall@20 member {district_hits / len(district_times):.1%}"
        )

    if args.trigram and connection.vendor == "postgresql":
        trigram_baseline(queries[: args.trigram])


def trigram_baseline(queries: list[tuple[str, tuple[int, str, str]]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        times: list[float] = []
        hits = 0
        for query, member in queries:
            started = time.perf_counter()
            cursor.execute(
                f"SELECT id FROM {Member._meta.db_table} ORDER BY similarity(name_en, %s) DESC LIMIT 20",
                [query],
            )
            found = [row[0] for row in cursor.fetchall()]
            times.append((time.perf_counter() - started) * 1000)
            hits += member[0] in found
    print(
        f"\nnaive pg_trgm (ORDER BY similarity(name_en, q) LIMIT 20, no index) over {len(queries)} "
        f"of the same queries: {percentiles(times)}; recall@20 member {hits / len(queries):.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--district-queries", type=int, default=100)
    parser.add_argument(
        "--trigram", type=int, default=0, help="time the naive pg_trgm query on this many queries"
    )
    parser.add_argument("--seed", type=int, default=7)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
