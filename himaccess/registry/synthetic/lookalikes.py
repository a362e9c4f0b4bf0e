"""A list of people full of lookalikes, with its truth: for measuring duplicate detection.

Independent of the population generator, so the model is not only measured
on the errors it was designed around. Households are drawn with a father,
a village and a mobile; then:

- twins: two children of one father, one birthday, another given name;
- namesakes: two people of one district with the same given name and
  surname, other fathers, often the same birth year;
- duplicates: a person entered again with one error from ``errors`` (typo,
  other script, swapped day and month, year only, year off by one, father as
  an initial). Where the second record is and what it keeps of the first is
  ``Reentry``: by default always in the district and the father kept, mostly
  in the village and with the mobile; ``Reentry`` with the population's shares
  (decision 1174) draws re-entries as a family register holds them.

Rows have the columns of the list check's CSV (``linkage pairs``); the truth
is the set of record-id pairs that are one person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from himaccess.lib.phonetics import latin_key
from himaccess.registry.synthetic import errors
from himaccess.registry.synthetic.names import NamePool, name_lists

CSV_COLUMNS = (
    "record_id", "name", "father_or_spouse_name", "gender", "date_of_birth", "district", "village", "mobile",
)  # fmt: skip
DISTRICTS = tuple(range(15, 27))


@dataclass
class Lookalikes:
    rows: list[dict[str, str]]
    same_person: set[tuple[str, str]]  # (smaller id, larger id)
    twins: set[tuple[str, str]]
    namesakes: set[tuple[str, str]]


@dataclass(frozen=True)
class Reentry:
    """Where a duplicate is entered again and what its second record keeps, as shares of duplicates.

    The rest of ``other_village`` and ``other_district`` stays in the first record's
    village. A share is drawn only when it is neither 0 nor 1, so the defaults draw
    the list this generator always drew.
    """

    other_village: float = 0.2  # another village of the district
    other_district: float = 0.0  # a village of another district
    keeps_father: float = 1.0  # the rest carry a spouse's name instead
    keeps_mobile: float = 0.7
    other_mobile: float = 0.0  # of those not keeping it: another number (a new household's); the rest none


def _chance(rng: np.random.Generator, share: float) -> bool:
    if share <= 0.0:
        return False
    if share >= 1.0:
        return True
    return bool(rng.random() < share)


def _pick(pool: NamePool, rng: np.random.Generator) -> tuple[str, str]:
    i = int(rng.integers(0, len(pool)))
    return str(pool.latin[i]), str(pool.devanagari[i])


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _mobile(rng: np.random.Generator) -> str:
    return f"{int(rng.integers(6, 10))}{int(rng.integers(0, 10**9)):09d}"


def generate(
    households: int, *, seed: int = 7, duplicate_share: float = 0.08, reentry: Reentry = Reentry()
) -> Lookalikes:
    """About 3.5 people per household, twins in 4 % of them, namesakes and duplicates planted."""
    rng = np.random.default_rng([seed, 1170])
    names = name_lists()
    rows: list[dict[str, str]] = []
    twins: set[tuple[str, str]] = set()
    namesakes: set[tuple[str, str]] = set()
    same: set[tuple[str, str]] = set()
    counter = 0
    start = date(1940, 1, 1)

    def add(
        name: str, father: str, gender: str, born: date | str, district: int, village: str, mobile: str
    ) -> str:
        nonlocal counter
        counter += 1
        record_id = f"P{counter:07d}"
        rows.append(
            {
                "record_id": record_id,
                "name": name,
                "father_or_spouse_name": father,
                "gender": gender,
                "date_of_birth": born if isinstance(born, str) else born.isoformat(),
                "district": str(district),
                "village": village,
                "mobile": mobile,
            }
        )
        return record_id

    people: list[dict[str, str]] = []
    for h in range(households):
        district = DISTRICTS[int(rng.integers(0, len(DISTRICTS)))]
        village = f"V{district}{int(rng.integers(0, 400)):03d}"
        surname_en, surname_hi = _pick(names.surnames, rng)
        father_en, _ = _pick(names.given[("M", "classic")], rng)
        mobile = _mobile(rng)
        children = int(rng.integers(1, 5))
        base = start + timedelta(days=int(rng.integers(0, 60 * 365)))
        given_in_family: set[str] = set()  # parents do not give two children one name
        for c in range(children):
            gender = "M" if rng.random() < 0.52 else "F"
            era = "modern" if base.year >= 1995 else "classic"
            given_en, given_hi = _pick(names.given[(gender, era)], rng)
            while latin_key(given_en) in given_in_family:
                given_en, given_hi = _pick(names.given[(gender, era)], rng)
            given_in_family.add(latin_key(given_en))
            born = base + timedelta(days=int(rng.integers(300, 3000)) * c)
            hindi = rng.random() < 0.3
            name = f"{given_hi} {surname_hi}" if hindi else f"{given_en} {surname_en}"
            record_id = add(name, f"{father_en} {surname_en}", gender, born, district, village, mobile)
            people.append(rows[-1])
            if c == 0 and rng.random() < 0.04:
                # A twin: same parents and birthday, another given name.
                other_en, other_hi = _pick(names.given[(gender, era)], rng)
                while latin_key(other_en) in given_in_family:
                    other_en, other_hi = _pick(names.given[(gender, era)], rng)
                given_in_family.add(latin_key(other_en))
                twin_name = f"{other_hi} {surname_hi}" if hindi else f"{other_en} {surname_en}"
                twin = add(twin_name, f"{father_en} {surname_en}", gender, born, district, village, mobile)
                twins.add(_pair(record_id, twin))
        if h % 25 == 0 and people:
            # A namesake of someone earlier, in their district, with another father.
            model = people[int(rng.integers(0, len(people)))]
            other_father, _ = _pick(names.given[("M", "classic")], rng)
            born = date.fromisoformat(model["date_of_birth"]) + timedelta(days=int(rng.integers(20, 700)))
            namesake = add(
                model["name"],
                f"{other_father} {model['name'].split()[-1]}",
                model["gender"],
                born,
                int(model["district"]),
                f"V{model['district']}{int(rng.integers(0, 400)):03d}",
                _mobile(rng),
            )
            namesakes.add(_pair(model["record_id"], namesake))

    for person in list(people):
        if rng.random() >= duplicate_share:
            continue
        copy = dict(person)
        if not _chance(rng, reentry.keeps_father):
            # Entered at the spouse's: the clerk writes the husband or wife, not the father.
            spouse, _ = _pick(names.surnames, rng)
            spouse_given, _ = _pick(names.given[("M" if copy["gender"] == "F" else "F", "classic")], rng)
            copy["father_or_spouse_name"] = f"{spouse_given} {spouse}"
        kind = errors.DUPLICATE_KINDS[int(rng.integers(0, len(errors.DUPLICATE_KINDS)))]
        born = date.fromisoformat(copy["date_of_birth"])
        name_words = copy["name"].split()
        if kind == "typo" and name_words[0].isascii():
            copy["name"] = " ".join([errors.typo(name_words[0], rng), *name_words[1:]])
        elif kind == "other_script" and copy["name"].isascii():
            copy["name"] = errors.other_script(copy["name"], "")[1]
        elif kind == "swapped_date":
            copy["date_of_birth"] = (errors.swapped(born) or born).isoformat()
        elif kind == "year_only":
            copy["date_of_birth"] = str(born.year)
        elif kind == "year_off_by_one":
            copy["date_of_birth"] = errors.year_off_by_one(born, rng).isoformat()
        elif kind == "father_initial":
            copy["father_or_spouse_name"] = errors.initial(copy["father_or_spouse_name"])
        # Drawn as the chance of losing it, the way the default list was always drawn.
        if _chance(rng, 1.0 - reentry.keeps_mobile):
            copy["mobile"] = _mobile(rng) if _chance(rng, reentry.other_mobile) else ""
        place = rng.random()
        if place < reentry.other_village:
            copy["village"] = f"V{copy['district']}{int(rng.integers(0, 400)):03d}"
        elif place < reentry.other_village + reentry.other_district:
            others = [d for d in DISTRICTS if str(d) != copy["district"]]
            copy["district"] = str(others[int(rng.integers(0, len(others)))])
            copy["village"] = f"V{copy['district']}{int(rng.integers(0, 400)):03d}"
        duplicate = add(
            copy["name"],
            copy["father_or_spouse_name"],
            copy["gender"],
            copy["date_of_birth"],
            int(copy["district"]),
            copy["village"],
            copy["mobile"],
        )
        same.add(_pair(person["record_id"], duplicate))
    return Lookalikes(rows=rows, same_person=same, twins=twins, namesakes=namesakes)
