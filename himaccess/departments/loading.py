from __future__ import annotations

import csv
from pathlib import Path

from django.apps.registry import Apps

DATA = Path(__file__).resolve().parent / "data" / "departments.csv"


def load_departments(apps: Apps | None = None) -> int:
    """Create or update the departments from the shipped CSV; returns the row count."""
    if apps is None:
        from himaccess.departments.models import Department
    else:
        Department = apps.get_model("departments", "Department")  # noqa: N806
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Department.objects.update_or_create(
            code=row["code"],
            defaults={
                "lgd_org_code": int(row["lgd_org_code"]) if row["lgd_org_code"] else None,
                "name_en": row["name_en"],
                "name_hi": row["name_hi"],
            },
        )
    return len(rows)
