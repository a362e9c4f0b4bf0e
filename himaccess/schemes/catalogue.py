"""The shipped schemes: ``data/rules.yaml`` joined to ``data/hp_social_security_schemes.yaml``.

Loading is idempotent: a scheme that exists keeps its versions (an
administrator may have published newer ones); a missing scheme is created
with version 1 published. Every rule and band is validated first, so a bad
file fails the load before anything is written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import transaction

from himaccess.schemes import vocabulary

DATA = Path(__file__).resolve().parent / "data"


def read() -> list[dict[str, Any]]:
    """Every shipped scheme as the fields of a Scheme and its first RuleVersion."""
    facts = yaml.safe_load((DATA / "hp_social_security_schemes.yaml").read_text(encoding="utf-8"))
    encoded = yaml.safe_load((DATA / "rules.yaml").read_text(encoding="utf-8"))
    by_id = {scheme["id"]: scheme for scheme in facts["schemes"]}
    urls = facts["sources"]
    found = []
    for scheme_id, spec in encoded.items():
        source = by_id[scheme_id]
        vocabulary.validate(spec["rule"])
        for band in spec["bands"]:
            vocabulary.validate(band["when"])
        found.append(
            {
                "scheme_id": scheme_id,
                "name_en": source["name_en"],
                "name_hi": source.get("name_hi") or spec.get("name_hi", source["name_en"]),
                "department_id": spec["department"],
                "payment": spec["payment"],
                "is_social_security_pension": spec.get("pension", True),
                "one_per_family": spec.get("one_per_family", False),
                "version": {
                    "effective_from": date.fromisoformat(spec["effective_from"]),
                    "rule": spec["rule"],
                    "bands": spec["bands"],
                    "choice_note_en": " ".join(spec["choice_en"].split()),
                    "choice_note_hi": " ".join(spec["choice_hi"].split()),
                    "sources": [{"key": key, "url": urls[key]} for key in spec["sources"]],
                },
            }
        )
    return found


@transaction.atomic
def load_schemes(apps: Apps | None = None) -> int:
    registry = apps or global_apps
    Scheme = registry.get_model("schemes", "Scheme")
    RuleVersion = registry.get_model("schemes", "RuleVersion")
    created = 0
    for entry in read():
        version = entry.pop("version")
        scheme, made = Scheme.objects.get_or_create(scheme_id=entry["scheme_id"], defaults=entry)
        if made:
            RuleVersion.objects.create(scheme=scheme, number=1, status="published", **version)
            created += 1
    return created
