"""Member and family cards per second: the real issue path on the database, and signing + PDF alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/cards.py [--families 2000] [--on-demand 300] [--cards 4000] [--workers 2]

1. The print run on the database (``--families``; 0 skips it), what ``himaccess print_cards``
   does: families are read with their address and living members, each chunk of 500 goes
   through ``cards.actions.issue_for_print_run`` (family card and a card per living member
   signed, ``Card`` rows bulk-inserted, a print request and its two print steps per card, one
   ``audit.record`` entry per chunk), and the command's own renderer draws the chunk into
   a PDF of print sheets in worker processes while the next chunk is issued. The families
   are drawn uniformly at random from the whole table (random primary keys; active families
   holding no card yet), not one district's neighbouring rows, then grouped by district as a
   print run is. It counts the rows of the card, print and audit tables before and after.
2. Cards issued one at a time (``--on-demand``; 0 skips it), what an official's "issue card"
   does: ``cards.actions.issue_member_card`` for living members drawn uniformly at random, each
   in its own transaction with its card row, print request, print step and audit entry.
   p50/p95/p99 per card, and the rows written.
3. Without the database (``--cards``; 0 skips it): each card is signed (Ed25519, Claim 169),
   its QR code laid out and drawn into print sheets of ten ID-1 cards per A4 page, 500 cards
   per PDF file, for N and 4N synthetic members, to show whether peak memory grows with the
   number of cards; then the reference verifier is timed over the credentials. This line
   leaves out every database read and write and is an upper bound for the real path.

Writes go to the database named by DATABASE_URL (cards stay issued: a second run draws other
families). The signing key is a fresh one in a temporary directory unless SIGNING_KEY_DIR
is set.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
os.environ.setdefault("SIGNING_KEY_DIR", tempfile.mkdtemp(prefix="bench-keys-"))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Exists, OuterRef, Prefetch  # noqa: E402

from bench.measure import machine, percentiles  # noqa: E402
from himaccess.audit.models import AuditEntry  # noqa: E402
from himaccess.cards import actions, credentials, pdf  # noqa: E402
from himaccess.cards.management.commands.print_cards import _faces, render_chunk  # noqa: E402
from himaccess.cards.models import Card, PrintRequest, PrintStep  # noqa: E402
from himaccess.cards.verifier import himparivar_verify as spec  # noqa: E402
from himaccess.lib import signing  # noqa: E402
from himaccess.registry.models import Family, Member  # noqa: E402

STATE_FAMILIES = 1_930_000
CHUNK = 500
GIVEN = [("Asha", "आशा"), ("Ravi", "रवि"), ("Priyanka", "प्रियंका"), ("Vikram", "विक्रम"), ("Kamla", "कमला")]
SURNAMES = [("Thakur", "ठाकुर"), ("Sharma", "शर्मा"), ("Katoch", "कटोच"), ("Negi", "नेगी"), ("Verma", "वर्मा")]


def _member(n: int) -> pdf.MemberFace:
    rng = random.Random(n)
    (g_en, g_hi), (s_en, s_hi) = rng.choice(GIVEN), rng.choice(SURNAMES)
    return pdf.MemberFace(
        member_id=f"M{n:011d}",
        family_id=f"F{n // 4:011d}",
        name_en=f"{g_en} {s_en}",
        name_hi=f"{g_hi} {s_hi}",
        gender=rng.choice("FM"),
        date_of_birth=date(1940 + rng.randrange(80), 1 + rng.randrange(12), 1 + rng.randrange(28)),
    )


def sign_and_render(path: str, first: int, count: int) -> list[str]:
    """One chunk: sign ``count`` member credentials and render them into one PDF of print sheets."""
    now = datetime.now(UTC)
    faces, texts = [], []
    for n in range(first, first + count):
        member = _member(n)
        claim = {
            spec.C169_ID: member.member_id,
            spec.C169_LANGUAGE: "eng",
            spec.C169_FULL_NAME: member.name_en,
            spec.C169_DOB: member.date_of_birth.strftime("%Y%m%d"),
            spec.C169_GENDER: spec.GENDER_CODES[member.gender],
            spec.C169_SECONDARY_LANGUAGE: "hin",
            spec.C169_SECONDARY_FULL_NAME: member.name_hi,
        }
        credential = credentials.sign(
            claim,
            {spec.EXT_KIND: "M", spec.EXT_FAMILY_ID: member.family_id},
            issued_at=now,
            expires_on=date(2031, 3, 31),
        )
        texts.append(credential.qr_text)
        faces.append(
            pdf.CardFace(credential.qr_text, now.date(), date(2031, 3, 31), member.family_id, member=member)
        )
    with open(path, "wb") as out:
        pdf.write_card_sheets(out, faces)
    return texts[:50]  # a sample for the verifier benchmark, not the whole run


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def run(cards: int, workers: int, out: Path) -> tuple[float, list[str]]:
    signing.active_key(credentials.PURPOSE)  # made once, before the workers fork
    started = time.perf_counter()
    sample: list[str] = []
    pending: list[Future[list[str]]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for number, first in enumerate(range(0, cards, CHUNK)):
            pending.append(
                pool.submit(sign_and_render, str(out / f"{number:05d}.pdf"), first, min(CHUNK, cards - first))
            )
            while len(pending) >= 2 * workers:  # bounded in-flight work: memory stays flat
                sample += pending.pop(0).result()
        for future in pending:
            sample += future.result()
    return cards / (time.perf_counter() - started), sample


def _uniform_pks(model: type[Family] | type[Member], rng: random.Random, draws: int) -> list[int]:
    """Primary keys drawn uniformly between the table's smallest and largest (gaps miss)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {model._meta.db_table}")
        low, high = cursor.fetchone()
    if low is None:
        raise SystemExit(f"no rows in {model._meta.db_table}")
    return [rng.randint(low, high) for _ in range(draws)]


def random_families(count: int, rng: random.Random) -> list[int]:
    """Distinct active families holding no card yet, drawn uniformly over the whole table."""
    found: set[int] = set()
    for _ in range(50):
        if len(found) >= count:
            break
        drawn = _uniform_pks(Family, rng, 3 * (count - len(found)))
        found |= set(
            Family.objects.active()
            .filter(pk__in=drawn)
            .exclude(Exists(Card.objects.filter(family=OuterRef("pk"))))
            .values_list("pk", flat=True)
        )
    chosen = list(found)[:count]
    rng.shuffle(chosen)
    return chosen


def random_members(count: int, rng: random.Random) -> list[Member]:
    """Distinct living members of active families with no active member card, drawn uniformly."""
    found: dict[int, Member] = {}
    for _ in range(50):
        if len(found) >= count:
            break
        drawn = _uniform_pks(Member, rng, 3 * (count - len(found)))
        for member in (
            Member.objects.living()
            .filter(pk__in=drawn, family__status=Family.Status.ACTIVE)
            .exclude(Exists(Card.objects.active().filter(member=OuterRef("pk"))))
        ):
            found[member.pk] = member
    chosen = list(found.values())[:count]
    rng.shuffle(chosen)
    return chosen


def table_rows() -> dict[str, int]:
    return {
        "cards": Card.objects.count(),
        "print requests": PrintRequest.objects.count(),
        "print steps": PrintStep.objects.count(),
        "audit entries": AuditEntry.objects.count(),
    }


def written(before: dict[str, int], after: dict[str, int]) -> str:
    return ", ".join(f"{after[name] - before[name]:+,} {name}" for name in before)


def print_run(family_pks: list[int], workers: int, out: Path, chunk: int = CHUNK) -> None:
    """The print run's real pipeline over the chosen families, grouped by district as a run is."""
    living = Prefetch("members", queryset=Member.objects.living().order_by("date_of_birth", "pk"))
    by_district: dict[int, list[int]] = {}
    for pk, district in Family.objects.filter(pk__in=family_pks).values_list("pk", "district_id"):
        by_district.setdefault(district, []).append(pk)
    before = table_rows()
    started = time.perf_counter()
    issuing = 0.0
    cards = families = 0
    pending: list[Future[int]] = []
    number = 0
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for district, pks in sorted(by_district.items()):
            for first in range(0, len(pks), chunk):
                began = time.perf_counter()
                batch = list(
                    Family.objects.active()
                    .filter(pk__in=pks[first : first + chunk])
                    .select_related("district", "tehsil", "village", "panchayat", "urban_body")
                    .prefetch_related(living)
                    .order_by("pk")
                )
                issued = actions.issue_for_print_run(
                    batch, with_members=True, acting_user=None, district_code=district
                )
                faces = _faces(issued)
                issuing += time.perf_counter() - began
                families += len(batch)
                number += 1
                pending.append(pool.submit(render_chunk, str(out / f"{district}-{number:05d}.pdf"), faces))
                while len(pending) >= 2 * workers:
                    cards += pending.pop(0).result()
        for future in pending:
            cards += future.result()
    elapsed = time.perf_counter() - started
    after = table_rows()
    size = sum(p.stat().st_size for p in out.iterdir()) / max(cards, 1) / 1024
    print(
        f"print run on {connection.vendor}: {families:,} random families in {len(by_district)} districts, "
        f"{cards:,} cards (family + members) in {elapsed:.1f} s: {cards / elapsed:,.0f} cards/s, "
        f"{families / elapsed:,.0f} families/s, {size:.1f} KB of PDF per card"
    )
    print(
        f"  issuing (reads, signing, inserts, audit) {issuing:.1f} s in the main process; "
        f"rendering in {workers} worker processes overlaps it"
    )
    print(f"  rows written: {written(before, after)}")
    hours = STATE_FAMILIES / (families / elapsed) / 3600
    print(
        f"  every family of the state ({STATE_FAMILIES:,}) with its members' cards "
        f"at this rate: {hours:.1f} h"
    )


def on_demand(members: list[Member]) -> None:
    """One card at a time, each in its own transaction, as an official issues it."""
    before = table_rows()
    timings = []
    started = time.perf_counter()
    for member in members:
        began = time.perf_counter()
        actions.issue_member_card(member, acting_user=None)
        timings.append((time.perf_counter() - began) * 1000)
    elapsed = time.perf_counter() - started
    after = table_rows()
    print(
        f"member cards one at a time on {connection.vendor}: {len(members)} random members, "
        f"{len(members) / elapsed:,.0f} cards/s, {percentiles(timings, 1)}"
    )
    print(f"  rows written: {written(before, after)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=2000, help="print run on the database; 0: skip")
    parser.add_argument("--on-demand", type=int, default=300, help="cards issued one at a time; 0: skip")
    parser.add_argument(
        "--cards", type=int, default=4000, help="signing and PDF without the database; 0: skip"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None, help="of the random choice (default: new each run)")
    args = parser.parse_args()
    print(f"{machine()}; rendering workers: {args.workers}")
    rng = random.Random(args.seed)
    if args.families:
        family_pks = random_families(args.families, rng)
        with tempfile.TemporaryDirectory() as tmp:
            print_run(family_pks, args.workers, Path(tmp))
        print(machine())
    if args.on_demand:
        on_demand(random_members(args.on_demand, rng))
        print(machine())
    if args.cards:
        dbless(args)
        print(machine())


def dbless(args: argparse.Namespace) -> None:
    print("without the database (signing, QR and PDF only; no reads, no rows, no audit):")
    with tempfile.TemporaryDirectory() as tmp:
        for cards in (args.cards, 4 * args.cards):
            out = Path(tmp) / str(cards)
            out.mkdir()
            rate, sample = run(cards, args.workers, out)
            size = sum(p.stat().st_size for p in out.iterdir()) / cards / 1024
            print(
                f"{cards:>7} signed member cards: {rate:7.0f} cards/s, "
                f"peak RSS of one process {peak_rss_mb():.0f} MB, {size:.1f} KB of PDF per card"
            )
    hours = STATE_FAMILIES / rate / 3600
    print(f"every family card of the state ({STATE_FAMILIES:,}) at {rate:.0f} cards/s: {hours:.1f} h")
    keys = signing.public_keys(credentials.PURPOSE)
    revoked = frozenset(os.urandom(8).hex() for _ in range(100_000))
    texts = (sample * (20_000 // max(len(sample), 1) + 1))[:20_000]
    started = time.perf_counter()
    verdicts = [spec.verify(text, keys, is_revoked=revoked).verdict for text in texts]
    elapsed = time.perf_counter() - started
    assert set(verdicts) == {spec.GENUINE}, set(verdicts)
    print(
        f"reference verifier: {len(texts) / elapsed:,.0f} credentials/s on one core"
        " (100,000 revoked IDs loaded)"
    )


if __name__ == "__main__":
    main()
