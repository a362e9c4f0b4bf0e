"""``himaccess register_client``: register a departmental application for Him Access sign-on."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaccess.integrations import actions


class Command(BaseCommand):
    help = "Register a departmental OpenID Connect client; prints its client id and (once) its secret."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Application name in English")
        parser.add_argument("--name-hi", default="", help="Application name in Hindi")
        parser.add_argument("--department", required=True)
        parser.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris")
        parser.add_argument("--scopes", required=True, help="Space-separated, e.g. 'openid member_id name'")
        parser.add_argument("--purpose", required=True, help="Why the application reads citizens' data")
        parser.add_argument("--purpose-hi", default="")
        parser.add_argument("--launch-url", default="")
        parser.add_argument("--listed", action="store_true", help='Show it on citizens\' "my apps" page')
        parser.add_argument("--public", action="store_true", help="A public client (no secret; PKCE only)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            registered = actions.register_client(
                name=options["name"],
                name_hi=options["name_hi"],
                department=options["department"],
                redirect_uris=options["redirect_uris"],
                allowed_scopes=options["scopes"].split(),
                purpose=options["purpose"],
                purpose_hi=options["purpose_hi"],
                launch_url=options["launch_url"],
                listed=options["listed"],
                confidential=not options["public"],
                acting_user=None,
                source="command",
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"client_id: {registered.client_id}")
        if registered.client_secret:
            self.stdout.write(f"client_secret: {registered.client_secret}")
            self.stdout.write("The secret is shown only now; Him Access keeps its hash.")
