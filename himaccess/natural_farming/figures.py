"""Figures of natural farming by district and crop: farmers, certified, quantity procured, amount paid.

Four aggregate queries, whatever the number of farmers. A visitor or a
citizen sees a district's or a crop's numbers only for groups of at least
``SMALLEST_GROUP`` farmers (a smaller group could name a person); the
department's officials see every number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum

from himaccess.geography.models import District
from himaccess.natural_farming.models import CertificationStatus, Crop, Farmer, ProcurementWindow, Weighment

SMALLEST_GROUP = 5
AMOUNT = ExpressionWrapper(
    F("price_amount") + F("freight_amount"), output_field=DecimalField(max_digits=14, decimal_places=2)
)


@dataclass
class CropFigures:
    crop: str
    label: str
    farmers: int = 0
    kg: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    hidden: bool = False

    @property
    def tonnes(self) -> Decimal:
        return (self.kg / 1000).quantize(Decimal("0.01"))


@dataclass
class DistrictFigures:
    district: District
    farmers: int = 0
    certified: int = 0
    crops: list[CropFigures] = field(default_factory=list)
    hidden: bool = False


@dataclass
class Figures:
    season: str
    seasons: list[str]
    districts: list[DistrictFigures]
    totals: DistrictFigures | None
    crops: list[tuple[str, str]]


def seasons() -> list[str]:
    return sorted(set(ProcurementWindow.objects.values_list("season", flat=True)), reverse=True)


def compute(*, season: str | None, language: str, complete: bool) -> Figures:
    """The figures of ``season`` (the latest when None); ``complete``: show groups of any size."""
    known = seasons()
    chosen = season if season in known else (known[0] if known else "")
    crops = [(value, str(label)) for value, label in Crop.choices]
    registered = {
        row["member__family__district_id"]: row
        for row in Farmer.objects.values("member__family__district_id").annotate(
            farmers=Count("id"), certified=Count("id", filter=Q(status=CertificationStatus.CERTIFIED))
        )
    }
    sold = {
        (row["farmer__member__family__district_id"], row["window__crop"]): row
        for row in Weighment.objects.filter(window__season=chosen)
        .values("farmer__member__family__district_id", "window__crop")
        .annotate(
            farmers=Count("farmer", distinct=True),
            kg=Sum("kg"),
            paid=Sum(AMOUNT, filter=Q(payment__isnull=False)),
        )
    }
    districts = {
        d.pk: d for d in District.objects.filter(pk__in={k for k in registered} | {k for k, _ in sold})
    }
    rows: list[DistrictFigures] = []
    for pk, district in sorted(districts.items(), key=lambda item: item[1].name_in(language)):
        base = registered.get(pk, {"farmers": 0, "certified": 0})
        row = DistrictFigures(district=district, farmers=base["farmers"], certified=base["certified"])
        row.hidden = not complete and row.farmers < SMALLEST_GROUP
        for value, label in crops:
            cell = sold.get((pk, value))
            figures = CropFigures(crop=value, label=label)
            if cell is not None:
                figures.farmers, figures.kg, figures.paid = (
                    cell["farmers"],
                    cell["kg"] or Decimal(0),
                    cell["paid"] or Decimal(0),
                )
            figures.hidden = not complete and 0 < figures.farmers < SMALLEST_GROUP
            row.crops.append(figures)
        rows.append(row)
    totals = None
    if rows:
        totals = DistrictFigures(
            district=District(name_en="Himachal Pradesh", name_hi="हिमाचल प्रदेश"),
            farmers=sum(r.farmers for r in rows),
            certified=sum(r.certified for r in rows),
        )
        for index, (value, label) in enumerate(crops):
            cells = [r.crops[index] for r in rows]
            total = CropFigures(
                crop=value,
                label=label,
                farmers=sum(c.farmers for c in cells),
                kg=sum((c.kg for c in cells), Decimal(0)),
                paid=sum((c.paid for c in cells), Decimal(0)),
            )
            total.hidden = not complete and 0 < total.farmers < SMALLEST_GROUP
            totals.crops.append(total)
        totals.hidden = not complete and totals.farmers < SMALLEST_GROUP
    return Figures(season=chosen, seasons=known, districts=rows, totals=totals, crops=crops)
