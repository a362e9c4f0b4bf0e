"""``himaccess data_client``: purposes, department data clients and their secrets.

    himaccess data_client purpose pension-verify --department social_justice \\
        --name-en "Pension eligibility" --name-hi "पेंशन पात्रता" --groups identity category
    himaccess data_client register "Pension DBT" --department social_justice \\
        --purposes pension-verify --groups identity category
    himaccess data_client rotate <client_id> [--overlap-hours 24]
    himaccess data_client list
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaccess.departments.models import Department
from himaccess.sharing import actions
from himaccess.sharing.models import DataClient, Purpose


class Command(BaseCommand):
    help = "Define purposes, register department data clients and rotate their secrets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        purpose = sub.add_parser("purpose", help="Create or update a purpose")
        purpose.add_argument("code")
        purpose.add_argument("--department", required=True)
        purpose.add_argument("--name-en", required=True)
        purpose.add_argument("--name-hi", required=True)
        purpose.add_argument("--groups", nargs="+", required=True)
        purpose.add_argument("--legal-basis", default="", help="The law that allows reads without consent")
        purpose.add_argument("--days", type=int, default=90, help="How long a consent lasts")
        register = sub.add_parser("register", help="Register a client; prints its id and (once) its secret")
        register.add_argument("name")
        register.add_argument("--name-hi", default="")
        register.add_argument("--department", required=True)
        register.add_argument("--purposes", nargs="+", required=True)
        register.add_argument("--groups", nargs="+", required=True)
        register.add_argument("--rate", type=int, default=600, help="Requests per minute")
        rotate = sub.add_parser("rotate", help="Issue a new secret; the old one ends after the overlap")
        rotate.add_argument("client_id")
        rotate.add_argument("--overlap-hours", type=int, default=actions.DEFAULT_OVERLAP_HOURS)
        sub.add_parser("list", help="List clients and their live secrets")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['what']}")(options)
        except (ValueError, Department.DoesNotExist, Purpose.DoesNotExist, DataClient.DoesNotExist) as error:
            raise CommandError(str(error)) from error

    def _purpose(self, options: dict[str, Any]) -> None:
        purpose = actions.define_purpose(
            code=options["code"],
            department=Department.objects.get(pk=options["department"]),
            name_en=options["name_en"],
            name_hi=options["name_hi"],
            field_groups=options["groups"],
            legal_basis=options["legal_basis"],
            consent_days=options["days"],
            acting_user=None,
        )
        self.stdout.write(f"purpose {purpose.code}: {purpose.field_groups}")

    def _register(self, options: dict[str, Any]) -> None:
        codes = options["purposes"]
        purposes = list(Purpose.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {purpose.code for purpose in purposes})
        if missing:
            raise CommandError(f"unknown purposes: {', '.join(missing)}")
        client, secret = actions.register_client(
            name=options["name"],
            name_hi=options["name_hi"],
            department=Department.objects.get(pk=options["department"]),
            purposes=purposes,
            field_groups=options["groups"],
            requests_per_minute=options["rate"],
            registered_by=None,
        )
        self.stdout.write(
            f"client_id: {client.client_id}\nclient_secret: {secret}\n(the secret is shown only now)"
        )

    def _rotate(self, options: dict[str, Any]) -> None:
        client = DataClient.objects.select_related("application").get(
            application__client_id=options["client_id"]
        )
        secret = actions.rotate_secret(client, acting_user=None, overlap_hours=options["overlap_hours"])
        self.stdout.write(
            f"client_id: {client.client_id}\nnew client_secret: {secret}\n"
            f"the previous secrets end in {options['overlap_hours']} hours"
        )

    def _list(self, options: dict[str, Any]) -> None:
        for client in DataClient.objects.select_related("application", "department").prefetch_related(
            "secrets"
        ):
            live = [f"{s.prefix}… until {s.expires_at or 'rotated'}" for s in client.secrets.live()]
            self.stdout.write(
                f"{client.client_id} {client} [{client.department_id}] secrets: {'; '.join(live)}"
            )
