"""The whole run: the officials, the register, then each kind of history, in one transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.audit import log as audit
from himaccess.catalog.working_time import IST
from himaccess.demo.history.applications import offered_services, write_applications
from himaccess.demo.history.complaints import write_complaints
from himaccess.demo.history.errors import HistoryError
from himaccess.demo.history.officials import post_officials
from himaccess.demo.history.pensions import write_pensions
from himaccess.demo.history.register import read_register
from himaccess.demo.history.writer import Writer

# What the state reports for a year (him_parivar_and_cm_sankalp.md in the reference data):
# e-District services delivered in 2024 and CM Seva Sankalp complaints in FY 2024-25.
YEARLY = {"applications": 2_278_000, "complaints": 149_490}


@dataclass
class HistoryResult:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    start: datetime | None = None
    end: datetime | None = None


def window(days: int, until: date | None) -> tuple[datetime, datetime]:
    """The history's start and end: ``days`` whole days ending at the start of ``until`` (today)."""
    last = until or timezone.localdate()
    end = datetime.combine(last, clock(0), tzinfo=IST)
    return end - timedelta(days=days), end


def seed_history(
    *,
    seed: int = 1,
    days: int = 365,
    scale: float = 1.0,
    until: date | None = None,
    stream: object | None = None,
) -> HistoryResult:
    """Write ``days`` of history at ``scale`` times the state's yearly volume (see the package)."""
    if days < 1 or scale <= 0:
        raise HistoryError(_("The number of days and the scale must be positive."))
    started = time.perf_counter()
    start, end = window(days, until)
    year = days / 365
    counts = {name: round(volume * scale * year) for name, volume in YEARLY.items()}
    writer = Writer()
    with transaction.atomic():
        versions = [s.version for s in offered_services()]
        officials = post_officials(versions, start - timedelta(days=1))
        register = read_register()
        write_applications(
            writer,
            count=counts["applications"],
            seed=seed,
            start=start,
            days=days,
            end=end,
            register=register,
            officials=officials,
            stream=stream,
        )
        write_complaints(
            writer,
            count=counts["complaints"],
            seed=seed,
            start=start,
            days=days,
            end=end,
            register=register,
            officials=officials,
            stream=stream,
        )
        write_pensions(
            writer,
            scale=scale,
            seed=seed,
            start=start,
            end=end,
            register=register,
            officials=officials,
            stream=stream,
        )
        # One entry for the import: the rows are synthetic records, not acts of the people they name.
        audit.record(
            None,
            "history.imported",
            None,
            after={
                "synthetic": True,
                "seed": seed,
                "days": days,
                "scale": scale,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "rows": dict(sorted(writer.counts.items())),
            },
            source="synthetic",
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in writer.counts:
                cursor.execute(f"ANALYZE {table}")
    return HistoryResult(
        rows=dict(writer.counts), seconds=time.perf_counter() - started, start=start, end=end
    )
