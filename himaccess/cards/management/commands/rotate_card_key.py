"""``himaccess rotate_card_key``: a new card signing key; cards signed by older keys stay valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaccess.cards.credentials import PURPOSE
from himaccess.lib import signing


class Command(BaseCommand):
    help = (
        "Create a new Ed25519 key for signing cards. The old public keys stay in the published set. "
        "When CARD_SIGNING_KEY(_FILE) is set, give --out and then point CARD_SIGNING_KEY_FILE at it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="where to write the new private key (0600)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = signing.rotate(PURPOSE, out=options["out"])
        except (ImproperlyConfigured, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"new card signing key: {key.kid}")
        published = [k["kid"] for k in signing.published_jwks(PURPOSE)["keys"]]
        self.stdout.write(f"published keys: {', '.join(published)}")
        if options["out"]:
            self.stdout.write(f"set CARD_SIGNING_KEY_FILE={options['out']} and restart to sign with it")
