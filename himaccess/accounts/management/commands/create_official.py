"""``himaccess create_official USERNAME --role R --level L [--tehsil LGD ...] [--password-file F]``

There are no default accounts: every official, the first state administrator
included, is made by this command (or by a state administrator). The password
is read from a file (``-`` for standard input) or asked for twice at the
terminal, never taken on the command line where the shell history keeps it.
The authenticator app is enrolled at the official's first login.
"""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Model

from himaccess.accounts import actions
from himaccess.accounts.models import Level, Role
from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody

AREAS: dict[str, type[Model]] = {
    "district": District,
    "tehsil": Tehsil,
    "block": Block,
    "panchayat": Panchayat,
    "urban_body": UrbanBody,
}


class Command(BaseCommand):
    help = "Create an official's account and posting (password + TOTP at first login)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--level", required=True, choices=Level.values)
        for name in AREAS:
            parser.add_argument(
                f"--{name.replace('_', '-')}", dest=name, type=int, help=f"LGD code of the {name}"
            )
        parser.add_argument("--department", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--staff", action="store_true", help="may use the admin site (state administrators)"
        )
        parser.add_argument(
            "--password-file", help="file holding the password on its first line; - for stdin"
        )

    def _password(self, source: str | None) -> str:
        if source == "-":
            return sys.stdin.readline().rstrip("\n")
        if source:
            try:
                return Path(source).read_text(encoding="utf-8").splitlines()[0]
            except (OSError, IndexError) as exc:
                raise CommandError(f"cannot read a password from {source}") from exc
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password: use --password-file")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options["password_file"])
        area: dict[str, Any] = {}
        for name, model in AREAS.items():
            if options[name] is not None:
                found = model._default_manager.filter(pk=options[name]).first()
                if found is None:
                    raise CommandError(f"no {name} with LGD code {options[name]}")
                area[name] = found
        try:
            with transaction.atomic():
                user = actions.create_official(
                    options["username"],
                    password,
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    email=options["email"],
                    staff=options["staff"],
                    acting_user=None,
                )
                if options["role"] == Role.STATE_ADMIN and options["staff"]:
                    user.is_superuser = True
                    user.save(update_fields=["is_superuser"])
                actions.post_official(
                    user,
                    role=options["role"],
                    level=options["level"],
                    department=options["department"],
                    acting_user=None,
                    **area,
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Created official {user.username}; the authenticator app is set up at first login."
        )
