"""What the register already knows, for a form's prefilled fields.

``register_values(member, sources)`` reads the register once and returns, for
every prefill source asked for (``catalog.definitions.PREFILL_SOURCES``; all of
them when ``sources`` is None), the value and where and when it entered the
register (the latest ``RegisterChange`` of that field), so the citizen sees
"from the register, recorded by the Panchayat secretary on 12-03-2024" next to
it. Values that need another read (relatives' names, the family's income) are
read only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Sum

from himaccess.registry.models import Family, Gender, MaritalStatus, Member, RegisterChange, Source

# The register field each source reads, for finding its history.
_FIELDS = {
    "member.name_en": ("member", "name_en"),
    "member.name_hi": ("member", "name_hi"),
    "member.father_or_husband_name": ("member", "father"),
    "member.father_name": ("member", "father"),
    "member.mother_name": ("member", "mother"),
    "member.date_of_birth": ("member", "date_of_birth"),
    "member.gender": ("member", "gender"),
    "member.social_category": ("member", "social_category"),
    "member.marital_status": ("member", "marital_status"),
    "member.occupation": ("member", "occupation"),
    "member.annual_income": ("member", "annual_income"),
    "member.is_bpl": ("member", "is_bpl"),
    "member.disability_percent": ("member", "disability_percent"),
    "member.residency_basis": ("member", "residency_basis"),
    "family.address_en": ("family", "village"),
    "family.address_hi": ("family", "village"),
    "family.district": ("family", "district"),
    "family.tehsil": ("family", "tehsil"),
    "family.pincode": ("family", "pincode"),
}


@dataclass(frozen=True)
class RegisterValue:
    value: Any
    source: str  # registry Source value ("panchayat", "ekyc", ...) or "" when unknown
    at: datetime | None

    def as_json(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"value": value, "from": self.source, "at": self.at.isoformat() if self.at else ""}


def address(family: Family, language: str) -> str:
    parts = [
        family.house,
        family.village.name_in(language) if family.village else "",
        family.panchayat.name_in(language) if family.panchayat else "",
        family.urban_body.name_in(language) if family.urban_body else "",
        family.tehsil.name_in(language),
        family.district.name_in(language),
    ]
    text = ", ".join(p for p in parts if p)
    return f"{text} - {family.pincode}" if family.pincode else text


def _relative_names(member: Member, sources: set[str]) -> dict[str, str]:
    """Father's, mother's and spouse's English names, in one query and only when a source needs them."""
    if not sources & _RELATIVE_SOURCES:
        return {}
    ids: dict[str, int | None] = {
        "father": member.father_id,
        "mother": member.mother_id,
        "spouse": member.spouse_id,
    }
    wanted = {pk for pk in ids.values() if pk is not None}
    names = dict(Member.objects.filter(pk__in=wanted).values_list("pk", "name_en")) if wanted else {}
    return {relation: names.get(pk, "") if pk is not None else "" for relation, pk in ids.items()}


def _relative_name(member: Member, relatives: dict[str, str]) -> str:
    # A married or widowed woman is known on certificates by her husband's name, others by the father's.
    if (
        member.gender == Gender.FEMALE
        and member.marital_status != MaritalStatus.NEVER_MARRIED
        and relatives.get("spouse")
    ):
        return relatives["spouse"]
    return relatives.get("father", "")


def _family_income(family: Family) -> Any:
    living = family.members.filter(life_status=Member.LifeStatus.LIVING)
    return living.aggregate(total=Sum("annual_income"))["total"] or 0


# Sources whose value needs another read (relatives' names, the family's income): made only when asked for.
_RELATIVE_SOURCES = frozenset({"member.father_or_husband_name", "member.father_name", "member.mother_name"})


def _values(member: Member, sources: set[str] | None) -> dict[str, Any]:
    family = member.family
    every = sources is None
    wanted = sources or set()
    relatives = _relative_names(member, set(_RELATIVE_SOURCES) if every else wanted)
    values: dict[str, Any] = {
        "member.name_en": member.name_en,
        "member.name_hi": member.name_hi,
        "member.date_of_birth": member.date_of_birth,
        "member.gender": member.gender,
        "member.social_category": member.social_category,
        "member.marital_status": member.marital_status,
        "member.occupation": member.occupation,
        "member.annual_income": member.annual_income,
        "member.is_bpl": member.is_bpl,
        "member.disability_percent": member.disability_percent,
        "member.residency_basis": member.residency_basis,
        "member.member_id": member.member_id,
        "family.family_id": family.family_id,
        "family.pincode": family.pincode,
    }
    if relatives:
        values["member.father_or_husband_name"] = _relative_name(member, relatives)
        values["member.father_name"] = relatives["father"]
        values["member.mother_name"] = relatives["mother"]
    if every or wanted & {"family.address_en", "family.address_hi", "family.district", "family.tehsil"}:
        values["family.address_en"] = address(family, "en")
        values["family.address_hi"] = address(family, "hi")
        values["family.district"] = family.district.name_en
        values["family.tehsil"] = family.tehsil.name_en
    if every or "family.annual_income" in wanted:
        values["family.annual_income"] = _family_income(family)
    return values


def register_values(member: Member, sources: set[str] | None = None) -> dict[str, RegisterValue]:
    """The register's value of each source (only those asked for), with where and when it was recorded."""
    values = _values(member, sources)
    wanted = sources if sources is not None else set(values)
    history: dict[tuple[str, str], tuple[str, datetime]] = {}
    fields = {_FIELDS[s] for s in wanted if s in _FIELDS}
    if fields:
        changes = (
            RegisterChange.objects.filter(family_id=member.family_id)
            .filter(field__in={f for _, f in fields} | {f"{f}_id" for _, f in fields})
            .order_by("-at", "-id")
            .values_list("member_id", "field", "source", "at")
        )
        for member_id, field, source, at in changes:
            owner = "member" if member_id == member.pk else "family" if member_id is None else ""
            key = (owner, field.removesuffix("_id"))
            if owner and key not in history:
                history[key] = (source, at)
    out = {}
    for source_key in wanted:
        if source_key not in values:
            continue
        origin = history.get(_FIELDS.get(source_key, ("", "")))
        out[source_key] = RegisterValue(
            values[source_key], origin[0] if origin else "", origin[1] if origin else None
        )
    return out


def source_label(source: str) -> str:
    return str(Source(source).label) if source in Source.values else ""
