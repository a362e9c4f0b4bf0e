"""The services that ship with the product: notified facts joined with product definitions.

``data/hp_services_catalog.csv`` gives each service's notified facts (names,
department, designated officer, time limit, appellate authorities, documents
and eligibility as notified); ``data/product_definitions.yaml`` gives what the
notification does not (forms, the documents as upload slots, workflows,
certificate texts). ``definitions()`` joins them into definitions that
``catalog.definitions.validate`` accepts; the data migration publishes them.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"
CATALOG_CSV = DATA / "hp_services_catalog.csv"
PSG_COUNTS_CSV = DATA / "hp_psg_notified_services_by_department_2015.csv"
PRODUCT_YAML = DATA / "product_definitions.yaml"


@cache
def _product() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PRODUCT_YAML.read_text(encoding="utf-8"))
    return loaded


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _form(spec: list[Any], product: dict[str, Any]) -> list[dict[str, Any]]:
    fields = []
    for item in _flatten(spec):
        if isinstance(item, str):
            fields.append({"name": item, **product["fields"][item]})
        else:
            fields.append(dict(item))
    return fields


def _documents(spec: list[dict[str, Any]], product: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"code": d["code"], **product["documents"][d["code"]], "required": d["required"]} for d in spec]


def department_code(name: str) -> str:
    code: str = _product()["departments"].get(name.strip(), "")
    return code


def _notified_role(text: str) -> str:
    role: str = _product()["roles"].get(text.strip(), "")
    return role


def _appeal(notified: str, default: dict[str, Any] | None) -> dict[str, Any] | None:
    role = _notified_role(notified) if notified else ""
    if role:
        hours = default["time_limit_hours"] if default else 720
        return {"role": role, "time_limit_hours": hours}
    return dict(default) if default else None


def definition_for(row: dict[str, str]) -> dict[str, Any]:
    """The definition of one service from its CSV row and its product definition."""
    product = _product()
    spec = product["services"][row["service_id"]]
    notified_fields = ["code", "name_en", "name_hi", "department", "category"]
    definition: dict[str, Any] = {
        "code": row["service_id"],
        "name_en": row["service_name_en"],
        "name_hi": row["service_name_hi"],
        "description_en": spec.get("description_en", ""),
        "description_hi": spec.get("description_hi", ""),
        "department": department_code(row["department"]),
        "category": row["category"],
        "life_situations": spec.get("life_situations", []),
        "keywords": spec.get("keywords", []),
        "time_limit_text": row["stipulated_time_text"],
        "eligibility_en": row["eligibility_notes"],
        "eligibility_hi": spec.get("eligibility_hi", ""),
        "fee_rupees": 0,
        "provenance": {
            "notified": row["status"],
            "sources": row["sources"],
            "notified_designated_officer": row["designated_officer"],
            "notified_documents": row["required_documents"],
        },
    }
    if spec.get("online_url"):
        definition["online_url"] = spec["online_url"]
        definition["provenance"]["product_defined"] = ["online_url", "description", "keywords"]
        return definition
    workflow = [dict(stage) for stage in product["workflows"][spec["workflow"]]]
    if spec.get("department_for_stage"):
        for stage in workflow:
            if stage["role"] == "department_officer":
                stage["department"] = spec["department_for_stage"]
    product_defined = [
        "form",
        "documents",
        "workflow",
        "output",
        "description",
        "keywords",
        "life_situations",
    ]
    hours_text = row["stipulated_time_hours_approx"].strip()
    if hours_text:
        definition["time_limit_hours"] = int(hours_text)
        notified_fields.append("time_limit_hours")
    else:
        definition["time_limit_hours"] = int(spec["time_limit_hours"])
        product_defined.append("time_limit_hours")
    appeals = product["appeals"][spec["appeals"]]
    definition["first_appeal"] = _appeal(row["first_appellate_authority"], appeals["first"])
    definition["second_appeal"] = _appeal(row["second_appellate_authority"], appeals.get("second"))
    if row["first_appellate_authority"] and _notified_role(row["first_appellate_authority"]):
        notified_fields.append("first_appeal.role")
    else:
        product_defined.append("first_appeal")
    product_defined.append("appeal time limits")
    definition.update(
        {
            "designated_officer_role": workflow[-1]["role"],
            "workflow": workflow,
            "form": _form(spec.get("form", []), product),
            "documents": _documents(spec.get("documents", []), product),
            "output": spec.get("output", {"kind": "none"}),
        }
    )
    definition["provenance"].update({"notified_fields": notified_fields, "product_defined": product_defined})
    return definition


def catalogue_rows() -> list[dict[str, str]]:
    with CATALOG_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def definitions() -> list[dict[str, Any]]:
    return [definition_for(row) for row in catalogue_rows()]


@cache
def psg_notified_counts() -> list[tuple[str, str, int]]:
    """(department name in the list, department code or "", services notified) from the 2015 PSG list."""
    with PSG_COUNTS_CSV.open(encoding="utf-8", newline="") as handle:
        return [
            (row["department"], department_code(row["department"]), int(row["notified_services_count"]))
            for row in csv.DictReader(handle)
        ]
