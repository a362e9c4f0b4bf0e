"""``himaccess natural_farming pay [--district N]`` and ``himaccess natural_farming ledger``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from himaccess.natural_farming import actions, ledger


class Command(BaseCommand):
    help = (
        "Pay natural farmers' unpaid weighments (pay), or post ended months to the benefit ledger (ledger)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", choices=["pay", "ledger"])
        parser.add_argument("--district", type=int, default=None, help="LGD code of one district (pay only)")

    def handle(self, *args: Any, job: str, district: int | None, **options: Any) -> None:
        if job == "pay":
            run = actions.run_payments(district_id=district)
            self.stdout.write(
                f"paid {run.paid} farmers Rs {run.amount} for {run.weighments} weighments; "
                f"{run.held_no_account} held without a bank account; {run.ledger_rows} ledger rows"
            )
        else:
            self.stdout.write(f"{ledger.post_closed_months()} ledger rows posted")
