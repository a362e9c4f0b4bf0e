"""``himaccess seed --families N``: add a synthetic Himachal population to the register."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from himaccess.registry.synthetic.seeding import SeedError, seed_population


def _integer(value: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ArgumentTypeError(
            _("%(value)r is not a whole number of at least %(minimum)d")
            % {"value": value, "minimum": minimum}
        )
    return number


def _positive(value: str) -> int:
    return _integer(value, 1)


def _non_negative(value: str) -> int:
    return _integer(value, 0)


def _focus(value: str) -> tuple[int, float]:
    tehsil, _sep, share = value.partition("=")
    try:
        code, fraction = int(tehsil), float(share)
    except ValueError:
        code, fraction = 0, 0.0
    if code < 1 or not 0 < fraction < 1:
        raise ArgumentTypeError(
            _("%(value)r is not a tehsil's LGD code and a share between 0 and 1, such as 133=0.2")
            % {"value": value}
        )
    return code, fraction


def iso_date(value: str) -> date:
    """A command-line date, YYYY-MM-DD (also for ``seed_history``, whose register this command seeds)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(
            _("%(value)r is not a date in the form YYYY-MM-DD") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Add N synthetic families with their members, spread over the districts by Census 2011 population. "
        "Deterministic for a given seed and reference date; needs the reference geography loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--families", type=_positive, required=True, help="number of families (at least 1)"
        )
        parser.add_argument("--seed", type=_non_negative, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=20_000,
            help="families per worker task and write (default 20000)",
        )
        parser.add_argument(
            "--workers",
            type=_positive,
            default=None,
            help="generator processes (default: CPU count on PostgreSQL, 1 otherwise)",
        )
        parser.add_argument(
            "--as-of",
            type=iso_date,
            default=None,
            help="reference date for ages, YYYY-MM-DD (default today)",
        )
        parser.add_argument(
            "--focus",
            type=_focus,
            action="append",
            default=[],
            metavar="TEHSIL=SHARE",
            help="give this tehsil (LGD code) this share of the families, e.g. 133=0.2; repeatable",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = seed_population(
                families=options["families"],
                seed=options["seed"],
                as_of=options["as_of"],
                batch_size=options["batch_size"],
                workers=options["workers"],
                progress=lambda line: self.stderr.write(line),
                stream=self.stderr,
                focus=dict(options["focus"]),
            )
        except SeedError as error:
            raise CommandError(_("Cannot seed: %(reason)s") % {"reason": error}) from error
        self.stdout.write(
            _("Seeded %(families)s families and %(members)s members in %(seconds).1f s.")
            % {
                "families": f"{result.families:,}",
                "members": f"{result.members:,}",
                "seconds": result.seconds,
            }
        )
