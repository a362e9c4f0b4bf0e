"""``himaccess milkfed statements|pay``: Milkfed's monthly run (demo milk: ``himaccess demo``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from himaccess.milkfed import statements
from himaccess.schemes import ledger


def _month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        raise CommandError(f"{value!r} is not a month as YYYY-MM") from None


class Command(BaseCommand):
    help = "Compute a month's milk statements, or pay them to the benefit ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        compute = sub.add_parser("statements", help="(re)compute the unpaid statements of a month")
        compute.add_argument("month", help="YYYY-MM")
        pay = sub.add_parser("pay", help="post an ended month's statements to the ledger and send the SMS")
        pay.add_argument("month", help="YYYY-MM")
        pay.add_argument("--paid-on", default=None, help="YYYY-MM-DD (default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        try:
            if verb == "statements":
                written = statements.compute(_month(options["month"]), acting_user=None)
                self.stdout.write(f"{written} statements computed")
            else:
                paid_on = (
                    date.fromisoformat(options["paid_on"]) if options["paid_on"] else timezone.localdate()
                )
                done = statements.pay(_month(options["month"]), paid_on=paid_on, acting_user=None)
                self.stdout.write(f"{done.paid} paid, {done.replayed} already paid, {done.messages} SMS")
        except (statements.StatementRefused, ledger.LedgerRefusal) as refusal:
            raise CommandError(refusal.message) from None
