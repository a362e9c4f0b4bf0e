"""``himaccess reissue_old_layout_cards``: move every active card to the current credential layout.

Walks the active cards of an older layout in id order, a family at a time,
each family in its own transaction (``actions.reissue_in_current_layout``):
the new cards are queued for printing, the old ones stay good until they
expire. Stopping it at any point loses nothing; running it again continues
where it stopped, and once every card is current it does nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaccess.cards import actions
from himaccess.cards.models import Card
from himaccess.registry.models import Family


class Command(BaseCommand):
    help = "Reissue cards of an older layout (queued for printing); safe to stop and run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", type=int, help="only families of this district (LGD code)")
        parser.add_argument("--limit", type=int, default=0, help="stop after this many families (0: all)")
        parser.add_argument("--batch", type=int, default=500, help="cards read per query")
        parser.add_argument("--dry-run", action="store_true", help="count the old cards, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        batch, limit = options["batch"], options["limit"]
        if batch < 1 or batch > 10_000 or limit < 0:
            raise CommandError("--batch must be 1..10000 and --limit 0 or more")
        old = Card.objects.in_old_layout()
        if options["district"] is not None:
            old = old.filter(family__district_id=options["district"])
        if options["dry_run"]:
            self.stdout.write(f"cards in an older layout: {old.count()}")
            return
        started = time.monotonic()
        families = issued = 0
        last_pk = 0
        while not limit or families < limit:
            rows = list(old.filter(pk__gt=last_pk).order_by("pk").values_list("pk", "family_id")[:batch])
            if not rows:
                break
            last_pk = rows[-1][0]
            for family_pk in dict.fromkeys(family_pk for _, family_pk in rows):
                # A family done here has no old card left, so later batches never bring it back.
                if limit and families >= limit:
                    break
                family = Family.objects.get(pk=family_pk)
                issued += len(actions.reissue_in_current_layout(family, acting_user=None))
                families += 1
            self.stdout.write(
                f"{families} families, {issued} cards reissued ({time.monotonic() - started:.0f} s)"
            )
        remaining = old.count()
        self.stdout.write(f"done: {families} families, {issued} cards reissued; {remaining} old cards left")
