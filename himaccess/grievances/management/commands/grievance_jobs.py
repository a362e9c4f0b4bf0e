from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from himaccess.grievances import escalation


class Command(BaseCommand):
    help = (
        "Run CM Seva Sankalp's scheduled jobs now: escalate overdue complaints, close unanswered resolutions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=escalation.BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        escalated = escalation.escalate_overdue(batch_size=size)
        self.stdout.write(f"escalated {escalated.rows} complaints in {escalated.seconds:.1f} s")
        closed = escalation.close_unanswered(batch_size=size)
        self.stdout.write(f"closed {closed.rows} unanswered resolutions in {closed.seconds:.1f} s")
