"""Loading the reference geography shipped in ``data/`` into the database.

``load_reference_geography`` is idempotent: every row is keyed by its LGD code
(post offices by name and pincode, stand-in villages by district and name), so
a second run updates names in place and creates nothing twice. It runs in one
transaction with bulk statements: a fresh database is filled in under a
second, transliteration included (``bench/geography_load.py``).
"""

from __future__ import annotations

import csv
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import models, transaction

from himaccess.geography import places
from himaccess.geography.models import Block, District, PostOffice, Tehsil, UrbanBody, Village
from himaccess.lib.transliteration import to_devanagari

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"

# LGD's words for urban local bodies, mapped to how Himachal names them.
ULB_KINDS = {
    "Municipal Corporation": UrbanBody.Kind.MUNICIPAL_CORPORATION,
    "Municipality": UrbanBody.Kind.MUNICIPAL_COUNCIL,
    "Municipal Council": UrbanBody.Kind.MUNICIPAL_COUNCIL,
    "Town Panchayat": UrbanBody.Kind.NAGAR_PANCHAYAT,
}

# The Department of Posts spells districts its own way, in capitals. Each
# spelling seen (or plausible) is mapped to the LGD district code by hand
# rather than by fuzzy matching, so a new spelling fails loudly in the counts.
POST_OFFICE_DISTRICTS = {
    "BILASPUR": 15,
    "CHAMBA": 16,
    "HAMIRPUR": 17,
    "KANGRA": 18,
    "KINNAUR": 19,
    "KULLU": 20,
    "KULU": 20,
    "LAHUL AND SPITI": 21,
    "LAHUL & SPITI": 21,
    "LAHAUL AND SPITI": 21,
    "LAHAUL & SPITI": 21,
    "MANDI": 22,
    "SHIMLA": 23,
    "SIRMAUR": 24,
    "SIRMOUR": 24,
    "SOLAN": 25,
    "UNA": 26,
}

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_SMALL_WORDS = frozenset({"and", "of", "ki", "ka", "ke"})
# " BO", " SO", " HO", " B.O.", "GPO", "RSBO" and whatever follows them
# ("Kalol SO Bilaspur HP"), or a suffix glued to the name ("BaragBO").
_OFFICE_SUFFIX = re.compile(r"(?:\s+(?:RS)?|(?<=[a-z]))(?:B\.?O\.?|S\.?O\.?|H\.?O\.?|GPO)(?=\s|$).*$")


def title_case(name: str) -> str:
    """``BILASPUR SADAR`` -> ``Bilaspur Sadar``; ``Shimla ( Rural )`` -> ``Shimla (Rural)``.

    Words in capitals are lowered after their first letter; words already in
    mixed case keep it (``McLeod Ganj``) and only gain a capital initial.
    """
    name = " ".join(name.split())
    name = re.sub(r"\(\s*", "(", name)
    name = re.sub(r"\s*\)", ")", name)
    words = []
    for index, word in enumerate(name.split(" ")):
        if index and word.lower() in _SMALL_WORDS:
            words.append(word.lower())
            continue
        parts = re.split(r"([^A-Za-z]+)", word)
        words.append("".join(_capitalise(part) for part in parts))
    return " ".join(words)


def _capitalise(part: str) -> str:
    if not part or not part[0].isalpha():
        return part
    if part.isupper() or part.islower():
        return part[0].upper() + part[1:].lower()
    return part[0].upper() + part[1:]


def locality_name(office_name: str) -> str:
    """The place a post office is named after: ``Bamta BO`` -> ``Bamta``."""
    name = " ".join(office_name.split())
    name = _OFFICE_SUFFIX.sub("", name).strip() or name
    return title_case(name) if name.isupper() or name.islower() else name[0].upper() + name[1:]


def is_devanagari(text: str) -> bool:
    return bool(_DEVANAGARI.search(text))


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {key.strip(): (value or "").strip() for key, value in row.items() if key}


def _upsert_by_pk(model: type[models.Model], objects: list[Any], fields: list[str]) -> int:
    model._default_manager.bulk_create(
        objects, update_conflicts=True, unique_fields=["lgd_code"], update_fields=fields, batch_size=500
    )
    return len(objects)


@transaction.atomic
def load_reference_geography(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Create or update the whole reference geography; return how many rows of each kind.

    1. Districts with their Hindi names, Census 2011 codes and populations.
    2. Tehsils (LGD sub-districts) and blocks, names title-cased, Hindi transliterated.
    3. Urban local bodies, placed in a district and tehsil by LGD's coverage file.
    4. Post offices, placed by the district the Department of Posts gives
       (or, when it gives none, by the only district their pincode serves).
    5. One stand-in village per distinct locality name in each district, unless
       LGD villages have already been imported for that district.
    """
    hindi = to_devanagari
    counts: dict[str, int] = {}

    districts = _load_districts(data_dir)
    counts["districts"] = _upsert_by_pk(
        District, districts, ["name_en", "name_hi", "census2011_code", "population_2011"]
    )
    district_codes = {d.lgd_code for d in districts}

    tehsils = [
        Tehsil(
            lgd_code=int(row["subdistrict_lgd_code"]),
            district_id=int(row["district_lgd_code"]),
            name_en=title_case(row["subdistrict_name_en"]),
            name_hi=hindi(title_case(row["subdistrict_name_en"])),
        )
        for row in _read(data_dir / "hp_lgd_subdistricts_tehsils.csv")
        if int(row["district_lgd_code"]) in district_codes
    ]
    counts["tehsils"] = _upsert_by_pk(Tehsil, tehsils, ["name_en", "name_hi", "district"])

    blocks = [
        Block(
            lgd_code=int(row["block_lgd_code"]),
            district_id=int(row["district_lgd_code"]),
            name_en=title_case(row["block_name_en"]),
            name_hi=hindi(title_case(row["block_name_en"])),
        )
        for row in _read(data_dir / "hp_lgd_blocks.csv")
        if int(row["district_lgd_code"]) in district_codes
    ]
    counts["blocks"] = _upsert_by_pk(Block, blocks, ["name_en", "name_hi", "district"])

    offices = list(_read(data_dir / "hp_post_offices_pincodes.csv"))
    urban_bodies, placed_by_name = _urban_bodies(data_dir, tehsils, offices, hindi)
    counts["urban_bodies"] = _upsert_by_pk(
        UrbanBody, urban_bodies, ["name_en", "name_hi", "district", "tehsil", "kind"]
    )
    counts["urban_bodies_placed_by_name"] = placed_by_name

    office_counts = _load_post_offices(offices)
    counts.update(office_counts)
    counts["villages"] = _load_stand_in_villages(hindi)
    # Written in bulk, which sends no signal: this process reads the places afresh.
    places.forget()
    log.info("reference geography loaded: %s", counts)
    return counts


def _load_districts(data_dir: Path) -> list[District]:
    population = {
        int(row["district_lgd_code"]): int(row["population_2011"])
        for row in _read(data_dir / "hp_census2011_district_population.csv")
    }
    return [
        District(
            lgd_code=int(row["district_lgd_code"]),
            name_en=title_case(row["district_name_en"]),
            name_hi=row["district_name_hi"],
            census2011_code=row["census2011_code"],
            population_2011=population.get(int(row["district_lgd_code"]), 0),
        )
        for row in _read(data_dir / "hp_lgd_districts.csv")
        if row["state_lgd_code"] == "2"
    ]


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _urban_bodies(
    data_dir: Path, tehsils: list[Tehsil], offices: list[dict[str, str]], hindi: Callable[[str], str]
) -> tuple[list[UrbanBody], int]:
    """Urban bodies with their district and tehsil, and how many were placed by name alone.

    The coverage file lists, for each ULB, the sub-districts of the census
    towns and wards it covers. The district is the one it names; the tehsil is
    the one named like the ULB (``Shimla`` -> ``Shimla (Urban)``) if any, else
    the one it lists most often, or, when it lists none, the tehsil of the
    same name in that district if there is one. A ULB missing from the coverage file is
    placed in the district of the tehsil, or failing that of the post offices,
    that bear its name; it is left out (and logged) only if neither exists.
    """
    coverage_district: dict[int, int] = {}
    coverage_tehsils: dict[int, Counter[int]] = defaultdict(Counter)
    for row in _read(data_dir / "hp_lgd_ulb_coverage.csv"):
        code = int(row["ulb_lgd_code"])
        coverage_district[code] = int(row["district_lgd_code"])
        if row["subdistrict_lgd_code"]:
            coverage_tehsils[code][int(row["subdistrict_lgd_code"])] += 1

    tehsil_by_code = {t.lgd_code: t for t in tehsils}
    tehsils_by_key: dict[str, list[Tehsil]] = defaultdict(list)
    for each in tehsils:
        tehsils_by_key[_key(each.name_en)].append(each)
    office_districts: dict[str, set[int]] = defaultdict(set)
    for office in offices:
        office_district = POST_OFFICE_DISTRICTS.get(office["district"].upper())
        if office_district:
            office_districts[_key(locality_name(office["officename"]))].add(office_district)

    bodies: list[UrbanBody] = []
    placed_by_name = 0
    for row in _read(data_dir / "hp_lgd_urban_local_bodies.csv"):
        code = int(row["ulb_lgd_code"])
        name = title_case(row["ulb_name_en"])
        key = _key(name)
        tehsil: Tehsil | None = None
        district = coverage_district.get(code)
        if district is None:
            named_tehsils = tehsils_by_key.get(key, [])
            named_offices = office_districts.get(key, set())
            if len({t.district_id for t in named_tehsils}) == 1:
                tehsil = named_tehsils[0]
                district = tehsil.district_id
            elif len(named_offices) == 1:
                district = next(iter(named_offices))
            else:
                log.warning("urban body %s (%s) has no district in the data; left out", code, name)
                continue
            placed_by_name += 1
        else:
            candidates = coverage_tehsils.get(code, Counter())
            named = [
                c
                for c in candidates
                if c in tehsil_by_code and _key(tehsil_by_code[c].name_en) in {key, key + "urban"}
            ]
            chosen = named[0] if named else (candidates.most_common(1)[0][0] if candidates else None)
            tehsil = tehsil_by_code.get(chosen) if chosen is not None else None
            if tehsil is None:
                same_name = [t for t in tehsils_by_key.get(key, []) if t.district_id == district]
                tehsil = same_name[0] if len(same_name) == 1 else None
        local = row["ulb_name_local"]
        bodies.append(
            UrbanBody(
                lgd_code=code,
                district_id=district,
                tehsil=tehsil,
                kind=ULB_KINDS[row["ulb_type"]],
                name_en=name,
                name_hi=local if is_devanagari(local) else hindi(name),
            )
        )
    return bodies, placed_by_name


def _coordinate(value: str) -> Decimal | None:
    try:
        return Decimal(value).quantize(Decimal("0.000001")) if value else None
    except InvalidOperation:
        return None


def _load_post_offices(offices: list[dict[str, str]]) -> dict[str, int]:
    """Upsert post offices keyed by (name, pincode); count those placed by pincode and skipped."""
    pincode_districts: dict[str, set[int]] = defaultdict(set)
    for office in offices:
        code = POST_OFFICE_DISTRICTS.get(office["district"].upper())
        if code:
            pincode_districts[office["pincode"]].add(code)

    wanted: dict[tuple[str, str], PostOffice] = {}
    by_pincode = skipped = 0
    for office in offices:
        district = POST_OFFICE_DISTRICTS.get(office["district"].upper())
        if district is None:
            served = pincode_districts.get(office["pincode"], set())
            if len(served) != 1:
                skipped += 1
                log.warning("post office %s has no usable district; skipped", office["officename"])
                continue
            district = next(iter(served))
            by_pincode += 1
        name = " ".join(office["officename"].split())
        wanted[(name, office["pincode"])] = PostOffice(
            name=name,
            pincode=office["pincode"],
            office_type=office["officetype"],
            district_id=district,
            latitude=_coordinate(office["latitude"]),
            longitude=_coordinate(office["longitude"]),
        )

    fields = ["office_type", "district_id", "latitude", "longitude"]
    existing = {(p.name, p.pincode): p for p in PostOffice.objects.all()}
    changed = []
    for key, new in wanted.items():
        current = existing.get(key)
        if current is None:
            continue
        if any(getattr(current, f) != getattr(new, f) for f in fields):
            for f in fields:
                setattr(current, f, getattr(new, f))
            changed.append(current)
    PostOffice.objects.bulk_update(
        changed, ["office_type", "district", "latitude", "longitude"], batch_size=500
    )
    PostOffice.objects.bulk_create([o for k, o in wanted.items() if k not in existing], batch_size=500)
    return {
        "post_offices": len(wanted),
        "post_offices_placed_by_pincode": by_pincode,
        "post_offices_skipped": skipped,
    }


def _load_stand_in_villages(hindi: Callable[[str], str]) -> int:
    """One village per distinct locality name of each district's post offices.

    The pincode is that of the first office (in pincode order) named after the
    locality. Districts that already have LGD villages get no new stand-ins.
    """
    with_lgd = set(Village.objects.filter(source=Village.Source.LGD).values_list("district_id", flat=True))
    localities: dict[tuple[int, str], str] = {}
    for name, pincode, district in PostOffice.objects.order_by("pincode", "name").values_list(
        "name", "pincode", "district_id"
    ):
        localities.setdefault((district, locality_name(name)), pincode)

    existing = {
        (v.district_id, v.name_en): v for v in Village.objects.filter(source=Village.Source.POST_OFFICE)
    }
    changed, created = [], []
    for (district, name), pincode in localities.items():
        name_hi = hindi(name)
        current = existing.get((district, name))
        if current is not None:
            if (current.name_hi, current.pincode) != (name_hi, pincode):
                current.name_hi, current.pincode = name_hi, pincode
                changed.append(current)
        elif district not in with_lgd:
            created.append(
                Village(
                    district_id=district,
                    name_en=name,
                    name_hi=name_hi,
                    pincode=pincode,
                    source=Village.Source.POST_OFFICE,
                )
            )
    Village.objects.bulk_update(changed, ["name_hi", "pincode"], batch_size=500)
    Village.objects.bulk_create(created, batch_size=500)
    return Village.objects.filter(source=Village.Source.POST_OFFICE).count()
