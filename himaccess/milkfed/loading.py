"""Milkfed's shipped data: the rates of ``data/rates.csv``, the milk payment scheme and the SMS texts.

Idempotent: a rate already there for its animal and date is left as Milkfed
may have corrected it; the scheme and templates are made when missing.
``apps`` is the migration state's registry when called from a migration.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps

from himaccess.milkfed.models import MILK_SCHEME_ID

DATA = Path(__file__).resolve().parent / "data" / "rates.csv"


def load(apps: Apps | None = None) -> int:
    registry: Any = apps or global_apps
    price = registry.get_model("milkfed", "PriceRate")
    quality = registry.get_model("milkfed", "QualityRule")
    subsidy = registry.get_model("milkfed", "SubsidyRate")
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        common = {"source": row["source"], "is_assumption": row["is_assumption"] == "1"}
        valid_from = date.fromisoformat(row["valid_from"])
        if row["kind"] == "price":
            price.objects.get_or_create(
                animal=row["animal"],
                valid_from=valid_from,
                defaults={**common, "paise_per_litre": int(row["paise_per_litre"])},
            )
        elif row["kind"] == "subsidy":
            subsidy.objects.get_or_create(
                valid_from=valid_from, defaults={**common, "paise_per_litre": int(row["paise_per_litre"])}
            )
        else:
            quality.objects.get_or_create(
                animal=row["animal"],
                valid_from=valid_from,
                defaults={
                    **common,
                    "standard_fat": int(row["standard_fat"]),
                    "standard_snf": int(row["standard_snf"]),
                    "fat_paise_per_step": int(row["fat_paise_per_step"]),
                    "snf_paise_per_step": int(row["snf_paise_per_step"]),
                },
            )
    scheme = registry.get_model("schemes", "Scheme")
    department = registry.get_model("departments", "Department")
    if department.objects.filter(pk="milkfed").exists():
        scheme.objects.get_or_create(
            scheme_id=MILK_SCHEME_ID,
            defaults={
                "name_en": "Milk support price payment (Milkfed)",
                "name_hi": "दूध न्यूनतम समर्थन मूल्य भुगतान (मिल्कफ़ेड)",
                "department_id": "milkfed",
                "payment": "monthly",
                "is_social_security_pension": False,
                "one_per_family": False,
                # Enrolment is by registering as a dairy farmer, never by the schemes' offers.
                "active": False,
            },
        )
    from himaccess.milkfed.sms_templates import TEMPLATES

    template = registry.get_model("notifications", "SmsTemplate")
    for key, description, text_en, text_hi in TEMPLATES:
        template.objects.get_or_create(
            key=key, defaults={"description": description, "text_en": text_en, "text_hi": text_hi}
        )
    return len(rows)
