"""``himaccess audit verify`` checks the chain; ``himaccess audit stats`` prints its figures."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaccess.audit.verification import chain_stats, verify_chain


class Command(BaseCommand):
    help = "Check the audit hash chain (verify) or print its size and head (stats)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Stream the whole chain and report the first broken position.")
        verify.add_argument("--database", default="default")
        stats = sub.add_parser("stats", help="Number of entries, first and last, and the signed heads.")
        stats.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            started = time.perf_counter()
            verdict = verify_chain(options["database"])
            elapsed = time.perf_counter() - started
            message = f"{verdict} in {elapsed:.1f} s"
            if not verdict.ok:
                raise CommandError(message, returncode=2)
            self.stdout.write(self.style.SUCCESS(message))
            return
        stats = chain_stats(options["database"])
        self.stdout.write(f"entries: {stats.entries}")
        self.stdout.write(f"chains: {len(stats.heads)}")
        self.stdout.write(f"first: {stats.first_at}  last: {stats.last_at}")
        for number, seq, head_hash in stats.heads:
            self.stdout.write(f"head: {seq} {head_hash} (chain {number})")
        if stats.checkpoint is not None:
            self.stdout.write(f"checkpoint: {stats.checkpoint[0]} {stats.checkpoint[1]}")
