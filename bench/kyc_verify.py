"""Aadhaar OTP e-KYC through the simulator: verifications per second and their latency.

Samples living members (pending, without Aadhaar) from the database named by
DATABASE_URL, makes each known to UIDAI's simulator with the register's own
name, birth and gender under a fresh Verhoeff-valid number, records a
consent row for each (setup, not timed), and then times the whole
verification as the pages run it: ``start_otp`` (number validated, OTP
request XML to the simulator, number into the vault) and ``finish_otp``
(vault reveal, e-KYC XML to the simulator, matching, check row, campaign
state and tallies, register status and Aadhaar reference, audit row).
Everything it writes stays in the database (it is the campaign's data).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/kyc_verify.py --members 300
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import machine, percentiles

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from himaccess.accounts.models import Level, Posting, Role, User  # noqa: E402
from himaccess.kyc import actions  # noqa: E402
from himaccess.kyc.models import CONSENT_TEXT_VERSION, KycConsent  # noqa: E402
from himaccess.kyc.providers import simulator  # noqa: E402
from himaccess.lib.identifiers import verhoeff_check_digit  # noqa: E402
from himaccess.registry.models import Member  # noqa: E402


def made_up_aadhaar(rng: random.Random) -> str:
    body = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(10))
    return body + str(verhoeff_check_digit(body))


def sample(count: int) -> list[Member]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM registry_member TABLESAMPLE SYSTEM (0.05) "
                "WHERE life_status = 'living' AND aadhaar_ref IS NULL LIMIT %s",
                [count * 2],
            )
        else:
            cursor.execute(
                "SELECT id FROM registry_member WHERE life_status = 'living' AND aadhaar_ref IS NULL "
                "ORDER BY random() LIMIT %s",
                [count * 2],
            )
        ids = [row[0] for row in cursor.fetchall()]
    members = list(Member.objects.select_related("family").filter(pk__in=ids).exclude(kyc__state="verified"))
    return members[:count]


def operator_for(member: Member) -> User:
    """A Lok Mitra Kendra operator of the member's tehsil (the assisted channel the campaign leans on)."""
    name = f"bench-kyc-lmk-{member.family.tehsil_id}"
    user, _ = User.objects.get_or_create(
        username=name, defaults={"kind": User.Kind.OFFICIAL, "first_name": "Bench", "last_name": "Operator"}
    )
    if not user.postings.current().exists():
        Posting.objects.create(
            user=user, role=Role.LOK_MITRA_OPERATOR, level=Level.TEHSIL, tehsil_id=member.family.tehsil_id
        )
    return user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=300)
    # Numbers already attached by an earlier run belong to those members now: each run draws its own.
    parser.add_argument("--seed", type=int, default=None, help="repeat a run's made-up numbers")
    args = parser.parse_args()
    assert not settings.KYC_AGENCY_URL, "this benchmark drives the simulator"
    rng = random.Random(args.seed)
    members = sample(args.members)
    print(f"{len(members)} members sampled; {machine()}")
    jobs = []
    for member in members:
        number = made_up_aadhaar(rng)
        operator = operator_for(member)
        now = timezone.now()
        consent = KycConsent.objects.create(
            member=member,
            family=member.family,
            given_by=operator,
            channel=KycConsent.Channel.ASSISTED,
            text_version=CONSENT_TEXT_VERSION,
            language="hi",
            mobile_last_digits=(member.contact_mobile() or "0000")[-4:],
            given_at=now,
            expires_at=now + KycConsent.lifetime(),
        )
        jobs.append((member, operator, consent, number))
    outcomes: dict[str, int] = {}
    timings = []
    refused = 0
    print(f"before: {machine()}")
    wall = time.perf_counter()
    for member, operator, consent, number in jobs:
        # Enrolled just before (untimed): the simulator keeps residents in the cache, and a local
        # memory cache holds only a few hundred entries.
        dob = member.date_of_birth.strftime("%d-%m-%Y")
        simulator.enrol(number, name=member.name_en, dob=dob, gender=member.gender)
        start = time.perf_counter()
        try:
            reference, txn = actions.start_otp(member, consent, number, acting_user=operator)
            verdict = actions.finish_otp(
                member, consent, reference, txn, simulator.outbox[-1].otp, acting_user=operator
            )
        except actions.KycRefused as exc:
            refused += 1
            outcomes[f"refused:{exc.code}"] = outcomes.get(f"refused:{exc.code}", 0) + 1
            continue
        timings.append((time.perf_counter() - start) * 1000)
        outcomes[verdict.outcome] = outcomes.get(verdict.outcome, 0) + 1
    elapsed = time.perf_counter() - wall
    print(f"after: {machine()}")
    print(f"outcomes: {outcomes}")
    print(f"one process, sequential: {len(timings) / elapsed:.1f} verifications/s; {percentiles(timings)}")


if __name__ == "__main__":
    main()
