"""The shape of a service definition, and its validation.

A definition is plain data (a dict read from YAML or JSON, or stored in a
``ServiceVersion``). ``validate`` checks every part against positive rules
and returns the definition normalised, or raises ``DefinitionError`` listing
every problem with its path (``form[2].prefill``), so that an administrator
importing a file sees all of them at once.

Parts of a definition::

    code, name_en, name_hi, description_en, description_hi, department,
    category, life_situations, keywords,
    designated_officer_role, time_limit_hours, time_limit_text,
    first_appeal {role, time_limit_hours}, second_appeal {role, time_limit_hours} | null,
    fee_rupees, documents [{code, name_en, name_hi, required}],
    eligibility_en, eligibility_hi,
    form [{name, type, label_en, label_hi, help_en, help_hi, required, prefill,
           choices [{value, label_en, label_hi}], max_length, min, max, pattern, when}],
    workflow [{stage, role, department, name_en, name_hi, actions [...]}],
    output {kind: certificate | none, title_en, title_hi, statement_en, statement_hi, validity_days},
    provenance {notified, product_defined [...], sources}
"""

from __future__ import annotations

import re
import string
from typing import Any

from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import Role

CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}-[0-9A-Z]{1,6}$")
SLUG = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
FIELD_TYPES = ("text", "textarea", "date", "number", "choice", "yes_no")
# When a date field's date lies: "past" (something happened: not in the future), "upcoming" (an
# appointment: from today to a year ahead), "any" (from 1900 to a year ahead; the default).
DATE_WHEN = ("past", "upcoming", "any")
# What an official can do at a stage. verify and forward move the application to the next stage.
ACTIONS = ("verify", "forward", "return", "approve", "reject")
OUTPUT_KINDS = ("certificate", "none")
DECIDING_ROLES = tuple(
    r.value for r in Role if r not in (Role.HELPLINE_AGENT, Role.LOK_MITRA_OPERATOR, Role.STATE_ADMIN)
)

# Where a form field can be filled from in the register: key -> label.
PREFILL_SOURCES: dict[str, Any] = {
    "member.name_en": _("Name (English)"),
    "member.name_hi": _("Name (Hindi)"),
    "member.father_or_husband_name": _("Father's / husband's name"),
    "member.father_name": _("Father's name"),
    "member.mother_name": _("Mother's name"),
    "member.date_of_birth": _("Date of birth"),
    "member.gender": _("Gender"),
    "member.social_category": _("Social category"),
    "member.marital_status": _("Marital status"),
    "member.occupation": _("Occupation"),
    "member.annual_income": _("Annual income"),
    "member.is_bpl": _("Below poverty line"),
    "member.disability_percent": _("Disability (%)"),
    "member.residency_basis": _("Residency basis"),
    "member.member_id": _("Member ID"),
    "family.family_id": _("Family ID"),
    "family.address_en": _("Address (English)"),
    "family.address_hi": _("Address (Hindi)"),
    "family.district": _("District"),
    "family.tehsil": _("Tehsil"),
    "family.pincode": _("Pincode"),
    "family.annual_income": _("Annual income of the family"),
}

# Facts every certificate statement may use besides the form's own fields.
STATEMENT_FACTS = ("certificate_no", "issued_on", "valid_until", "service_name_en", "service_name_hi")

LIFE_SITUATIONS: dict[str, Any] = {
    "birth_death": _("Birth or death in the family"),
    "marriage": _("Marriage"),
    "education_jobs": _("Admission, scholarship or a job"),
    "land_property": _("Land and property"),
    "farming_livestock": _("Farming and livestock"),
    "old_age_disability": _("Old age, widowhood or disability"),
    "home_utilities": _("Home, water and sewerage"),
    "identity_residence": _("Identity and residence"),
    "disaster_relief": _("Natural calamity"),
}


class DefinitionError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _text(
    problems: list[str], data: dict[str, Any], key: str, path: str, *, required: bool, limit: int
) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(f"{path}{key}: must be text")
        return ""
    value = value.strip()
    if required and not value:
        problems.append(f"{path}{key}: is required")
    if len(value) > limit:
        problems.append(f"{path}{key}: longer than {limit} characters")
    return value


def _int(
    problems: list[str], data: dict[str, Any], key: str, path: str, *, minimum: int, maximum: int
) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}{key}: must be a whole number")
        return minimum
    if not minimum <= value <= maximum:
        problems.append(f"{path}{key}: must be between {minimum} and {maximum}")
    return value


def _role(problems: list[str], value: Any, path: str) -> str:
    if value not in DECIDING_ROLES:
        problems.append(f"{path}: unknown role {value!r} (one of {', '.join(DECIDING_ROLES)})")
        return ""
    return str(value)


def _appeal(problems: list[str], value: Any, path: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(f"{path}: must be a mapping with role and time_limit_hours, or null")
        return None
    return {
        "role": _role(problems, value.get("role"), f"{path}.role"),
        "time_limit_hours": _int(
            problems, value, "time_limit_hours", f"{path}.", minimum=1, maximum=24 * 365
        ),
    }


def _list(problems: list[str], data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        problems.append(f"{key}: must be a list")
        return []
    return value


def _documents(problems: list[str], data: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, doc in enumerate(_list(problems, data, "documents")):
        path = f"documents[{i}]."
        if not isinstance(doc, dict):
            problems.append(f"{path[:-1]}: must be a mapping")
            continue
        code = doc.get("code")
        if not isinstance(code, str) or not SLUG.match(code):
            problems.append(f"{path}code: must be a lower-case slug")
        elif code in seen:
            problems.append(f"{path}code: {code!r} appears twice")
        seen.add(str(code))
        out.append(
            {
                "code": code,
                "name_en": _text(problems, doc, "name_en", path, required=True, limit=200),
                "name_hi": _text(problems, doc, "name_hi", path, required=True, limit=200),
                "required": bool(doc.get("required", False)),
            }
        )
    return out


def _field(problems: list[str], field: Any, i: int) -> dict[str, Any] | None:
    path = f"form[{i}]."
    if not isinstance(field, dict):
        problems.append(f"form[{i}]: must be a mapping")
        return None
    name = field.get("name")
    if not isinstance(name, str) or not SLUG.match(name):
        problems.append(f"{path}name: must be a lower-case slug")
    kind = field.get("type")
    if kind not in FIELD_TYPES:
        problems.append(f"{path}type: {kind!r} is not one of {', '.join(FIELD_TYPES)}")
    prefill = field.get("prefill") or ""
    if prefill and prefill not in PREFILL_SOURCES:
        problems.append(f"{path}prefill: unknown register source {prefill!r}")
    out: dict[str, Any] = {
        "name": name,
        "type": kind,
        "label_en": _text(problems, field, "label_en", path, required=True, limit=200),
        "label_hi": _text(problems, field, "label_hi", path, required=True, limit=200),
        "help_en": _text(problems, field, "help_en", path, required=False, limit=500),
        "help_hi": _text(problems, field, "help_hi", path, required=False, limit=500),
        "required": bool(field.get("required", True)),
        "prefill": prefill,
    }
    if kind == "choice":
        choices = field.get("choices")
        if not isinstance(choices, list) or not choices:
            problems.append(f"{path}choices: a choice field needs a list of choices")
            choices = []
        out["choices"] = []
        for j, choice in enumerate(choices):
            cpath = f"{path}choices[{j}]."
            if not isinstance(choice, dict) or not isinstance(choice.get("value"), str):
                problems.append(f"{cpath[:-1]}: needs value, label_en and label_hi")
                continue
            out["choices"].append(
                {
                    "value": choice["value"],
                    "label_en": _text(problems, choice, "label_en", cpath, required=True, limit=200),
                    "label_hi": _text(problems, choice, "label_hi", cpath, required=True, limit=200),
                }
            )
    if kind in ("text", "textarea"):
        out["max_length"] = (
            _int(problems, field, "max_length", path, minimum=1, maximum=4000)
            if "max_length" in field
            else 200
        )
        pattern = field.get("pattern") or ""
        if pattern:
            try:
                re.compile(pattern)
            except (re.error, TypeError):
                problems.append(f"{path}pattern: not a valid regular expression")
        out["pattern"] = pattern
    if kind == "date":
        when = field.get("when", "any")
        if when not in DATE_WHEN:
            problems.append(f"{path}when: {when!r} is not one of {', '.join(DATE_WHEN)}")
        out["when"] = when
    if kind == "number":
        out["min"] = (
            _int(problems, field, "min", path, minimum=-(10**12), maximum=10**12) if "min" in field else 0
        )
        out["max"] = (
            _int(problems, field, "max", path, minimum=-(10**12), maximum=10**12) if "max" in field else 10**9
        )
    return out


def _workflow(problems: list[str], data: dict[str, Any]) -> list[dict[str, Any]]:
    stages = _list(problems, data, "workflow")
    if not stages:
        problems.append("workflow: at least one stage is required")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, stage in enumerate(stages):
        path = f"workflow[{i}]."
        if not isinstance(stage, dict):
            problems.append(f"workflow[{i}]: must be a mapping")
            continue
        code = stage.get("stage")
        if not isinstance(code, str) or not SLUG.match(code):
            problems.append(f"{path}stage: must be a lower-case slug")
        elif code in seen:
            problems.append(f"{path}stage: {code!r} appears twice")
        seen.add(str(code))
        actions = stage.get("actions")
        if not isinstance(actions, list) or not actions or any(a not in ACTIONS for a in actions):
            problems.append(f"{path}actions: a non-empty list drawn from {', '.join(ACTIONS)}")
            actions = []
        last = i == len(stages) - 1
        if last and "approve" not in actions:
            problems.append(f"{path}actions: the last stage must allow approve")
        if not last and "approve" in actions:
            problems.append(f"{path}actions: only the last stage can approve")
        if last and ({"verify", "forward"} & set(actions)):
            problems.append(f"{path}actions: the last stage has no next stage to verify or forward to")
        if not last and not ({"verify", "forward"} & set(actions)):
            problems.append(f"{path}actions: a stage before the last must allow verify or forward")
        department = stage.get("department") or ""
        out.append(
            {
                "stage": code,
                "role": _role(problems, stage.get("role"), f"{path}role"),
                "department": department if isinstance(department, str) else "",
                "name_en": _text(problems, stage, "name_en", path, required=True, limit=120),
                "name_hi": _text(problems, stage, "name_hi", path, required=True, limit=120),
                "actions": list(actions),
            }
        )
    return out


def _output(problems: list[str], data: dict[str, Any], field_names: set[str]) -> dict[str, Any]:
    output = data.get("output") or {"kind": "none"}
    if not isinstance(output, dict) or output.get("kind") not in OUTPUT_KINDS:
        problems.append(f"output.kind: one of {', '.join(OUTPUT_KINDS)}")
        return {"kind": "none"}
    if output["kind"] == "none":
        return {"kind": "none"}
    path = "output."
    out = {
        "kind": "certificate",
        "title_en": _text(problems, output, "title_en", path, required=True, limit=200),
        "title_hi": _text(problems, output, "title_hi", path, required=True, limit=200),
        "statement_en": _text(problems, output, "statement_en", path, required=True, limit=2000),
        "statement_hi": _text(problems, output, "statement_hi", path, required=True, limit=2000),
        "validity_days": _int(problems, output, "validity_days", path, minimum=1, maximum=36500)
        if output.get("validity_days") is not None
        else None,
    }
    allowed = field_names | set(STATEMENT_FACTS)
    for key in ("statement_en", "statement_hi"):
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(str(out[key])) if name}
        except ValueError:
            problems.append(f"{path}{key}: unbalanced braces")
            continue
        for name in sorted(used - allowed):
            problems.append(f"{path}{key}: placeholder {{{name}}} is not a form field")
    return out


def validate(data: Any, *, department_codes: set[str] | None = None) -> dict[str, Any]:
    """The definition normalised, or ``DefinitionError`` with every problem found."""
    if not isinstance(data, dict):
        raise DefinitionError(["the definition must be a mapping (YAML or JSON object)"])
    problems: list[str] = []
    code = data.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        problems.append("code: like CERT-02 (capital letters, a dash, digits or letters)")
    department = data.get("department")
    if department_codes is not None and department not in department_codes:
        problems.append(f"department: unknown department code {department!r}")
    category = data.get("category")
    if not isinstance(category, str) or not SLUG.match(category):
        problems.append("category: must be a lower-case slug")
    situations = _list(problems, data, "life_situations")
    for situation in situations:
        if situation not in LIFE_SITUATIONS:
            problems.append(f"life_situations: unknown {situation!r} (one of {', '.join(LIFE_SITUATIONS)})")
    keywords = _list(problems, data, "keywords")
    if any(not isinstance(k, str) for k in keywords):
        problems.append("keywords: must be a list of text")
    fields = [f for i, raw in enumerate(_list(problems, data, "form")) if (f := _field(problems, raw, i))]
    names = [f["name"] for f in fields]
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(f"form: field {name!r} appears twice")
    online_url = data.get("online_url") or ""
    if online_url and (not isinstance(online_url, str) or not online_url.startswith("/")):
        problems.append("online_url: a path on this site, starting with /")
    if online_url and not data.get("workflow"):
        # Served by another part of Him Access (the register, for instance): no application here.
        workflow: list[dict[str, Any]] = []
        designated = ""
    else:
        workflow = _workflow(problems, data)
        designated = _role(problems, data.get("designated_officer_role"), "designated_officer_role")
    if workflow and designated and workflow[-1]["role"] != designated:
        problems.append("designated_officer_role: must be the role of the last workflow stage, who decides")
    result = {
        "code": code,
        "name_en": _text(problems, data, "name_en", "", required=True, limit=200),
        "name_hi": _text(problems, data, "name_hi", "", required=True, limit=200),
        "description_en": _text(problems, data, "description_en", "", required=False, limit=2000),
        "description_hi": _text(problems, data, "description_hi", "", required=False, limit=2000),
        "department": department,
        "category": category,
        "life_situations": situations,
        "keywords": [k for k in keywords if isinstance(k, str)],
        "designated_officer_role": designated,
        "time_limit_hours": _int(problems, data, "time_limit_hours", "", minimum=1, maximum=24 * 365)
        if workflow or data.get("time_limit_hours") is not None
        else None,
        "online_url": online_url,
        "time_limit_text": _text(problems, data, "time_limit_text", "", required=False, limit=300),
        "first_appeal": _appeal(problems, data.get("first_appeal"), "first_appeal"),
        "second_appeal": _appeal(problems, data.get("second_appeal"), "second_appeal"),
        "fee_rupees": _int(problems, data, "fee_rupees", "", minimum=0, maximum=1_000_000)
        if "fee_rupees" in data
        else 0,
        "documents": _documents(problems, data),
        "eligibility_en": _text(problems, data, "eligibility_en", "", required=False, limit=2000),
        "eligibility_hi": _text(problems, data, "eligibility_hi", "", required=False, limit=2000),
        "form": fields,
        "workflow": workflow,
        "output": _output(problems, data, set(names)),
        "provenance": data.get("provenance") if isinstance(data.get("provenance"), dict) else {},
    }
    if result["second_appeal"] and not result["first_appeal"]:
        problems.append("second_appeal: needs a first_appeal")
    if problems:
        raise DefinitionError(problems)
    return result
