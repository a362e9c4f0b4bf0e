from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from himaccess.geography.lgd_import import ImportRejected, import_lgd


class Command(BaseCommand):
    help = (
        "Import Himachal Pradesh's gram panchayats and/or villages from LGD's CSV downloads "
        "('All PRI Local Bodies of India', 'All Villages of India'). Rows of other states are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--panchayats", type=Path, help="LGD PRI local bodies CSV")
        parser.add_argument("--villages", type=Path, help="LGD villages CSV")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows and report the invalid ones"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        panchayats: Path | None = options["panchayats"]
        villages: Path | None = options["villages"]
        if panchayats is None and villages is None:
            raise CommandError(_("Give --panchayats FILE, --villages FILE or both."))
        for path in (panchayats, villages):
            if path is not None and not path.is_file():
                raise CommandError(_("%(path)s is not a readable file.") % {"path": path})
        try:
            report = import_lgd(
                panchayats=panchayats,
                villages=villages,
                skip_invalid=options["skip_invalid"],
                stream=self.stderr,
            )
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s invalid rows; nothing was imported. Fix them or use --skip-invalid.")
                % {"count": len(rejected.errors)}
            ) from rejected
        for error in report.errors:
            self.stderr.write(_("skipped: %(error)s") % {"error": error})
        self.stdout.write(
            _(
                "panchayats: %(pc)s created, %(pu)s updated; villages: %(vc)s created, %(vu)s updated; "
                "rows of other states skipped: %(other)s; stand-in villages superseded: %(superseded)s; "
                "invalid rows skipped: %(invalid)s"
            )
            % {
                "pc": report.panchayats_created,
                "pu": report.panchayats_updated,
                "vc": report.villages_created,
                "vu": report.villages_updated,
                "other": report.other_state_rows,
                "superseded": report.stand_ins_superseded,
                "invalid": len(report.errors),
            }
        )
