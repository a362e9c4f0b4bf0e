"""``himaccess vault``: the Aadhaar vault's operations.

- ``status``: rows per key id, and which key is current.
- ``new-key``: print a fresh ``id:base64`` key entry to put first in VAULT_KEYS.
- ``rotate``: re-seal every row under the current key (``--background``
  queues it as a Celery job instead); resumable, see ``vault.rotation``.
- ``scan``: look for Aadhaar-shaped numbers outside the vault in every text
  column, the media and data folders and the given log files; exits 1 and
  names each place (masked) when it finds one.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from himaccess.vault import keys, rotation, scan, tasks


class Command(BaseCommand):
    help = "The Aadhaar vault: status, new-key, rotate, scan."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("status", help="Rows per key id and the current key.")
        new_key = sub.add_parser("new-key", help="Print a fresh key entry for VAULT_KEYS.")
        new_key.add_argument("--id", dest="kid", default=None, help="Key id (default: random).")
        rotate = sub.add_parser("rotate", help="Re-seal every row under the current key.")
        rotate.add_argument("--batch-size", type=int, default=rotation.BATCH_SIZE)
        rotate.add_argument("--background", action="store_true", help="Queue it as a Celery job.")
        found = sub.add_parser("scan", help="Find Aadhaar-shaped numbers outside the vault.")
        found.add_argument("--database", default="default")
        found.add_argument("--no-database", action="store_true", help="Scan files only.")
        found.add_argument(
            "--folder",
            action="append",
            type=Path,
            default=None,
            help="A folder or file to scan (repeatable; default: MEDIA_ROOT and DATA_DIR).",
        )
        found.add_argument("--log", action="append", type=Path, default=[], help="A log file or folder.")
        found.add_argument("--no-files", action="store_true", help="Scan the database only.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)

    def _status(self, options: dict[str, Any]) -> None:
        ring = keys.key_ring()
        counts = rotation.rows_by_key()
        self.stdout.write(f"current key: {ring.current_id}")
        for kid in sorted(set(ring.keys) | set(counts)):
            note = "" if kid in ring.keys else "  (NOT CONFIGURED: these rows cannot be opened)"
            self.stdout.write(f"{kid}: {counts.get(kid, 0)} rows{note}")

    def _new_key(self, options: dict[str, Any]) -> None:
        self.stdout.write(keys.new_key_entry(options["kid"]))

    def _rotate(self, options: dict[str, Any]) -> None:
        batch_size = options["batch_size"]
        if not 1 <= batch_size <= 50_000:
            raise CommandError("--batch-size must be between 1 and 50000")
        if options["background"]:
            tasks.rotate.delay(batch_size=batch_size)
            self.stdout.write("rotation queued")
            return
        started = time.monotonic()
        done = rotation.rotate(
            batch_size=batch_size,
            progress=lambda total, _last: self.stdout.write(f"{total} rows re-sealed"),
        )
        left = rotation.remaining()
        self.stdout.write(
            f"{done.rotated} rows re-sealed under {keys.key_ring().current_id} "
            f"in {time.monotonic() - started:.1f} s; {left} left"
        )
        if left:
            raise CommandError(f"{left} rows are still under older keys (locked by others): run it again")

    def _scan(self, options: dict[str, Any]) -> None:
        started = time.monotonic()
        findings: list[scan.Finding] = []
        if not options["no_database"]:
            findings.extend(scan.scan_database(using=options["database"]))
        if not options["no_files"]:
            folders = options["folder"] or [Path(settings.MEDIA_ROOT), Path(settings.DATA_DIR)]
            skip = [Path(settings.SIGNING_KEY_DIR), Path(settings.STATIC_ROOT)]
            findings.extend(scan.scan_files([*folders, *options["log"]], skip=skip))
        elapsed = time.monotonic() - started
        for finding in findings:
            self.stdout.write(str(finding))
        if findings:
            raise CommandError(
                f"{len(findings)} Aadhaar-shaped numbers outside the vault ({elapsed:.1f} s)", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(f"no Aadhaar-shaped number outside the vault ({elapsed:.1f} s)"))
