from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from himaccess.applications.actions import decisions


class Command(BaseCommand):
    help = "Flag pending service applications past their time limit and tell the citizens they may appeal."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{decisions.flag_overdue()} applications flagged as overdue")
