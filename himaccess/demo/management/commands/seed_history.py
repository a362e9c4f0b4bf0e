"""``himaccess seed_history``: a year of synthetic history on a seeded register (load tests, demos)."""

from __future__ import annotations

from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from himaccess.demo.history import HistoryError, seed_history
from himaccess.registry.management.commands.seed import iso_date


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = 0
    if not 1 <= days <= 3650:
        raise ArgumentTypeError(_("%(value)r is not a number of days from 1 to 3650") % {"value": value})
    return days


def _scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError:
        scale = 0.0
    if not 0 < scale <= 10:
        raise ArgumentTypeError(_("%(value)r is not a scale above 0 and at most 10") % {"value": value})
    return scale


class Command(BaseCommand):
    help = (
        "Add synthetic history to a seeded register: service applications, complaints, pensions and "
        "their monthly payments, at the state's yearly volume times --scale. For load tests and demos only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--days", type=_days, default=365, help="days of history (default 365)")
        parser.add_argument(
            "--scale", type=_scale, default=1.0, help="share of the state's yearly volume (default 1.0)"
        )
        parser.add_argument(
            "--until",
            type=iso_date,
            default=None,
            help="the history ends at the start of this day (default today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = seed_history(
                seed=options["seed"],
                days=options["days"],
                scale=options["scale"],
                until=options["until"],
                stream=self.stderr,
            )
        except HistoryError as error:
            raise CommandError(_("Cannot write the history: %(reason)s") % {"reason": error}) from error
        for table, count in sorted(result.rows.items()):
            self.stdout.write(f"{table:<36}{count:>12,}")
        self.stdout.write(
            _("Wrote %(rows)s rows of synthetic history in %(seconds).1f s.")
            % {"rows": f"{sum(result.rows.values()):,}", "seconds": result.seconds}
        )
