"""The shipped procurement terms (data/procurement_terms.yaml), the procurement scheme and the SMS texts.

Called by a data migration with the migration state's ``apps``. A terms row
already present for a crop and date is left as it is: weighments point at it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.apps.registry import Apps

from himaccess.natural_farming.sms_templates import TEMPLATES

TERMS = Path(__file__).resolve().parent / "data" / "procurement_terms.yaml"
SCHEME = {
    "scheme_id": "pk3y-procurement",
    "name_en": "Prakritik Kheti Khushhal Kisan Yojana: procurement of natural produce",
    "name_hi": "प्राकृतिक खेती खुशहाल किसान योजना: प्राकृतिक उपज की खरीद",
    "department_id": "agriculture",
    "payment": "one_time",
    "is_social_security_pension": False,
    # Farmers are enrolled by certification, not by an offer they accept.
    "active": False,
}


def shipped_terms() -> list[dict[str, Any]]:
    with TERMS.open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = yaml.safe_load(handle)
    return rows


def load(apps: Apps) -> None:
    terms = apps.get_model("natural_farming", "ProcurementTerms")
    for row in shipped_terms():
        cap = row["cap_kg_per_season"]
        terms.objects.get_or_create(
            crop=row["crop"],
            valid_from=row["valid_from"],
            defaults={
                "price_per_kg": Decimal(row["price_per_kg"]),
                "freight_subsidy_per_kg": Decimal(row["freight_subsidy_per_kg"]),
                "cap_kg_per_season": None if cap is None else Decimal(cap),
                "source": row["source"],
            },
        )
    scheme = apps.get_model("schemes", "Scheme")
    scheme.objects.get_or_create(scheme_id=SCHEME["scheme_id"], defaults=SCHEME)
    template = apps.get_model("notifications", "SmsTemplate")
    for key, description, text_en, text_hi in TEMPLATES:
        template.objects.update_or_create(
            key=key, defaults={"description": description, "text_en": text_en, "text_hi": text_hi}
        )
