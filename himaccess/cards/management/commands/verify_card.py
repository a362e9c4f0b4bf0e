"""``himaccess verify_card``: the reference verifier; offline with --keys, else against this server."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify


class Command(BaseCommand):
    help = "Verify a card's QR text. With --keys it works offline, exactly like the standalone verifier."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", help="the QR text, or - to read standard input")
        parser.add_argument("--keys", help="published key set (JWKS file): verify offline")
        parser.add_argument("--revocations", help="signed revocation list file (with --keys)")
        parser.add_argument("--today", help="check expiry as of YYYY-MM-DD (with --keys)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["keys"]:
            argv = ["--keys", options["keys"], options["text"]]
            if options["revocations"]:
                argv[2:2] = ["--revocations", options["revocations"]]
            if options["today"]:
                argv[2:2] = ["--today", options["today"]]
            code = himparivar_verify.main(argv)
        else:
            text = sys.stdin.read() if options["text"] == "-" else options["text"]
            result = verify_text(text)
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            code = 0 if result.is_genuine else 1
        if code:
            raise CommandError("not a genuine card", returncode=code)
