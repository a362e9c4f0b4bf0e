"""``himaccess linkage``: ``run`` (the whole register), ``pairs`` (a CSV list), ``models`` (those trained)."""

from __future__ import annotations

import csv
import json
import sys
from argparse import ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.linkage import acceptance, actions, lists
from himaccess.linkage import model as linkage_model
from himaccess.linkage.models import TrainedModel

SHIPPED_MODEL = linkage_model.SHIPPED


def _probability(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 < number <= 1.0:
        raise ArgumentTypeError(_("%(value)r is not a probability above 0 and at most 1") % {"value": value})
    return number


def model_for_lists() -> dict[str, Any]:
    """The model in force: the latest accepted one trained on the register, or the one shipped."""
    return actions.model_in_force().model


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Find possible duplicate persons: in the whole register (run) or in a CSV list (pairs)."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        run = verbs.add_parser("run", help="train on the register and queue pairs for review")
        run.add_argument("--threshold", type=_probability, default=None)
        pairs = verbs.add_parser("pairs", help="candidate pairs of a CSV list of people")
        pairs.add_argument("--input", required=True)
        pairs.add_argument("--output", required=True)
        pairs.add_argument("--threshold", type=_probability, default=lists.DEFAULT_THRESHOLD)
        pairs.add_argument(
            "--train", action="store_true", help="train the model on the list itself (large lists)"
        )
        models = verbs.add_parser("models", help="the models trained on the register, accepted or refused")
        models.add_argument("--last", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "run":
            figures = actions.run_over_register(threshold=options["threshold"], progress=self.stdout.write)
            self.stdout.write(json.dumps(figures))
            return
        if options["verb"] == "models":
            self._models(options["last"])
            return
        self._pairs(Path(options["input"]), Path(options["output"]), options["threshold"], options["train"])

    def _pairs(self, source: Path, target: Path, threshold: float, train: bool) -> None:
        try:
            handle = source.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s") % {"path": source, "reason": exc.strerror}
            ) from exc
        try:
            with handle:
                read = lists.read_people(
                    handle, districts=lists.district_lookup(), today=timezone.localdate()
                )
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(path)s is not UTF-8 text") % {"path": source}) from exc
        for problem in read.problems:
            self.stderr.write(
                _("line %(line)d skipped: %(reason)s") % {"line": problem.line, "reason": problem.reason}
            )
        model = model_for_lists()
        if train and len(read.records) >= 1000:
            import duckdb

            con = duckdb.connect()
            linkage_model.create_table(con, "people", read.records)
            model = linkage_model.train(con, "people")
            con.close()
        try:
            output = target.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(reason)s") % {"path": target, "reason": exc.strerror}
            ) from exc
        written = 0
        with output:
            writer = csv.writer(output)
            writer.writerow(["record_id_l", "record_id_r", "match_probability"])
            for left, right, probability in lists.candidate_pairs(read.records, model, threshold=threshold):
                writer.writerow([left, right, f"{probability:.6f}"])
                written += 1
        sys.stderr.flush()
        self.stdout.write(
            _("%(records)d people read, %(skipped)d rows skipped, %(pairs)d pairs written")
            % {"records": len(read.records), "skipped": len(read.problems), "pairs": written}
        )

    def _models(self, last: int) -> None:
        in_force = actions.model_in_force()
        self.stdout.write(_("In force: %(model)s.") % {"model": in_force.describe()})
        self.stdout.write(
            _(
                "A new model is accepted if, on the test list, its precision is at least %(precision).2f,"
                " its recall at least %(recall).2f, and its recall at most %(tolerance).2f below that of"
                " the model in force."
            )
            % {
                "precision": acceptance.MIN_PRECISION,
                "recall": acceptance.MIN_RECALL,
                "tolerance": acceptance.RECALL_TOLERANCE,
            }
        )
        header = (_("no."), _("trained on"), _("members"), _("threshold"), _("check"), _("precision"),
                  _("recall"), _("recall of the model then in force"))  # fmt: skip
        self.stdout.write("\t".join(str(h) for h in header))
        for trained in TrainedModel.objects.order_by("-trained_at", "-id")[:last]:
            checked = trained.check_recall is not None
            self.stdout.write(
                "\t".join(
                    [
                        str(trained.pk),
                        f"{timezone.localtime(trained.trained_at):%Y-%m-%d %H:%M}",
                        str(trained.records),
                        f"{trained.threshold:.3f}",
                        trained.verdict if checked else _("accepted (before the check)"),
                        _share(trained.check_precision),
                        _share(trained.check_recall),
                        _share(trained.check_recall_in_force),
                    ]
                )
            )
