"""``himaccess quality run``: check the whole register for contradictions."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from himaccess.quality.actions import run_rules


class Command(BaseCommand):
    help = "Check the register for contradictions and open a finding for each."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser("run", help="run every rule over the register")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(run_rules()))
