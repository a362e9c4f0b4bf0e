"""``himaccess demo``: the embedded product on this machine, ready to try.

Migrates the SQLite database, loads the reference geography, seeds a few
thousand synthetic families (once, a share of them where the demo officials
work), creates demo officials with passwords generated for this installation
(no default accounts), fills their queues through the apps' own actions,
prints how to log in, and serves on localhost. Each step is numbered and timed
as it runs, long ones with a progress bar.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from argparse import BooleanOptionalAction
from io import StringIO
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from himaccess.accounts.models import Level, Role, User
from himaccess.demo import activity as demo_activity
from himaccess.demo import cards as demo_cards
from himaccess.demo import milkfed as demo_milkfed
from himaccess.demo import natural_farming as demo_natural_farming
from himaccess.demo import sign_on as demo_sign_on
from himaccess.demo.steps import Steps
from himaccess.lib.progress import Progress
from himaccess.registry.models import Family

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


class _AppliedMigrations:
    """Where ``migrate`` reports its work: each migration it starts to apply moves the bar."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def write(self, text: str) -> None:
        if text.lstrip().startswith("Applying "):
            self.progress.advance()

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _seeded() -> bool:
    """Whether an earlier run seeded the register (asked before migrating, so tables may be missing)."""
    return Family._meta.db_table in connection.introspection.table_names() and Family.objects.exists()


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
        seeding = not _seeded()
        acting = seeding and activity
        steps = Steps(self.stdout.write, 4 + (8 if acting else 0) if seeding else 3)
        with steps.step("Database tables"):
            self._migrate()
        with steps.step("Reference geography (districts, tehsils, villages)"):
            call_command("load_geography", verbosity=0, stdout=StringIO())
        if seeding:
            with steps.step(f"{families:,} synthetic families"):
                call_command(
                    "seed",
                    families=families,
                    seed=2026,
                    focus=list(demo_activity.focus(families).items()),
                    stdout=self.stdout,
                    stderr=self.stdout,
                )
        with steps.step("Demo officials"):
            passwords = self._officials()
        sign_on = None
        if acting:
            sign_on = self._activity(steps)
        self.stdout.write(steps.summary())
        self._explain(passwords, port, sign_on)
        if not no_serve:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _migrate(self) -> None:
        executor = MigrationExecutor(connection)
        pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        with Progress("Migrations applied", pending, stream=self.stdout) as progress:
            call_command("migrate", interactive=False, verbosity=1, stdout=_AppliedMigrations(progress))

    def _activity(self, steps: Steps) -> demo_sign_on.SignOn:
        """A few weeks' work in every app, through the apps' own actions (eight steps)."""
        run = demo_activity.start(seed=2026)
        out = self.stdout
        with demo_activity.quiet_tasks():
            with steps.step("Register change requests and decisions"):
                demo_activity.file_change_requests(run, out=out)
            with steps.step("Applications and decisions"):
                demo_activity.file_applications(run, out=out)
            with steps.step("Complaints and their handling"):
                demo_activity.file_complaints(run, out=out)
            with steps.step("Scheme eligibility, enrolments and payments"):
                demo_activity.evaluate_schemes(run, out=out)
            self.stdout.write(run.summary.line())
            with steps.step("Milkfed societies, farmers and a month of milk"):
                milk = demo_milkfed.seed()
            self.stdout.write(
                f"Milkfed: {milk.societies} societies, {milk.farmers} farmers, "
                f"{milk.deliveries} deliveries, {milk.paid} payments"
            )
            with steps.step("Natural farming centres, farmers and weighments"):
                farming = demo_natural_farming.generate(seed=2026)
            self.stdout.write(farming.line())
            with steps.step("Family cards in the print queue"):
                queued = demo_cards.request_prints(out=out)
            self.stdout.write(
                "Print queue of Mandi tehsil: "
                + ", ".join(f"{count} {status}" for status, count in sorted(queued.items()))
            )
            with steps.step("A departmental application citizens have signed in to"):
                return demo_sign_on.register()

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

    def _explain(self, passwords: dict[str, str], port: int, sign_on: demo_sign_on.SignOn | None) -> None:
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
        # Heads of families in Mandi tehsil, whose requests the demo officials of Mandi decide.
        heads = demo_activity.showcase()
        if heads:
            out("Citizens log in with their mobile number and a one-time code. Try:")
            for head in heads:
                out(f"  {head.mobile}  ({head.name_en}, {head.family.tehsil.name_en} tehsil, Mandi)")
            out(f"  Codes are not sent by SMS in the demo: read them in {settings.DATA_DIR / 'sms.log'}")
        if sign_on is not None:
            out(f"They have signed in to {demo_sign_on.NAME}: see it on their My apps page.")
            out(f"  Try its OpenID Connect login: client_id {sign_on.client_id}")
            out(f"  client_secret {sign_on.client_secret} (shown once), redirect_uri {sign_on.redirect_uri}")
        out("")
