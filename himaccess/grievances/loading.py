"""Loading the shipped category tree and escalation ladders (``data/*.csv``).

Used by a data migration; it takes the migration's ``apps`` so it works on
the historical models. Running it again updates names, limits and handlers
in place and adds new nodes; nothing is deleted (complaints point at nodes).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_tree(apps: Any) -> None:
    category_model = apps.get_model("grievances", "Category")
    ladder_model = apps.get_model("grievances", "LadderLevel")
    rows = _rows("categories.csv")
    # A parent node (no handler of its own) takes its first child's handler and the longest limit.
    children: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row["parent"]:
            children.setdefault(row["parent"], []).append(row)
    saved: dict[str, Any] = {}
    for row in rows:
        own = children.get(row["code"], [])
        source = own[0] if not row["handler_role"] and own else row
        limit = row["time_limit_days"] or str(max(int(child["time_limit_days"]) for child in own))
        saved[row["code"]], _ = category_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "department_id": row["department"],
                "parent": saved.get(row["parent"]) if row["parent"] else None,
                "name_en": row["name_en"],
                "name_hi": row["name_hi"],
                "time_limit_days": int(limit),
                "handler_role": source["handler_role"],
                "handler_level": source["handler_level"],
            },
        )
    for row in _rows("ladders.csv"):
        ladder_model.objects.update_or_create(
            department_id=row["department"],
            number=int(row["number"]),
            defaults={
                "role": row["role"],
                "area_level": row["area_level"],
                "hours": int(row["hours"]),
                "title_en": row["title_en"],
                "title_hi": row["title_hi"],
            },
        )
