"""Accountability figures, one aggregate query per grouping (officer, department, district).

- received: complaints filed (for an officer: complaints they hold or held last)
- resolved_in_time: resolved no later than the category's time limit
- overdue_l1..l4: open complaints past their level's deadline, by level
- first_action_hours / resolution_hours: average hours from filing
- reopen_rate: share of resolved complaints rejected or reopened by the citizen
- satisfaction: average rating (1–5) and share rated 4 or 5
- closed_unconfirmed: closed because the citizen did not answer, not confirmed
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from himaccess.grievances.models import Complaint

LEVELS = (1, 2, 3, 4)
GROUPS = {"officer": "assignee", "department": "department", "district": "district"}


def _hours(value: Any) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if hasattr(value, "total_seconds") else float(value) / 1_000_000
    return round(seconds / 3600, 1)


def figures(
    by: str, complaints: QuerySet[Complaint] | None = None, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """One row per group, keyed by ``key`` (the officer's, department's or district's id)."""
    now = now or timezone.now()
    field = GROUPS[by]
    complaints = Complaint.objects.all() if complaints is None else complaints
    overdue = Q(status=Complaint.Status.OPEN, due_at__lte=now)
    rows = (
        complaints.order_by()
        .values(key=F(field))
        .annotate(
            received=Count("id"),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            resolved_in_time=Count(
                "id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("sla_due_at"))
            ),
            **{f"overdue_l{n}": Count("id", filter=overdue & Q(level=n)) for n in LEVELS},
            first_action=Avg(
                ExpressionWrapper(F("first_action_at") - F("created_at"), output_field=DurationField())
            ),
            resolution=Avg(
                ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
            ),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            rated=Count("id", filter=Q(rating__isnull=False)),
            avg_rating=Avg("rating"),
            satisfied=Count("id", filter=Q(rating__gte=4)),
            closed=Count("id", filter=Q(status=Complaint.Status.CLOSED)),
            closed_unconfirmed=Count("id", filter=Q(closed_how=Complaint.ClosedHow.NO_ANSWER)),
        )
        .order_by("key")
    )
    result = []
    for values in rows:
        row: dict[str, Any] = dict(values)
        row["first_action_hours"] = _hours(row.pop("first_action"))
        row["resolution_hours"] = _hours(row.pop("resolution"))
        row["reopen_rate"] = round(100 * row["reopened"] / row["resolved"], 1) if row["resolved"] else None
        row["in_time_rate"] = (
            round(100 * row["resolved_in_time"] / row["resolved"], 1) if row["resolved"] else None
        )
        average = row.pop("avg_rating")
        row["rating"] = round(average, 2) if average is not None else None
        row["satisfaction_rate"] = round(100 * row["satisfied"] / row["rated"], 1) if row["rated"] else None
        row["overdue"] = [row[f"overdue_l{n}"] for n in LEVELS]
        result.append(row)
    return result
