"""``himaccess verify_card``: the reference verifier; offline with --keys, else against this server.

Prints the verdict as JSON, and its sentence in the reader's language on
standard error, without a traceback for any input. Exit status:

- 0: genuine;
- 1: any other verdict (not genuine, expired, not yet valid, cannot be checked);
- 2: the key or revocation file is unusable;
- 3: revoked: a card the Government issued and later withdrew. Against this
  server the report says when and why; an offline revocation list does not say.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from himaccess.cards.models import Card
from himaccess.cards.verification import MESSAGES, verify_text, withdrawal
from himaccess.cards.verifier import himparivar_verify

EXIT_REVOKED = 3


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
            verdict = self._offline(text, options)
            sentence = str(MESSAGES[verdict])
        else:
            result = verify_text(text)
            report = result.as_dict()
            sentence = str(MESSAGES[result.verdict])
            verdict = result.verdict
            withdrawn = (
                withdrawal(result.details.get("credential_id", ""))
                if verdict == himparivar_verify.REVOKED
                else None
            )
            if withdrawn is not None:
                report["withdrawn"] = {
                    "status": withdrawn.status,
                    "on": withdrawn.on.isoformat(),
                    "reason": withdrawn.reason,
                }
                sentence = _revoked_sentence(
                    withdrawn.status, withdrawn.on.strftime("%d-%m-%Y"), withdrawn.reason
                )
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        if verdict == himparivar_verify.GENUINE:
            return
        if verdict == himparivar_verify.REVOKED:
            # Not an error of the command: a clear answer, and a status a script can tell apart.
            self.stderr.write(sentence, style_func=self.style.WARNING)
            sys.exit(EXIT_REVOKED)
        raise CommandError(sentence, returncode=1)

    def _offline(self, text: str, options: dict[str, Any]) -> str:
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
        verdict: str = json.loads(out.getvalue())["verdict"] if out.getvalue() else himparivar_verify.TAMPERED
        return verdict


def _revoked_sentence(status: str, on: str, reason: str) -> str:
    if not reason:
        return _("Revoked on %(date)s. Ask for the current card.") % {"date": on}
    if status == Card.Status.SUPERSEDED:
        return _("Revoked on %(date)s: replaced by a newer card (%(reason)s). Ask for the current card.") % {
            "date": on,
            "reason": reason,
        }
    return _("Revoked on %(date)s: %(reason)s. Ask for the current card.") % {"date": on, "reason": reason}
