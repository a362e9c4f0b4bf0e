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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Sum

from himaccess.geography.models import Named, Village
from himaccess.lib import transliteration
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


def _places(family: Family) -> list[Named]:
    """The family's places, from the smallest: village, panchayat or urban body, tehsil, district."""
    found = [family.village, family.panchayat, family.urban_body, family.tehsil, family.district]
    return [place for place in found if place is not None]


def _each_once(parts: Iterable[str]) -> list[str]:
    # A panchayat is often named after its main village and a tehsil after its district: an address
    # that says "Bhiuli, Bhiuli" or "Mandi, Mandi" reads as a mistake, so each name is said once.
    kept: list[str] = []
    for part in parts:
        if part and _name_key(part) not in {_name_key(k) for k in kept}:
            kept.append(part)
    return kept


def address(family: Family, language: str) -> str:
    parts = [family.house, *(place.name_in(language) for place in _places(family))]
    text = ", ".join(_each_once(parts))
    return f"{text} - {family.pincode}" if family.pincode else text


def places_once(text: str) -> str:
    """An address as written on an application, with each place named once (see ``address``)."""
    body, dash, pincode = text.rpartition(" - ")
    if not dash or not pincode.strip().isdigit():
        body, pincode = text, ""
    joined = ", ".join(_each_once(part.strip() for part in body.split(",")))
    return f"{joined} - {pincode.strip()}" if pincode else joined


def names_place(text: str, place: str) -> bool:
    """Whether an address already names the place (a village typed again as the mauza)."""
    body = text.rpartition(" - ")[0] or text
    return bool(place.strip()) and _name_key(place) in {_name_key(part) for part in body.split(",")}


def _name_key(name: str) -> str:
    # How two spellings of one name are compared: case, dots and spacing aside.
    return " ".join(name.replace(".", " ").casefold().split())


def _is_devanagari(text: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in text)


def place_in_hindi(family: Family, name: str) -> str:
    """A place the applicant typed (a mauza) in Devanagari: the Hindi name the register has for it.

    The family's own places are tried first, then the villages of its tehsil
    and district; a place the register does not know is transliterated.
    """
    if _is_devanagari(name) or not name.strip():
        return name
    key = _name_key(name)
    for place in _places(family):
        if _name_key(place.name_en) == key and place.name_hi:
            return place.name_hi
    villages = Village.objects.filter(district_id=family.district_id, name_en__iexact=name.strip())
    village = villages.filter(tehsil_id=family.tehsil_id).first() or villages.first()
    if village is not None and village.name_hi:
        return village.name_hi
    return transliteration.to_devanagari(name.strip())


# Titles written before a name, and how a Hindi certificate writes them.
_TITLES_HI = {
    "late": "स्वर्गीय",
    "lt": "स्वर्गीय",
    "shri": "श्री",
    "sh": "श्री",
    "sri": "श्री",
    "smt": "श्रीमती",
    "dr": "डॉ.",
}


@dataclass(frozen=True)
class Relative:
    """Whom a certificate names as the applicant's father or husband, in both scripts."""

    name_en: str
    name_hi: str
    is_spouse: bool  # named as husband or wife, not as a parent


def certificate_relative(member: Member, name: str) -> Relative:
    """The person behind the "father's / husband's name" an application gives, as the register knows them.

    1. A title ("Late", "Shri", ...) is set aside and written in Hindi before the Hindi name.
    2. The rest is compared with the member's father, mother and spouse in the
       register: a match gives that person's names and whether the spouse is meant.
    3. A name the register does not know is transliterated into the other script;
       it is taken as the husband's for a woman who has married, else as a parent's
       (the rule that prefills the field).
    """
    words = name.split()
    title = words[0] if len(words) > 1 and _name_key(words[0]) in _TITLES_HI else ""
    bare = " ".join(words[1:] if title else words)
    title_hi = _TITLES_HI[_name_key(title)] if title else ""
    relatives = [(member.father_id, False), (member.mother_id, False), (member.spouse_id, True)]
    known = {pk: spouse for pk, spouse in relatives if pk is not None}
    for person in Member.objects.filter(pk__in=known):
        if _name_key(bare) in {_name_key(person.name_en), _name_key(person.name_hi)}:
            return Relative(
                name_en=" ".join(w for w in (title, person.name_en) if w),
                name_hi=" ".join(w for w in (title_hi, person.name_hi) if w),
                is_spouse=known[person.pk],
            )
    if _is_devanagari(bare):
        name_en, name_hi = transliteration.to_latin(bare), bare
    else:
        name_en, name_hi = bare, transliteration.to_devanagari(bare)
    return Relative(
        name_en=" ".join(w for w in (title, name_en) if w),
        name_hi=" ".join(w for w in (title_hi, name_hi) if w),
        is_spouse=_known_by_husband(member),
    )


def _known_by_husband(member: Member) -> bool:
    # A woman who has married (widows and divorcees too) is known on certificates by her husband's name.
    return member.gender == Gender.FEMALE and member.marital_status != MaritalStatus.NEVER_MARRIED


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
    if _known_by_husband(member) and relatives.get("spouse"):
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
