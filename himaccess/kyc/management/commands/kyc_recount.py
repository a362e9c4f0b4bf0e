from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from himaccess.kyc import campaign


class Command(BaseCommand):
    help = (
        "Recount the e-KYC campaign's figures of every area from the register (nightly; after a bulk load)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        areas = campaign.recount()
        self.stdout.write(f"{areas} areas recounted")
