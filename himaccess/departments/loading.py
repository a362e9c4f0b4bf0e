from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.apps.registry import Apps

DATA = Path(__file__).resolve().parent / "data" / "departments.csv"


def load_departments(apps: Apps | None = None) -> int:
    """Create or update the departments from the shipped CSV; returns the row count.

    ``apps`` is the migration state's registry when called from a migration.
    """
    from himaccess.departments.models import Department

    model: Any = Department if apps is None else apps.get_model("departments", "Department")
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        model.objects.update_or_create(
            code=row["code"],
            defaults={
                "lgd_org_code": int(row["lgd_org_code"]) if row["lgd_org_code"] else None,
                "name_en": row["name_en"],
                "name_hi": row["name_hi"],
            },
        )
    return len(rows)
