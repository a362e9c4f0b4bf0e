"""Posting a society's collection rows: every row checked, then all written or none.

The same rules serve the JSON API (a list of objects) and a CSV upload on the
society's page. Each refused row is named by its number (1 for the first
object, or the first line after the CSV header) with the field and the reason
in the caller's language. A row already recorded with the same values (same
society, date, shift, farmer and animal) is left as it is, so a batch sent
twice writes once; the same key with other values is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.lib import identifiers, text
from himaccess.milkfed.models import (
    Animal,
    Collection,
    DairyFarmer,
    Membership,
    PriceRate,
    Shift,
    Society,
    Statement,
    Upload,
)

MAX_ROWS = 2000
# Plausible ranges (x100): one farmer's delivery in one shift, and milk's fat and solids-not-fat.
LITRES_RANGE = (10, 20_000)  # 0.1 to 200 litres
FAT_RANGE = (100, 1500)  # 1.0% to 15.0%
SNF_RANGE = (500, 1200)  # 5.0% to 12.0%
# A society may post late, but not for a day older than this.
OLDEST_DAYS = 62
FIELDS = ("member_id", "date", "shift", "animal", "litres", "fat", "snf")


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


class UploadRefused(Exception):
    def __init__(self, status: int, message: str, errors: list[RowError], code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.code = code


@dataclass(frozen=True)
class Clean:
    row: int
    member_id: str
    date: date
    shift: str
    animal: str
    litres_x100: int
    fat_x100: int
    snf_x100: int


@dataclass(frozen=True)
class Posted:
    upload: Upload
    written: int
    unchanged: int


def _hundredths(value: Any, *, from_text: bool) -> int | None:
    """A number with at most two decimals as a whole number of hundredths; None if it is not one."""
    if isinstance(value, bool):
        return None
    if from_text:
        if not isinstance(value, str):
            return None
        raw = value.strip()
    elif isinstance(value, int | float):
        raw = repr(value)
    else:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    scaled = number * 100
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def _check_row(number: int, raw: Any, *, from_text: bool, today: date) -> tuple[Clean | None, list[RowError]]:
    errors: list[RowError] = []

    def refuse(field: str, message: str) -> None:
        errors.append(RowError(number, field, message))

    if not isinstance(raw, dict):
        refuse(
            "row", _("Each row must be an object with member_id, date, shift, animal, litres, fat and snf.")
        )
        return None, errors
    unknown = sorted(str(k) for k in raw if k not in FIELDS)
    if unknown:
        refuse(
            unknown[0][:40], _("Unknown field; the fields are: %(fields)s.") % {"fields": ", ".join(FIELDS)}
        )
    for name in FIELDS:
        if name not in raw or raw[name] in ("", None):
            refuse(name, _("This field is required."))
    if errors:
        return None, errors
    texts = [v for v in raw.values() if isinstance(v, str)]
    if any(text.has_control_character(v) for v in texts):
        refuse("row", _("A value contains a control character, which is never part of valid input."))
        return None, errors
    member_id = raw["member_id"]
    if not isinstance(member_id, str) or not identifiers.is_valid(member_id, identifiers.MEMBER_PREFIX):
        refuse("member_id", _("Enter a valid Member ID (M and 11 digits)."))
    day: date | None = None
    if not isinstance(raw["date"], str):
        refuse("date", _("Enter a real date as YYYY-MM-DD."))
    else:
        try:
            day = date.fromisoformat(raw["date"].strip())
        except ValueError:
            refuse("date", _("Enter a real date as YYYY-MM-DD."))
    if day is not None:
        if day > today:
            refuse("date", _("The date is in the future."))
        elif day < today - timedelta(days=OLDEST_DAYS):
            refuse("date", _("The date is more than %(days)s days ago.") % {"days": OLDEST_DAYS})
    shift = raw["shift"].strip().lower() if isinstance(raw["shift"], str) else None
    if shift not in Shift.values:
        refuse("shift", _("Choose one of: %(choices)s") % {"choices": ", ".join(Shift.values)})
    animal = raw["animal"].strip().lower() if isinstance(raw["animal"], str) else None
    if animal not in Animal.values:
        refuse("animal", _("Choose one of: %(choices)s") % {"choices": ", ".join(Animal.values)})
    measured: dict[str, int] = {}
    for name, (low, high) in (("litres", LITRES_RANGE), ("fat", FAT_RANGE), ("snf", SNF_RANGE)):
        value = _hundredths(raw[name], from_text=from_text)
        if value is None:
            refuse(name, _("Enter a number with at most two decimals."))
        elif not low <= value <= high:
            refuse(
                name,
                _("This must be between %(low)s and %(high)s.")
                % {"low": f"{low / 100:g}", "high": f"{high / 100:g}"},
            )
        else:
            measured[name] = value
    if errors:
        return None, errors
    assert day is not None and shift is not None and animal is not None
    return (
        Clean(
            row=number,
            member_id=identifiers.normalise(member_id),
            date=day,
            shift=shift,
            animal=animal,
            litres_x100=measured["litres"],
            fat_x100=measured["fat"],
            snf_x100=measured["snf"],
        ),
        [],
    )


def check_rows(society: Society, rows: list[Any], *, from_text: bool) -> tuple[list[Clean], dict[int, int]]:
    """The rows cleaned and matched to farmers (row number → farmer pk); raises UploadRefused."""
    if not society.is_open:
        raise UploadRefused(
            409,
            _("The society %(code)s is closed: it records no milk.") % {"code": society.code},
            [],
            "society_closed",
        )
    if not rows:
        raise UploadRefused(422, _("There are no rows to record."), [], "empty")
    if len(rows) > MAX_ROWS:
        raise UploadRefused(
            413, _("Send at most %(max)s rows at a time.") % {"max": MAX_ROWS}, [], "too_many_rows"
        )
    today = timezone.localdate()
    errors: list[RowError] = []
    clean: list[Clean] = []
    for number, raw in enumerate(rows, start=1):
        row, problems = _check_row(number, raw, from_text=from_text, today=today)
        errors.extend(problems)
        if row is not None:
            clean.append(row)
    keys: dict[tuple[str, date, str, str], int] = {}
    for row in clean:
        key = (row.member_id, row.date, row.shift, row.animal)
        if key in keys:
            errors.append(
                RowError(
                    row.row,
                    "row",
                    _("Row %(first)s already has this farmer, date, shift and animal.")
                    % {"first": keys[key]},
                )
            )
        else:
            keys[key] = row.row
    farmers = {
        member_id: pk
        for member_id, pk in DairyFarmer.objects.filter(
            member__member_id__in={row.member_id for row in clean}
        ).values_list("member__member_id", "pk")
    }
    memberships: dict[int, list[tuple[date, date | None]]] = {}
    for farmer_id, joined, left in Membership.objects.filter(
        society=society, farmer_id__in=farmers.values()
    ).values_list("farmer_id", "joined_on", "left_on"):
        memberships.setdefault(farmer_id, []).append((joined, left))
    prices = list(PriceRate.objects.values_list("animal", "valid_from"))
    months = {row.date.replace(day=1) for row in clean}
    paid = set(
        Statement.objects.filter(
            farmer_id__in=farmers.values(), month__in=months, paid_rupees__isnull=False
        ).values_list("farmer_id", "month")
    )
    matched: dict[int, int] = {}
    for row in clean:
        farmer = farmers.get(row.member_id)
        if farmer is None:
            errors.append(
                RowError(row.row, "member_id", _("No dairy farmer is registered with this Member ID."))
            )
            continue
        spans = memberships.get(farmer, [])
        if not any(joined <= row.date and (left is None or row.date <= left) for joined, left in spans):
            errors.append(
                RowError(
                    row.row, "member_id", _("This farmer was not a member of this society on that date.")
                )
            )
            continue
        if not any(animal == row.animal and since <= row.date for animal, since in prices):
            errors.append(
                RowError(row.row, "animal", _("No support price is in force for this milk on that date."))
            )
            continue
        if (farmer, row.date.replace(day=1)) in paid:
            errors.append(
                RowError(row.row, "date", _("This farmer's month has already been paid; it cannot change."))
            )
            continue
        matched[row.row] = farmer
    if errors:
        errors.sort(key=lambda e: e.row)
        raise UploadRefused(
            422,
            _(
                "%(count)s rows have errors; nothing was recorded. "
                "Correct them and send the whole batch again."
            )
            % {"count": len({e.row for e in errors})},
            errors,
            "invalid_rows",
        )
    return clean, matched


@transaction.atomic
def post(society: Society, rows: list[Any], *, via: str, acting_user: User, from_text: bool) -> Posted:
    """Record a batch of rows for a society: all of them, or none (raises UploadRefused)."""
    society = Society.objects.select_for_update().get(pk=society.pk)
    clean, farmers = check_rows(society, rows, from_text=from_text)
    existing = {
        (farmer_id, day, shift, animal): (litres, fat, snf)
        for farmer_id, day, shift, animal, litres, fat, snf in Collection.objects.filter(
            society=society,
            farmer_id__in=set(farmers.values()),
            date__in={row.date for row in clean},
        ).values_list("farmer_id", "date", "shift", "animal", "litres_x100", "fat_x100", "snf_x100")
    }
    new: list[Clean] = []
    errors: list[RowError] = []
    unchanged = 0
    for row in clean:
        stored = existing.get((farmers[row.row], row.date, row.shift, row.animal))
        if stored is None:
            new.append(row)
        elif stored == (row.litres_x100, row.fat_x100, row.snf_x100):
            unchanged += 1
        else:
            errors.append(
                RowError(
                    row.row,
                    "row",
                    _(
                        "This farmer's milk for that date, shift and animal "
                        "is already recorded with other values."
                    ),
                )
            )
    if errors:
        raise UploadRefused(
            409,
            _("%(count)s rows contradict milk already recorded; nothing was recorded.")
            % {"count": len(errors)},
            errors,
            "conflicting_rows",
        )
    upload = Upload.objects.create(
        society=society, via=via, rows=len(clean), written=len(new), posted_by=acting_user
    )
    Collection.objects.bulk_create(
        [
            Collection(
                society=society,
                farmer_id=farmers[row.row],
                date=row.date,
                shift=row.shift,
                animal=row.animal,
                litres_x100=row.litres_x100,
                fat_x100=row.fat_x100,
                snf_x100=row.snf_x100,
                upload=upload,
            )
            for row in new
        ],
        batch_size=1000,
    )
    audit.record(
        acting_user,
        "milkfed.collections_posted",
        society,
        after={
            "society": society.code,
            "upload": upload.pk,
            "via": via,
            "rows": len(clean),
            "written": len(new),
            "litres": sum(row.litres_x100 for row in new) / 100,
        },
    )
    return Posted(upload=upload, written=len(new), unchanged=unchanged)
