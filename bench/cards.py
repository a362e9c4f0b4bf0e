"""Signed member cards per second (credential + QR + PDF), peak memory, and verifications per second.

    .venv/bin/python bench/cards.py [--cards 4000] [--workers 2]

Runs the production code paths without a database: each card is signed
(Ed25519, Claim 169), its QR code is laid out and the card drawn into print
sheets of ten ID-1 cards per A4 page, 500 cards per PDF file, exactly as
``himaccess print_cards`` does. It runs twice, with N and 4N cards, to show
whether peak memory grows with the number of cards; then extrapolates the
time to print every family card of the state, and times the reference
verifier over the credentials.
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

from himaccess.cards import credentials, pdf  # noqa: E402
from himaccess.cards.verifier import himparivar_verify as spec  # noqa: E402
from himaccess.lib import signing  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; workers: {args.workers}")
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
