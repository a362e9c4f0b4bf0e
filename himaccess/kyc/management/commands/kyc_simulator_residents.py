"""Make UIDAI's simulator know some of the register's members, for the demo.

Writes a JSON list for ``KYC_SIMULATOR_RESIDENTS``: for each living member of
the first families (or of the families named), a made-up Verhoeff-valid
Aadhaar number with the register's own name, date of birth and gender, so
that e-KYC with that number verifies. Refused when an agency is configured:
these numbers are the simulator's, never real ones.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaccess.lib import identifiers
from himaccess.registry.models import Family


class Command(BaseCommand):
    help = "Write the simulator's residents (made-up Aadhaar numbers) for members of the register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=20, help="how many families (the first ones)")
        parser.add_argument("--family-id", action="append", default=[], help="a family to include")
        parser.add_argument("--out", default=str(Path(settings.DATA_DIR) / "uidai-residents.json"))

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.KYC_AGENCY_URL:
            raise CommandError("An authentication agency is configured: the simulator is not used.")
        families = Family.objects.active().order_by("pk")
        if options["family_id"]:
            families = families.filter(family_id__in=[identifiers.normalise(f) for f in options["family_id"]])
        else:
            families = families[: options["families"]]
        rng = random.SystemRandom()
        rows = []
        for family in families:
            for member in family.living_members():
                body = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(10))
                rows.append(
                    {
                        "member_id": member.member_id,
                        "aadhaar": body + str(identifiers.verhoeff_check_digit(body)),
                        "name": member.name_en,
                        "dob": member.date_of_birth.strftime("%d-%m-%Y"),
                        "gender": member.gender,
                        "mobile_linked": True,
                    }
                )
        Path(options["out"]).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(
            f"{len(rows)} residents written to {options['out']}; set KYC_SIMULATOR_RESIDENTS to it"
        )
