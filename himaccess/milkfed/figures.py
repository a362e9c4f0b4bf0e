"""Milkfed's figures on its department page: litres, farmers and payments by month.

Everyone sees the district totals of the last months, with any district-month
of fewer than ``SMALLEST_GROUP`` farmers left out (a tiny group's payments
would be a person's income). Per-society rows are shown to whoever oversees
the society: its secretary, the Milkfed officials of its district, state
officials.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils import timezone

from himaccess.departments import pages
from himaccess.departments.models import Department
from himaccess.geography.models import District
from himaccess.milkfed import access
from himaccess.milkfed.models import DEPARTMENT, Collection, PriceRate, Society, Statement, SubsidyRate

SMALLEST_GROUP = 5
MONTHS = 6


def _since(months: int) -> date:
    today = timezone.localdate().replace(day=1)
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def by_month(society_ids: list[int] | None, *, group: str, since: date) -> list[dict[str, Any]]:
    """Litres (x100), farmers and rupees paid per month and ``group`` ("district" or "society")."""
    field = "society__district_id" if group == "district" else "society_id"
    collections = Collection.objects.filter(date__gte=since)
    statements = Statement.objects.filter(month__gte=since)
    if society_ids is not None:
        collections = collections.filter(society_id__in=society_ids)
        statements = statements.filter(society_id__in=society_ids)
    rows: dict[tuple[Any, date], dict[str, Any]] = {}
    for row in (
        collections.annotate(month=TruncMonth("date"))
        .values(field, "month")
        .annotate(litres=Sum("litres_x100"), farmers=Count("farmer", distinct=True))
    ):
        month = row["month"] if isinstance(row["month"], date) else row["month"].date()
        rows[(row[field], month)] = {
            "key": row[field],
            "month": month,
            "litres": row["litres"] / 100,
            "farmers": row["farmers"],
            "paid": 0,
        }
    for row in statements.values(field, "month").annotate(paid=Sum("paid_rupees")):
        entry = rows.get((row[field], row["month"]))
        if entry is not None:
            entry["paid"] = row["paid"] or 0
    return sorted(rows.values(), key=lambda r: (r["month"], str(r["key"])), reverse=True)


def department_section(request: HttpRequest, department: Department) -> dict[str, Any] | None:
    language = request.LANGUAGE_CODE
    since = _since(MONTHS)
    districts = {d.pk: d.name_in(language) for d in District.objects.all()}
    public = [
        {**row, "name": districts.get(row["key"], "")}
        for row in by_month(None, group="district", since=since)
        if row["farmers"] >= SMALLEST_GROUP
    ]
    user = request.user
    overseen = access.societies_for(user)  # type: ignore[arg-type]
    society_rows: list[dict[str, Any]] = []
    societies: list[Society] = []
    if overseen.exists():
        societies = list(overseen.select_related("district")[:200])
        names = {s.pk: s for s in societies}
        society_rows = [
            {**row, "society": names[row["key"]]}
            for row in by_month(list(names), group="society", since=since)
            if row["key"] in names
        ]
    return {
        "districts": public,
        "societies": societies,
        "society_rows": society_rows,
        "smallest_group": SMALLEST_GROUP,
        "prices": PriceRate.objects.order_by("animal", "-valid_from"),
        "subsidies": SubsidyRate.objects.order_by("-valid_from"),
        "is_official": access.is_milkfed_official(user),  # type: ignore[arg-type]
    }


pages.register(
    pages.Section(
        department=DEPARTMENT,
        key="milk",
        template="milkfed/_department.html",
        context=department_section,
        order=10,
    )
)
