"""Name search latency and recall over a seeded register, on the path officials use.

Samples members from the database named by DATABASE_URL and turns each name
into the kind of query people type (the other script, a spelling variant, a
typo, the name as stored). Each query is then timed, in turn, on:

1. **tehsil**: what the register's search page does for a tehsildar posted in
   the member's own tehsil: ``find_families(q, Family.objects.filter(posting's
   family filter))``, the scope ``Family.objects.visible_to(user)`` builds;
2. **district**: the same for an official posted in the member's district;
3. **unscoped**: ``search_members(q)`` over the whole state (a state-level
   reader; the figure earlier versions of this script timed).

Every sampled member gets a posting of their own area, so the queries cover
most tehsils rather than one. Recall@20 is how often the intended member is
among the results (for the scoped paths: among the matched members of the
first 20 families the page lists).

With ``--trigram N`` the first N queries are also run through pg_trgm with a
GIN trigram index on ``name_en`` (built concurrently when missing, its build
time and size printed, dropped afterwards unless ``--keep-trigram-index``):
``WHERE name_en % q ORDER BY similarity(name_en, q) DESC LIMIT 20``, over the
whole state and scoped to the same tehsil; a query in Devanagari is first
transliterated to Latin. A query that runs past ``--trigram-timeout`` counts
as a miss at the timeout.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/search_names.py --queries 400 --trigram 60
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import machine, percentiles

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.utils import OperationalError  # noqa: E402

from himaccess.accounts.models import Level, Posting  # noqa: E402
from himaccess.lib import transliteration  # noqa: E402
from himaccess.registry import search  # noqa: E402
from himaccess.registry.models import Family, Member  # noqa: E402

VARIANT_RULES = [
    ("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("v", "w"), ("w", "v"), ("sh", "s"),
    ("ender", "endra"), ("endra", "ender"), ("aa", "a"), ("th", "t"), ("dh", "d"), ("bh", "b"),
    ("ch", "chh"), ("ph", "f"), ("z", "j"), ("er", "ar"), ("tt", "t"), ("ll", "l"), ("ia", "iya"),
]  # fmt: skip
KINDS = ("other script", "spelling variant", "typo", "as stored")
TRIGRAM_INDEX = "bench_member_name_en_trgm"
DEVANAGARI = re.compile(r"[\u0900-\u097f]")


@dataclass(frozen=True)
class Sampled:
    pk: int
    name_en: str
    name_hi: str
    tehsil_id: int
    district_id: int


@dataclass
class Timing:
    """One way of searching: its latencies and hits, overall and by kind of query."""

    name: str
    times: list[float] = field(default_factory=list)
    hits: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    hits_by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def time(self, kind: str, run: Callable[[], set[int]], wanted: int) -> None:
        started = time.perf_counter()
        found = run()
        elapsed = (time.perf_counter() - started) * 1000
        self.times.append(elapsed)
        self.by_kind[kind].append(elapsed)
        hit = wanted in found
        self.hits += hit
        self.hits_by_kind[kind] += hit

    def report(self) -> None:
        print(f"\n{self.name}: {percentiles(self.times)}  recall@20 {self.hits / len(self.times):.1%}")
        for kind in KINDS:
            times = self.by_kind[kind]
            if len(times) >= 2:
                print(
                    f"  {kind:17s} {percentiles(times)}  recall@20 {self.hits_by_kind[kind] / len(times):.1%}"
                )


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


def make_query(member: Sampled, kind: str, rng: random.Random) -> str:
    words = member.name_en.split()
    words = [words[0], words[-1]] if len(words) > 1 else words
    if kind == "other script":
        hi = member.name_hi.split()
        return " ".join([hi[0], hi[-1]] if len(hi) > 1 else hi)
    if kind == "spelling variant":
        j = rng.randrange(len(words))
        words[j] = variant(words[j], rng)
    elif kind == "typo":
        j = rng.randrange(len(words))
        words[j] = typo(words[j], rng)
    return " ".join(words)


def sample_members(count: int, rng: random.Random) -> list[Sampled]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {Member._meta.db_table}")
        low, high = cursor.fetchone()
    ids = rng.sample(range(low, high + 1), min(count * 2, high - low + 1))
    rows = [
        Sampled(*row)
        for row in Member.objects.filter(pk__in=ids).values_list(
            "pk", "name_en", "name_hi", "family__tehsil_id", "family__district_id"
        )
    ]
    rng.shuffle(rows)
    return [r for r in rows if r.name_en and r.name_hi][:count]


def scoped(query: str, posting: Posting) -> set[int]:
    """The member ids the search page lists for an official with this posting."""
    families = Family.objects.filter(posting.family_filter()).select_related("district")
    return {m.pk for match in search.find_families(query, families) for m in match.members}


def unscoped(query: str) -> set[int]:
    return {match.member.pk for match in search.search_members(query, limit=20)}


def run(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    total = Member.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, {total:,} members")
    print(f"at start: {machine()}")
    members = sample_members(args.queries, rng)
    started = time.perf_counter()
    search.search_members("Ram Singh")  # loads the key vocabularies once per process
    print(f"first search (loads key vocabularies): {(time.perf_counter() - started) * 1000:.0f} ms")

    paths = {name: Timing(name) for name in ("tehsil", "district", "unscoped")}
    queries: list[tuple[str, str, Sampled]] = []
    for n, member in enumerate(members):
        kind = KINDS[n % len(KINDS)]
        query = make_query(member, kind, rng)
        queries.append((query, kind, member))
        tehsildar = Posting(level=Level.TEHSIL, tehsil_id=member.tehsil_id)
        district_officer = Posting(level=Level.DISTRICT, district_id=member.district_id)
        paths["tehsil"].time(kind, partial(scoped, query, tehsildar), member.pk)
        paths["district"].time(kind, partial(scoped, query, district_officer), member.pk)
        paths["unscoped"].time(kind, partial(unscoped, query), member.pk)
    tehsils = len({m.tehsil_id for m in members})
    districts = len({m.district_id for m in members})
    print(f"\n{len(members)} queries; postings in {tehsils} tehsils and {districts} districts")
    paths["tehsil"].name = "scoped to the member's tehsil (find_families, as the search page)"
    paths["district"].name = "scoped to the member's district (find_families, as the search page)"
    paths["unscoped"].name = "unscoped (search_members over the whole state)"
    for path in paths.values():
        path.report()

    if args.trigram and connection.vendor == "postgresql":
        trigram_baseline(queries[: args.trigram], args)
    print(f"\nat end: {machine()}")


def ensure_trigram_index() -> bool:
    """Build the GIN trigram index when missing; whether this run built it."""
    table = Member._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("SELECT to_regclass(%s)", [TRIGRAM_INDEX])
        if cursor.fetchone()[0] is not None:
            print(f"\ntrigram index {TRIGRAM_INDEX} already there")
            return False
        started = time.perf_counter()
        cursor.execute(
            f"CREATE INDEX CONCURRENTLY {TRIGRAM_INDEX} ON {table} USING gin (name_en gin_trgm_ops)"
        )
        built = time.perf_counter() - started
        cursor.execute("SELECT pg_size_pretty(pg_relation_size(%s))", [TRIGRAM_INDEX])
        print(f"\nbuilt GIN trigram index on name_en in {built:.0f} s, {cursor.fetchone()[0]} ({machine()})")
        return True


def trigram_baseline(queries: list[tuple[str, str, Sampled]], args: argparse.Namespace) -> None:
    built = ensure_trigram_index()
    member_table, family_table = Member._meta.db_table, Family._meta.db_table
    state_sql = (
        f"SELECT id FROM {member_table} WHERE name_en %% %s"
        f" ORDER BY similarity(name_en, %s) DESC, id LIMIT 20"
    )
    tehsil_sql = (
        f"SELECT m.id FROM {member_table} m JOIN {family_table} f ON f.id = m.family_id"
        f" WHERE f.tehsil_id = %s AND m.name_en %% %s"
        f" ORDER BY similarity(m.name_en, %s) DESC, m.id LIMIT 20"
    )
    state, tehsil = (
        Timing("pg_trgm, GIN index, whole state"),
        Timing("pg_trgm, GIN index, scoped to the tehsil"),
    )
    timeouts = {"state": 0, "tehsil": 0}

    def fetch(sql: str, params: list[int | str], counter: str) -> set[int]:
        with connection.cursor() as cursor:
            try:
                cursor.execute(sql, params)
            except OperationalError:  # statement_timeout
                timeouts[counter] += 1
                return set()
            return {row[0] for row in cursor.fetchall()}

    try:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [int(args.trigram_timeout * 1000)])
        for query, kind, member in queries:
            latin = transliteration.to_latin(query) if DEVANAGARI.search(query) else query
            state.time(kind, partial(fetch, state_sql, [latin, latin], "state"), member.pk)
            tehsil.time(
                kind,
                partial(fetch, tehsil_sql, [member.tehsil_id, latin, latin], "tehsil"),
                member.pk,
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
            if built and not args.keep_trigram_index:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {TRIGRAM_INDEX}")
    print(f"\n{len(queries)} of the same queries through pg_trgm (similarity threshold 0.3, the default)")
    for path, counter in ((state, "state"), (tehsil, "tehsil")):
        path.report()
        if timeouts[counter]:
            cut, limit = timeouts[counter], args.trigram_timeout
            print(f"  {cut} ran past {limit:.0f} s and were cut off (counted as misses)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument(
        "--trigram", type=int, default=0, help="time pg_trgm (GIN index) on this many queries"
    )
    parser.add_argument("--trigram-timeout", type=float, default=10.0, help="seconds allowed a trigram query")
    parser.add_argument("--keep-trigram-index", action="store_true", help="leave the trigram index in place")
    parser.add_argument("--seed", type=int, default=7)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
