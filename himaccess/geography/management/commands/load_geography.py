from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from himaccess.geography.loading import load_reference_geography


class Command(BaseCommand):
    help = "Load or refresh Himachal Pradesh's districts, tehsils, blocks, urban bodies and pincodes."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_reference_geography()
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")
