"""Publishing and exporting service definitions."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.catalog import definitions, search
from himaccess.catalog.models import Service, ServiceVersion
from himaccess.departments.models import Department


def parse_file(content: bytes, filename: str = "") -> Any:
    """The data in an uploaded definition file (JSON, or YAML read with safe_load)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise definitions.DefinitionError(["the file is not UTF-8 text"]) from exc
    try:
        if filename.lower().endswith(".json") or text.lstrip().startswith("{"):
            return json.loads(text)
        return yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise definitions.DefinitionError([f"the file cannot be read: {exc}"]) from exc


@transaction.atomic
def publish(data: Any, *, acting_user: User | None, note: str = "") -> ServiceVersion:
    """Validate a definition and publish it as the service's next version.

    A definition equal to the current one publishes nothing and returns the current version.
    """
    department_codes = set(Department.objects.values_list("code", flat=True))
    definition = definitions.validate(data, department_codes=department_codes)
    department = Department.objects.get(code=definition["department"])
    service, _created = Service.objects.select_for_update().get_or_create(
        code=definition["code"],
        defaults={
            "name_en": definition["name_en"],
            "name_hi": definition["name_hi"],
            "department": department,
            "category": definition["category"],
        },
    )
    current = service.current_version
    if current is not None and current.definition == definition:
        return current
    number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ServiceVersion.objects.create(
        service=service, number=number, definition=definition, note=note[:200], published_by=acting_user
    )
    service.name_en = definition["name_en"]
    service.name_hi = definition["name_hi"]
    service.department = department
    service.category = definition["category"]
    service.life_situations = definition["life_situations"]
    service.search_keys = search.search_keys(definition, (department.name_en, department.name_hi))
    service.current_version = version
    service.save()
    audit.record(
        acting_user,
        "catalog.service_published",
        service,
        after={"code": service.code, "version": number, "note": note},
        source="admin" if acting_user else "shipped",
    )
    return version


def export(version: ServiceVersion, fmt: str = "yaml") -> str:
    """The definition as a file an administrator can edit and import again."""
    if fmt == "json":
        return json.dumps(version.definition, ensure_ascii=False, indent=2)
    return yaml.safe_dump(version.definition, allow_unicode=True, sort_keys=False, width=100)
