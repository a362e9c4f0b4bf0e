"""``himaccess webhooks deliver|replay|grant``: the delivery loop without Celery, replays, allowances."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from oauth2_provider.models import get_application_model

from himaccess.departments.models import Department
from himaccess.webhooks import actions, delivery
from himaccess.webhooks.models import Subscription


class Command(BaseCommand):
    help = "Send due webhook deliveries, replay events to a subscription, or grant a client an allowance."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        send = commands.add_parser("deliver", help="Send due deliveries until none is due.")
        send.add_argument("--batch", type=int, default=None)
        send.add_argument("--forever", action="store_true", help="Keep polling every second.")
        again = commands.add_parser("replay", help="Deliver again all events since a time.")
        again.add_argument("subscription", help="The subscription's ID.")
        again.add_argument("since", help="ISO 8601 time, e.g. 2026-12-01T00:00:00+05:30")
        allow = commands.add_parser("grant", help="Allow a client event types (and districts).")
        allow.add_argument("client_id")
        allow.add_argument("--events", required=True, help="Comma-separated event types.")
        allow.add_argument("--districts", default="", help="Comma-separated LGD codes; empty: the state.")
        allow.add_argument("--department", default="", help="Department code for decided applications.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "deliver":
            self._deliver(options["batch"], options["forever"])
        elif options["command"] == "replay":
            self._replay(options["subscription"], options["since"])
        else:
            self._grant(options)

    def _deliver(self, batch: int | None, forever: bool) -> None:
        while True:
            sent = delivery.deliver_due(batch=batch, max_batches=1_000_000)
            self.stdout.write(f"delivered {sent.delivered}, failed {sent.failed}")
            if not forever:
                return
            time.sleep(1)

    def _replay(self, subscription_id: str, since_text: str) -> None:
        try:
            since = datetime.fromisoformat(since_text)
            subscription = Subscription.objects.get(public_id=subscription_id)
        except (ValueError, ValidationError, Subscription.DoesNotExist) as exc:
            raise CommandError(f"no such subscription or not an ISO time: {exc}") from exc
        if timezone.is_naive(since):
            raise CommandError("give the time with its offset, e.g. +05:30")
        try:
            count = actions.replay(subscription, since=since)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{count} deliveries queued as replays")

    def _grant(self, options: dict[str, Any]) -> None:
        application = get_application_model().objects.filter(client_id=options["client_id"]).first()
        if application is None:
            raise CommandError("no such client")
        department = None
        if options["department"]:
            department = Department.objects.filter(pk=options["department"]).first()
            if department is None:
                raise CommandError("no such department")
        districts = [int(code) for code in options["districts"].split(",") if code.strip()]
        try:
            actions.grant(
                application,
                event_types=[e.strip() for e in options["events"].split(",") if e.strip()],
                districts=districts,
                department=department,
                acting_user=None,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write("granted")
