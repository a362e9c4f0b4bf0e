from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from himaccess.idempotency import keys


class Command(BaseCommand):
    help = "Delete the stored answers of idempotency keys that have expired."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{keys.sweep()} expired idempotency answers deleted")
