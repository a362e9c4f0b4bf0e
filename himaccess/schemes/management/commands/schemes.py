"""``himaccess schemes <evaluate|snapshot|counts|create-client|scan-ages>``: population work on schemes."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from himaccess.departments.models import Department
from himaccess.schemes import population, snapshot, tasks
from himaccess.schemes.actions import clients as schemes_clients
from himaccess.schemes.actions import records, reevaluation


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--on must be a real date as YYYY-MM-DD, not {text!r}") from None


class Command(BaseCommand):
    help = (
        "Evaluate scheme rules over a CSV list or the register, snapshot the register, create ledger clients."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        evaluate = sub.add_parser("evaluate", help="check a CSV list of people against every scheme")
        evaluate.add_argument("--input", required=True, type=Path)
        evaluate.add_argument("--output", required=True, type=Path)
        evaluate.add_argument("--on", default="")
        evaluate.add_argument("--scheme", action="append", default=[], help="only these scheme ids")
        snap = sub.add_parser("snapshot", help="write the living register to a Parquet snapshot")
        snap.add_argument("--output", required=True, type=Path)
        counts = sub.add_parser("counts", help="eligible people per scheme and district")
        counts.add_argument("--on", default="")
        counts.add_argument(
            "--snapshot", type=Path, help="count in DuckDB over this snapshot instead of the database"
        )
        client = sub.add_parser("create-client", help="a department's ledger client; prints its token once")
        client.add_argument("--name", required=True)
        client.add_argument("--department", required=True)
        ages = sub.add_parser("scan-ages", help="re-evaluate those reaching a threshold age today")
        ages.add_argument("--on", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        on = _date(options["on"]) if options.get("on") else records.today()
        if verb == "evaluate":
            self._evaluate(options["input"], options["output"], on, options["scheme"])
        elif verb == "snapshot":
            started = time.perf_counter()
            rows = snapshot.export_snapshot(options["output"])
            self.stdout.write(
                f"{rows} members written to {options['output']} in {time.perf_counter() - started:.1f} s"
            )
        elif verb == "counts":
            versions = reevaluation.rules_in_force(on)
            if options.get("snapshot"):
                con = snapshot.open_snapshot(options["snapshot"])
                found = snapshot.counts(con, versions, on)
            else:
                found = population.eligible_counts(versions, on)
            for scheme_id, by_district in sorted(found.items()):
                self.stdout.write(f"{scheme_id}\t{sum(by_district.values())}")
        elif verb == "create-client":
            department = Department.objects.filter(pk=options["department"]).first()
            if department is None:
                raise CommandError(f"unknown department {options['department']!r}")
            client, token = schemes_clients.create_department_client(
                options["name"], department, acting_user=None
            )
            self.stdout.write(f"client {client.key_id} created; its bearer token (shown once): {token}")
        elif verb == "scan-ages":
            self.stdout.write(f"{tasks.scan_age_thresholds(on.isoformat())} members re-evaluated")

    def _evaluate(self, source: Path, output: Path, on: date, only: list[str]) -> None:
        if not source.is_file():
            raise CommandError(f"no such file: {source}")
        if output.is_dir() or not output.parent.is_dir():
            raise CommandError(f"the output must be a file in an existing directory, not {output}")
        versions = reevaluation.rules_in_force(on)
        if only:
            known = {v.scheme.scheme_id for v in versions}
            unknown = sorted(set(only) - known)
            if unknown:
                raise CommandError(
                    f"unknown scheme ids: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
                )
            versions = [v for v in versions if v.scheme.scheme_id in only]
        try:
            evaluated, errors = snapshot.evaluate_csv(source, output, versions, on, stream=self.stderr)
        except snapshot.BadHeader as exc:
            raise CommandError(f"{str(exc).rstrip('.')}. Nothing written.") from None
        except snapshot.NoValidRows as exc:
            for error in exc.errors:
                self.stderr.write(f"line {error.line}: {error.message}")
            if exc.errors:
                raise CommandError(f"{exc} Bad rows: {len(exc.errors)}; nothing written.") from None
            raise CommandError(f"{exc} Nothing written.") from None
        except UnicodeDecodeError:
            raise CommandError(
                "the input is not UTF-8 text: save the list as CSV in UTF-8; nothing written"
            ) from None
        except OSError as exc:
            raise CommandError(str(exc)) from None
        for error in errors:
            self.stderr.write(f"line {error.line}: {error.message}")
        self.stdout.write(
            f"{evaluated} people evaluated against {len(versions)} schemes; "
            f"{len(errors)} bad rows skipped; written to {output}"
        )
