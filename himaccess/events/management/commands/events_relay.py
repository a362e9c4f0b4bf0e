from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from himaccess.events import relay


class Command(BaseCommand):
    help = (
        "Deliver domain events still undelivered a minute after they occurred (a failed or lost task); "
        "Celery beat runs the same every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=settings.EVENTS_RELAY_BATCH)
        parser.add_argument("--max-batches", type=int, default=relay.MAX_BATCHES)

    def handle(self, *args: Any, **options: Any) -> None:
        done = relay.relay(batch=options["batch_size"], max_batches=options["max_batches"])
        self.stdout.write(
            f"{done.delivered} events delivered, {done.failed} failed (retried later), "
            f"{relay.undelivered()} still undelivered"
        )
