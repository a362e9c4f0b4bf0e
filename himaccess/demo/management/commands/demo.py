"""``himaccess demo``: the embedded product on this machine, ready to try.

Migrates the SQLite database, loads the reference geography, seeds a few
thousand synthetic families (once), creates demo officials with passwords
generated for this installation (no default accounts), prints how to log in,
and serves on localhost.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from argparse import BooleanOptionalAction
from io import StringIO
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from himaccess.accounts.models import Level, Role, User
from himaccess.demo import activity as demo_activity
from himaccess.demo import milkfed as demo_milkfed
from himaccess.demo import natural_farming as demo_natural_farming
from himaccess.registry.models import Family, Member

# (username, role, level, district LGD code, tehsil LGD code, department):
# enough officials to walk every flow in Mandi (22) and Mandi tehsil (133),
# and one in Kangra to see that jurisdictions keep them apart.
DEMO_OFFICIALS = (
    ("prem.patwari", Role.PATWARI, Level.TEHSIL, 22, 133, ""),
    ("meena.tehsildar", Role.TEHSILDAR, Level.TEHSIL, 22, 133, ""),
    ("sdm.mandi", Role.SDM, Level.TEHSIL, 22, 133, ""),
    ("dc.mandi", Role.DEPUTY_COMMISSIONER, Level.DISTRICT, 22, None, ""),
    ("welfare.mandi", Role.DISTRICT_WELFARE_OFFICER, Level.DISTRICT, 22, None, "social_justice"),
    ("lokmitra.mandi", Role.LOK_MITRA_OPERATOR, Level.TEHSIL, 22, 133, ""),
    ("sunita.helpline", Role.HELPLINE_AGENT, Level.STATE, None, None, "public_grievances"),
    ("vikram.tehsildar", Role.TEHSILDAR, Level.TEHSIL, 18, 100, ""),
    ("state.admin", Role.STATE_ADMIN, Level.STATE, None, None, ""),
    # Department officials of Mandi: Milkfed, the natural-farming desk, and a procurement centre's operator.
    ("milkfed.mandi", Role.DEPARTMENT_OFFICER, Level.DISTRICT, 22, None, "milkfed"),
    ("agri.mandi", Role.DEPARTMENT_OFFICER, Level.DISTRICT, 22, None, "agriculture"),
    ("centre.mandi", Role.DEPARTMENT_OFFICER, Level.DISTRICT, 22, None, "food_civil_supplies"),
)


class Command(BaseCommand):
    help = "Prepare the embedded demo (SQLite, synthetic Himachal data) and serve it on localhost."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--families", type=int, default=3000, help="synthetic families to seed (first run)"
        )
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare only; do not start the server")
        parser.add_argument(
            "--activity",
            action=BooleanOptionalAction,
            default=True,
            help="on the first run, file requests, applications and complaints, and have officials act",
        )

    def handle(
        self, *args: Any, families: int, port: int, no_serve: bool, activity: bool, **options: Any
    ) -> None:
        if not os.environ.get("SITE_URL"):
            # Links in SMS, acknowledgements and certificate QR codes must reach this server, on this port.
            settings.SITE_URL = f"http://127.0.0.1:{port}"
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_geography", verbosity=0)
        seeding = not Family.objects.exists()
        if seeding:
            self.stdout.write(f"Seeding {families} synthetic families…")
            call_command("seed", families=families, seed=2026)
        passwords = self._officials()
        if seeding and activity:
            started = time.perf_counter()
            summary = demo_activity.generate(seed=2026)
            self.stdout.write(f"{summary.line()} [{time.perf_counter() - started:.1f} s]")
            milk = demo_milkfed.seed()
            self.stdout.write(
                f"Milkfed: {milk.societies} societies, {milk.farmers} farmers, "
                f"{milk.deliveries} deliveries, {milk.paid} payments"
            )
            self.stdout.write(demo_natural_farming.generate(seed=2026).line())
        self._explain(passwords, port)
        if not no_serve:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _officials(self) -> dict[str, str]:
        """Demo officials through the real command, each with a password made here."""
        created: dict[str, str] = {}
        for username, role, level, district, tehsil, department in DEMO_OFFICIALS:
            if User.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(12)
            area = {"district": district} if level == Level.DISTRICT else {"tehsil": tehsil} if tehsil else {}
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt") as handle:
                handle.write(password + "\n")
                handle.flush()
                call_command(
                    "create_official",
                    username,
                    role=role.value,
                    level=level.value,
                    password_file=handle.name,
                    department=department,
                    staff=role == Role.STATE_ADMIN,
                    **area,
                    stdout=StringIO(),
                )
            created[username] = password
        return created

    def _explain(self, passwords: dict[str, str], port: int) -> None:
        out = self.stdout.write
        out("")
        served = f"http://127.0.0.1:{port}"
        out(self.style.SUCCESS(f"Him Access demo: {served}/"))
        if served != settings.SITE_URL:
            out(f"Links in SMS, PDFs and QR codes point to SITE_URL: {settings.SITE_URL}")
        if passwords:
            out(
                "Officials (a password, then a second factor you enrol on first login"
                " with any authenticator app):"
            )
            for username, password in passwords.items():
                out(f"  {username:18} {password}")
            out("  These passwords are shown once; reset one with: himaccess changepassword <username>")
        else:
            out(
                "Officials were created on the first run;"
                " reset a password with: himaccess changepassword <username>"
            )
        # Heads of families in Mandi tehsil, whose requests the demo
        # officials of Mandi decide.
        heads = Member.objects.filter(relation="head", life_status="living").exclude(mobile="")
        in_tehsil = heads.filter(family__tehsil_id=133)
        sample = (in_tehsil if in_tehsil.exists() else heads.filter(family__district_id=22)).order_by("id")
        rows = sample.values_list("mobile", "name_en", "family__tehsil__name_en")[:3]
        if rows:
            out("Citizens log in with their mobile number and a one-time code. Try:")
            for mobile, name, tehsil in rows:
                out(f"  {mobile}  ({name}, {tehsil} tehsil, Mandi)")
            out(f"  Codes are not sent by SMS in the demo: read them in {settings.DATA_DIR / 'sms.log'}")
        out("")
