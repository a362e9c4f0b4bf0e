"""``himaccess verify_card``: the reference verifier; offline with --keys, else against this server.

Prints the verdict as JSON and its sentence in the reader's language, and
exits 0 only for a genuine card (1 for any other verdict, 2 for an unusable
key or revocation file), without a traceback for any input.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaccess.cards.verification import MESSAGES, verify_text
from himaccess.cards.verifier import himparivar_verify


class Command(BaseCommand):
    help = "Verify a card's QR text. With --keys it works offline, exactly like the standalone verifier."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", help="the QR text, or - to read standard input")
        parser.add_argument("--keys", help="published key set (JWKS file): verify offline")
        parser.add_argument("--revocations", help="signed revocation list file (with --keys)")
        parser.add_argument("--today", help="check expiry as of YYYY-MM-DD (with --keys)")

    def handle(self, *args: Any, **options: Any) -> None:
        text = sys.stdin.read() if options["text"] == "-" else options["text"]
        if options["keys"]:
            argv = ["--keys", options["keys"]]
            if options["revocations"]:
                argv += ["--revocations", options["revocations"]]
            if options["today"]:
                argv += ["--today", options["today"]]
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = himparivar_verify.main([*argv, text])
                except SystemExit as exc:  # argparse: a malformed --today
                    code = 2 if exc.code else 0
            self.stdout.write(out.getvalue().rstrip("\n"))
            if code == 2:
                raise CommandError(
                    err.getvalue().strip() or "the key or revocation file is unusable", returncode=2
                )
            verdict = json.loads(out.getvalue())["verdict"] if out.getvalue() else himparivar_verify.TAMPERED
        else:
            result = verify_text(text)
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            verdict = result.verdict
        if verdict != himparivar_verify.GENUINE:
            # The verdict itself, in the reader's language: "revoked" is not "not genuine".
            raise CommandError(str(MESSAGES[verdict]), returncode=1)
