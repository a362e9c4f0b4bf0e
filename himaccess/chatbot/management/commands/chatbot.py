"""``himaccess chatbot <purge|train>``: the chatbot's jobs by hand."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from himaccess.chatbot import actions, classifier


class Command(BaseCommand):
    help = "Delete transcripts past their retention period (purge), or fit and save the intent model (train)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("purge", help="delete conversations silent for longer than CHATBOT_TRANSCRIPT_DAYS")
        sub.add_parser("train", help="fit the intent classifier from the shipped phrases and keep it on disk")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "purge":
            purged = actions.purge()
            self.stdout.write(
                f"{purged.conversations} conversations ({purged.messages} messages) and "
                f"{purged.inbound_ids} WhatsApp message ids deleted"
            )
            return
        started = time.perf_counter()
        path = classifier.save()
        self.stdout.write(f"intent model ready at {path} ({time.perf_counter() - started:.1f} s)")
