"""Drawing a realistic Himachal population, one block of families at a time.

Each block of ``BLOCK_FAMILIES`` families draws from two random streams keyed
on (seed, block): one for the household structures (so the planner can count
members without generating them) and one for everything else. Blocks are
independent, so worker processes can draw them in any order and the result
depends only on the seed, the family count and the reference date.

The figures are Census 2011 for Himachal Pradesh where it has them (district
populations, urban share, SC/ST shares, sex ratio, disability) and plausible
round numbers elsewhere; ``test_seed`` checks the ones that matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat
from typing import Any

import numpy as np

from himaccess.geography.models import Block as AdminBlock
from himaccess.geography.models import District, Tehsil, UrbanBody, Village
from himaccess.lib.phonetics import name_keys
from himaccess.lib.transliteration import to_latin
from himaccess.registry.synthetic import errors
from himaccess.registry.synthetic.idblocks import make_ids
from himaccess.registry.synthetic.names import NamePool, name_lists

BLOCK_FAMILIES = 1000

# --- Columns --------------------------------------------------------------------


@dataclass(frozen=True)
class Const:
    value: Any


@dataclass(frozen=True)
class Ints:
    values: np.ndarray
    null: np.ndarray | None = None  # True where the value is NULL


@dataclass(frozen=True)
class Codes:
    codes: np.ndarray
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Dates:
    days: np.ndarray  # days since 1970-01-01
    null: np.ndarray | None = None


Column = Const | Ints | Codes | Dates | list[str] | np.ndarray  # ndarray: booleans


def python_values(column: Column, length: int) -> Iterable[Any]:
    """Values for a DB-API ``executemany`` (SQLite)."""
    if isinstance(column, Const):
        return repeat(column.value, length)
    if isinstance(column, Ints):
        values = column.values.tolist()
        if column.null is not None:
            for index in np.flatnonzero(column.null).tolist():
                values[index] = None
        return values
    if isinstance(column, Codes):
        return np.array(column.labels, dtype=object)[column.codes].tolist()
    if isinstance(column, Dates):
        text = np.datetime_as_string(column.days.astype("datetime64[D]")).astype(object)
        if column.null is not None:
            text[column.null] = None
        return text.tolist()
    if isinstance(column, np.ndarray):
        return column.tolist()
    return column


_NULL = "\\N"


def copy_text(column: Column, length: int) -> Iterable[str]:
    """Values in PostgreSQL's COPY text format (no value here needs escaping)."""
    if isinstance(column, Const):
        value = column.value
        constant = (
            _NULL if value is None else ("t" if value is True else "f" if value is False else str(value))
        )
        return repeat(constant, length)
    if isinstance(column, Ints):
        if column.null is None:
            return list(map(str, column.values.tolist()))
        text = np.array(list(map(str, column.values.tolist())), dtype=object)
        text[column.null] = _NULL
        return text.tolist()
    if isinstance(column, Dates):
        text = np.datetime_as_string(column.days.astype("datetime64[D]")).astype(object)
        if column.null is not None:
            text[column.null] = _NULL
        return text.tolist()
    if isinstance(column, Codes):
        return np.array(column.labels, dtype=object)[column.codes].tolist()
    if isinstance(column, np.ndarray):
        return np.where(column, "t", "f").tolist()
    return column


@dataclass
class Table:
    """Rows of one table for one block, column by column."""

    length: int
    columns: dict[str, Column]

    def rows(self, order: list[str]) -> list[tuple[Any, ...]]:
        return list(zip(*(python_values(self.columns[c], self.length) for c in order), strict=True))

    def copy_block(self, order: list[str]) -> bytes:
        if not self.length:
            return b""
        lines = map("\t".join, zip(*(copy_text(self.columns[c], self.length) for c in order), strict=True))
        return ("\n".join(lines) + "\n").encode()


@dataclass
class Block:
    index: int
    families: Table
    members: Table
    changes: Table
    # Member IDs of the deliberately messy records and what was done to them:
    # kept out of the register, so only a regenerated block tells them apart.
    messy: dict[str, str] = field(default_factory=dict)
    # The truth table of planted errors (``Context.plant_errors``): member or family ID ->
    # (kind, the member ID it duplicates or "").
    planted: dict[str, tuple[str, str]] = field(default_factory=dict)


# --- Reference data --------------------------------------------------------------

# Approximate Census 2011 shares per district LGD code: urban, SC, ST.
DISTRICT_SHARES: dict[int, tuple[float, float, float]] = {
    15: (0.066, 0.259, 0.029),  # Bilaspur
    16: (0.069, 0.215, 0.261),  # Chamba
    17: (0.069, 0.240, 0.007),  # Hamirpur
    18: (0.057, 0.212, 0.056),  # Kangra
    19: (0.000, 0.175, 0.579),  # Kinnaur
    20: (0.094, 0.280, 0.037),  # Kullu
    21: (0.000, 0.071, 0.814),  # Lahaul and Spiti
    22: (0.063, 0.294, 0.013),  # Mandi
    23: (0.247, 0.265, 0.010),  # Shimla
    24: (0.108, 0.303, 0.021),  # Sirmaur
    25: (0.176, 0.284, 0.044),  # Solan
    26: (0.086, 0.222, 0.016),  # Una
}
STATE_SHARES = (0.100, 0.252, 0.057)
OBC_SHARE = 0.135
EWS_SHARE = 0.04
BPL_SHARE_SC_ST = 0.20
BPL_SHARE_OTHERS = 0.08
TRIBAL_DISTRICTS = {19, 21}

# Banks with branches across the state, and their account-number lengths.
BANKS: tuple[tuple[str, int, float], ...] = (
    ("SBIN", 11, 0.35),  # State Bank of India
    ("PUNB", 16, 0.20),  # Punjab National Bank
    ("UCBA", 14, 0.15),  # UCO Bank
    ("HPSC", 14, 0.12),  # HP State Co-operative Bank
    ("CNRB", 13, 0.08),  # Canara Bank
    ("HDFC", 14, 0.10),  # HDFC Bank
)
BRANCHES_PER_DISTRICT = 6


@dataclass(frozen=True)
class DistrictGeography:
    code: int
    weight: float
    shares: tuple[float, float, float]
    tehsils: np.ndarray
    blocks: np.ndarray
    villages: np.ndarray
    village_pincodes: np.ndarray
    urban_bodies: np.ndarray
    urban_body_tehsils: np.ndarray  # -1 where the body has no tehsil


@dataclass(frozen=True)
class Geography:
    districts: tuple[DistrictGeography, ...]

    @property
    def cumulative(self) -> np.ndarray:
        weights = np.array([d.weight for d in self.districts])
        return np.cumsum(weights / weights.sum())


def load_geography() -> Geography:
    """The districts families can be placed in: those with tehsils and pincoded villages."""

    def by_district(rows: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
        grouped: dict[int, list[Any]] = {}
        for district, value in rows:
            grouped.setdefault(district, []).append(value)
        return grouped

    tehsils = by_district(Tehsil.objects.order_by("lgd_code").values_list("district_id", "lgd_code"))

    blocks = by_district(AdminBlock.objects.order_by("lgd_code").values_list("district_id", "lgd_code"))
    villages = by_district(
        (d, (pk, pin))
        for d, pk, pin in Village.objects.exclude(pincode="")
        .order_by("pk")
        .values_list("district_id", "pk", "pincode")
    )
    bodies = by_district(
        (d, (pk, tehsil or -1))
        for d, pk, tehsil in UrbanBody.objects.order_by("lgd_code").values_list(
            "district_id", "lgd_code", "tehsil_id"
        )
    )
    districts = []
    for district in District.objects.order_by("lgd_code"):
        code = district.lgd_code
        if not tehsils.get(code) or not villages.get(code) or district.population_2011 <= 0:
            continue
        own_villages = villages[code]
        own_bodies = bodies.get(code, [])
        districts.append(
            DistrictGeography(
                code=code,
                weight=float(district.population_2011),
                shares=DISTRICT_SHARES.get(code, STATE_SHARES),
                tehsils=np.array(tehsils[code], dtype=np.int64),
                blocks=np.array(blocks.get(code, []), dtype=np.int64),
                villages=np.array([v for v, _ in own_villages], dtype=np.int64),
                village_pincodes=np.array([p for _, p in own_villages], dtype=object),
                urban_bodies=np.array([b for b, _ in own_bodies], dtype=np.int64),
                urban_body_tehsils=np.array([t for _, t in own_bodies], dtype=np.int64),
            )
        )
    return Geography(tuple(districts))


# --- Household structures --------------------------------------------------------

HEAD, SPOUSE, CHILD, MARRIED_SON, DAUGHTER_IN_LAW, GRANDCHILD, FATHER, MOTHER = range(8)
NEVER_MARRIED, MARRIED, WIDOWED, DIVORCED, SEPARATED = range(5)
MARITAL_LABELS = ("never_married", "married", "widowed", "divorced", "separated")
RELATION_LABELS = (
    "head", "spouse", "son", "daughter", "daughter_in_law", "grandson", "granddaughter", "father", "mother",
)  # fmt: skip
R_HEAD, R_SPOUSE, R_SON, R_DAUGHTER, R_DIL, R_GRANDSON, R_GRANDDAUGHTER, R_FATHER, R_MOTHER = range(9)


@dataclass(frozen=True)
class Template:
    name: str
    weight: float
    head_gender: str
    head_age: tuple[int, int]
    head_marital: int
    roles: tuple[int, ...]


def _templates() -> list[Template]:
    t: list[Template] = [
        Template("single young man", 0.045, "M", (20, 40), NEVER_MARRIED, (HEAD,)),
        Template("widow alone", 0.028, "F", (58, 90), WIDOWED, (HEAD,)),
        Template("widower alone", 0.015, "M", (62, 90), WIDOWED, (HEAD,)),
        Template("young couple", 0.035, "M", (22, 32), MARRIED, (HEAD, SPOUSE)),
        Template("older couple", 0.080, "M", (55, 85), MARRIED, (HEAD, SPOUSE)),
    ]
    for children, weight in ((1, 0.085), (2, 0.160), (3, 0.100), (4, 0.030)):
        t.append(
            Template(
                f"couple, {children} children",
                weight,
                "M",
                (24, 60),
                MARRIED,
                (HEAD, SPOUSE) + (CHILD,) * children,
            )
        )
    for children, weight in ((1, 0.030), (2, 0.025), (3, 0.010)):
        t.append(
            Template(
                f"widow, {children} children", weight, "F", (35, 65), WIDOWED, (HEAD,) + (CHILD,) * children
            )
        )
    for children, weight in ((0, 0.020), (1, 0.030), (2, 0.045), (3, 0.025)):
        t.append(
            Template(
                f"couple, {children} children, widowed mother",
                weight,
                "M",
                (25, 50),
                MARRIED,
                (HEAD, SPOUSE) + (CHILD,) * children + (MOTHER,),
            )
        )
    for children, weight in ((0, 0.015), (1, 0.020), (2, 0.030)):
        t.append(
            Template(
                f"couple, {children} children, parents",
                weight,
                "M",
                (25, 45),
                MARRIED,
                (HEAD, SPOUSE) + (CHILD,) * children + (FATHER, MOTHER),
            )
        )
    for grandchildren, weight in ((0, 0.020), (1, 0.040), (2, 0.065), (3, 0.035)):
        t.append(
            Template(
                f"joint, {grandchildren} grandchildren",
                weight,
                "M",
                (48, 72),
                MARRIED,
                (HEAD, SPOUSE, MARRIED_SON, DAUGHTER_IN_LAW) + (GRANDCHILD,) * grandchildren,
            )
        )
    for grandchildren, weight in ((1, 0.010), (2, 0.010), (3, 0.008)):
        t.append(
            Template(
                f"widow, son's family, {grandchildren} grandchildren",
                weight,
                "F",
                (55, 82),
                WIDOWED,
                (HEAD, MARRIED_SON, DAUGHTER_IN_LAW) + (GRANDCHILD,) * grandchildren,
            )
        )
    return t  # fmt: skip


TEMPLATES = _templates()


def _template_tables() -> dict[str, np.ndarray]:
    """Flat arrays over all templates' roles, so a block expands with fancy indexing."""
    role: list[int] = []
    father: list[int] = []
    mother: list[int] = []
    spouse: list[int] = []
    parent: list[int] = []
    offsets: list[int] = []
    sizes: list[int] = []
    for template in TEMPLATES:
        offsets.append(len(role))
        sizes.append(len(template.roles))
        positions: dict[int, int] = {}
        for pos, r in enumerate(template.roles):
            positions.setdefault(r, pos)
        head_male = template.head_gender == "M"
        for r in template.roles:
            f = m = s = -1
            if r == HEAD:
                f, m, s = positions.get(FATHER, -1), positions.get(MOTHER, -1), positions.get(SPOUSE, -1)
            elif r == SPOUSE:
                s = 0
            elif r in (CHILD, MARRIED_SON):
                f, m = (0, positions.get(SPOUSE, -1)) if head_male else (-1, 0)
                if r == MARRIED_SON:
                    s = positions[DAUGHTER_IN_LAW]
            elif r == DAUGHTER_IN_LAW:
                s = positions[MARRIED_SON]
            elif r == GRANDCHILD:
                f, m = positions[MARRIED_SON], positions[DAUGHTER_IN_LAW]
            elif r == FATHER:
                s = positions[MOTHER]
            elif r == MOTHER:
                s = positions.get(FATHER, -1)
            role.append(r)
            father.append(f)
            mother.append(m)
            spouse.append(s)
            parent.append(m if m >= 0 else f)
    weights = np.array([t.weight for t in TEMPLATES])
    return {
        "role": np.array(role),
        "father": np.array(father),
        "mother": np.array(mother),
        "spouse": np.array(spouse),
        "parent": np.array(parent),
        "offset": np.array(offsets),
        "size": np.array(sizes),
        "cumulative": np.cumsum(weights / weights.sum()),
        "head_male": np.array([t.head_gender == "M" for t in TEMPLATES]),
        "age_low": np.array([t.head_age[0] for t in TEMPLATES]),
        "age_high": np.array([t.head_age[1] for t in TEMPLATES]),
        "head_marital": np.array([t.head_marital for t in TEMPLATES]),
        "has_both_parents": np.array([FATHER in t.roles for t in TEMPLATES]),
    }


TABLES = _template_tables()


def mean_family_size() -> float:
    weights = np.diff(TABLES["cumulative"], prepend=0.0)
    return float((weights * TABLES["size"]).sum())


def structure_stream(seed: int, block: int) -> np.random.Generator:
    return np.random.default_rng([seed, block, 0])


def draw_templates(seed: int, block: int, families: int) -> np.ndarray:
    """The household template of each family of a block (the first draw of its structure stream)."""
    rng = structure_stream(seed, block)
    return np.searchsorted(TABLES["cumulative"], rng.random(families), side="right").clip(
        0, len(TEMPLATES) - 1
    )


def block_member_count(seed: int, block: int, families: int) -> int:
    return int(TABLES["size"][draw_templates(seed, block, families)].sum())


# --- Occupations and incomes -----------------------------------------------------

OCCUPATION_LABELS = (
    "agriculture", "labour", "self_employed", "private_job", "government_job", "pensioner",
    "homemaker", "student", "unemployed", "child", "other",
)  # fmt: skip
_O = {label: i for i, label in enumerate(OCCUPATION_LABELS)}


def _mix(**shares: float) -> np.ndarray:
    row = np.zeros(len(OCCUPATION_LABELS))
    for label, share in shares.items():
        row[_O[label]] = share
    return np.cumsum(row / row.sum())


# Groups: (age band, gender, area) -> cumulative occupation shares.
_OCCUPATION_GROUPS = np.array([
    _mix(child=1),                                                                      # 0: under 6
    _mix(student=1),                                                                    # 1: 6-17
    _mix(student=0.5, agriculture=0.15, labour=0.1, private_job=0.12, unemployed=0.13),  # 2: 18-24 man
    _mix(student=0.5, homemaker=0.2, agriculture=0.1, private_job=0.08, unemployed=0.12),  # 3: 18-24 woman
    _mix(agriculture=0.42, labour=0.15, self_employed=0.1, private_job=0.13, government_job=0.12,
         unemployed=0.05, other=0.03),                                                  # 4: 25-59 rural man
    _mix(agriculture=0.05, labour=0.12, self_employed=0.25, private_job=0.28, government_job=0.22,
         unemployed=0.05, other=0.03),                                                  # 5: 25-59 urban man
    _mix(homemaker=0.45, agriculture=0.38, labour=0.05, government_job=0.05, private_job=0.04,
         self_employed=0.03),                                                           # 6: 25-59 rural woman
    _mix(homemaker=0.6, government_job=0.13, private_job=0.14, self_employed=0.08, labour=0.05),  # 7: urban

    _mix(agriculture=0.45, pensioner=0.22, other=0.25, self_employed=0.08),             # 8: 60+ man
    _mix(homemaker=0.55, agriculture=0.25, pensioner=0.08, other=0.12),                 # 9: 60+ woman
])  # fmt: skip
# Median annual income (₹) by occupation; zero for those without one.
_MEDIAN_INCOME = np.array([72_000, 96_000, 180_000, 216_000, 540_000, 360_000, 0, 0, 0, 0, 48_000])


# --- Messy records ---------------------------------------------------------------

MESSY_SHARE = 0.03
MESSY_KINDS = ("missing_hindi", "missing_english", "typo", "variant_latin", "variant_devanagari")
_MESSY_CUMULATIVE = np.cumsum([0.35, 0.10, 0.25, 0.15, 0.15])
_LATIN_VARIANTS = (
    ("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("v", "w"), ("w", "v"), ("sh", "s"),
    ("aa", "a"), ("a", "aa"), ("th", "t"), ("ph", "f"), ("y", "i"), ("ender", "inder"),
)  # fmt: skip
_DEVANAGARI_VARIANTS = (
    ("ी", "ि"),
    ("ि", "ी"),
    ("ू", "ु"),
    ("ु", "ू"),
    ("ं", "न्"),
    ("श", "स"),
    ("व", "ब"),
    ("ा", ""),
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(word: str, draws: np.ndarray) -> str:
    """Swap, drop, double or replace one letter (never at the start), always changing the word."""
    if len(word) < 3:
        return word + word[-1]
    position = 1 + int(draws[1] * (len(word) - 2))
    kind = int(draws[0] * 4)
    if kind == 0 and word[position] != word[position + 1]:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if kind == 1:
        return word[:position] + word[position + 1 :]
    if kind == 2:
        return word[:position] + word[position] + word[position:]
    letter = _LETTERS[int(draws[2] * 26)]
    if letter == word[position].lower():
        letter = "x" if letter != "x" else "q"
    return word[:position] + letter + word[position + 1 :]


def _variant(word: str, rules: tuple[tuple[str, str], ...], start: float) -> str | None:
    first = int(start * len(rules))
    for offset in range(len(rules)):
        old, new = rules[(first + offset) % len(rules)]
        index = word.find(old, 1)
        if index > 0:
            return word[:index] + new + word[index + len(old) :]
    return None


def _mess_up(kind: str, given_en: str, rest_en: str, name_hi: str, draws: np.ndarray) -> tuple[str, str]:
    """The (name_en, name_hi) a messy record of ``kind`` ends up with."""
    name_en = f"{given_en} {rest_en}"
    if kind == "missing_hindi":
        return name_en, ""
    if kind == "missing_english":
        return "", name_hi
    if kind == "variant_latin":
        varied = _variant(given_en, _LATIN_VARIANTS, draws[0])
        if varied is not None and varied != given_en:
            return f"{varied} {rest_en}", name_hi
    if kind == "variant_devanagari":
        given_hi, _, rest_hi = name_hi.partition(" ")
        varied = _variant(given_hi, _DEVANAGARI_VARIANTS, draws[0])
        if varied is not None and varied != given_hi:
            return name_en, f"{varied} {rest_hi}"
    return f"{_typo(given_en, draws)} {rest_en}", name_hi


# --- The generator ---------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """Everything a worker needs to draw any block; picklable."""

    seed: int
    families: int
    as_of: date
    timestamp: str  # created_at/updated_at of every row, ISO 8601 with offset
    id_key: str
    family_counter: int  # first reserved ID counter of each kind
    member_counter: int
    family_pk: int  # first primary key of each table
    member_pk: int
    change_pk: int
    geography: Geography
    # Plant what a real register holds (``plant_errors``): off for demos and the register's
    # own invariants, on for measuring duplicate detection and data-quality rules.
    plant_errors: bool = False

    @property
    def blocks(self) -> int:
        return -(-self.families // BLOCK_FAMILIES)

    def block_families(self, block: int) -> int:
        return min(BLOCK_FAMILIES, self.families - block * BLOCK_FAMILIES)


def member_offsets(seed: int, families: int) -> np.ndarray:
    """Members before each block (and the total at the end), from the structure streams alone."""
    blocks = -(-families // BLOCK_FAMILIES)
    counts = [
        block_member_count(seed, b, min(BLOCK_FAMILIES, families - b * BLOCK_FAMILIES)) for b in range(blocks)
    ]
    return np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])


class _KeyCache:
    """Phonetic keys per distinct clean name; bounded by the size of the name lists."""

    def __init__(self) -> None:
        self._keys: dict[tuple[str, str], tuple[str, str]] = {}

    def __call__(self, name_en: str, name_hi: str) -> tuple[str, str]:
        found = self._keys.get((name_en, name_hi))
        if found is None:
            found = self._keys[(name_en, name_hi)] = name_keys(name_en, name_hi)
        return found


_KEYS = _KeyCache()


def _pick(pool: NamePool, rng: np.random.Generator, count: int) -> np.ndarray:
    return np.searchsorted(np.cumsum(pool.weights), rng.random(count), side="right").clip(0, len(pool) - 1)


def _digits(rng: np.random.Generator, count: int, length: int, first_low: int = 1) -> list[str]:
    first = rng.integers(first_low, 10, count)
    rest = rng.integers(0, 10 ** (length - 1), count, dtype=np.int64)
    return [f"{a}{b:0{length - 1}d}" for a, b in zip(first.tolist(), rest.tolist(), strict=True)]


def generate_block(ctx: Context, block: int, member_offset: int) -> Block:
    """Draw block ``block`` (its families, members and creation rows)."""
    n = ctx.block_families(block)
    first_family = block * BLOCK_FAMILIES
    choice = draw_templates(ctx.seed, block, n)
    rng = np.random.default_rng([ctx.seed, block, 1])
    names = name_lists()
    geo = ctx.geography

    # Families: place, category, poverty line.
    district_index = np.searchsorted(geo.cumulative, rng.random(n), side="right").clip(
        0, len(geo.districts) - 1
    )
    district = np.array([geo.districts[i].code for i in district_index.tolist()])
    urban_share = np.array([geo.districts[i].shares[0] for i in district_index.tolist()])
    sc_share = np.array([geo.districts[i].shares[1] for i in district_index.tolist()])
    st_share = np.array([geo.districts[i].shares[2] for i in district_index.tolist()])
    has_bodies = np.array([len(geo.districts[i].urban_bodies) > 0 for i in district_index.tolist()])
    urban = (rng.random(n) < urban_share) & has_bodies
    picks = rng.random((n, 4))
    tehsil = np.empty(n, dtype=np.int64)
    admin_block = np.full(n, -1, dtype=np.int64)
    urban_body = np.full(n, -1, dtype=np.int64)
    village = np.full(n, -1, dtype=np.int64)
    pincode: list[str] = [""] * n
    for i, (d, is_urban, p) in enumerate(
        zip(district_index.tolist(), urban.tolist(), picks.tolist(), strict=True)
    ):
        g = geo.districts[d]
        v = int(p[0] * len(g.villages))
        pincode[i] = g.village_pincodes[v]
        tehsil[i] = g.tehsils[int(p[1] * len(g.tehsils))]
        if is_urban:
            b = int(p[2] * len(g.urban_bodies))
            urban_body[i] = g.urban_bodies[b]
            if g.urban_body_tehsils[b] >= 0:
                tehsil[i] = g.urban_body_tehsils[b]
        else:
            village[i] = g.villages[v]
            if len(g.blocks):
                admin_block[i] = g.blocks[int(p[3] * len(g.blocks))]
    u = rng.random(n)
    category = np.select(
        [u < st_share, u < st_share + sc_share, u < st_share + sc_share + OBC_SHARE],
        [2, 1, 3],
        default=np.where(u > 1 - EWS_SHARE, 4, 0),
    )  # codes into CATEGORY_LABELS
    bpl = rng.random(n) < np.where((category == 1) | (category == 2), BPL_SHARE_SC_ST, BPL_SHARE_OTHERS)
    ration = _digits(rng, n, 10)
    no_ration = rng.random(n) < 0.02
    ration_card = [
        "" if none else f"HP{d:02d}{r}"
        for d, r, none in zip(district.tolist(), ration, no_ration.tolist(), strict=True)
    ]
    family_mobile = _digits(rng, n, 10, first_low=6)
    tribal = np.isin(district, list(TRIBAL_DISTRICTS)) & (category == 2) & (rng.random(n) < 0.8)
    general_pick = _pick(names.surnames, rng, n)
    tribal_pick = _pick(names.tribal_surnames, rng, n)
    surname_en = np.where(
        tribal, names.tribal_surnames.latin[tribal_pick], names.surnames.latin[general_pick]
    )
    surname_hi = np.where(
        tribal, names.tribal_surnames.devanagari[tribal_pick], names.surnames.devanagari[general_pick]
    )

    # Members: expand the templates.
    sizes = TABLES["size"][choice]
    m = int(sizes.sum())
    family_of = np.repeat(np.arange(n), sizes)
    starts = np.cumsum(sizes) - sizes
    position = np.arange(m) - starts[family_of]
    flat = TABLES["offset"][choice][family_of] + position
    role = TABLES["role"][flat]

    def absolute(table: str) -> np.ndarray:
        relative = TABLES[table][flat]
        return np.where(relative >= 0, starts[family_of] + relative, -1)

    father, mother, spouse, parent = (
        absolute("father"),
        absolute("mother"),
        absolute("spouse"),
        absolute("parent"),
    )

    age = np.zeros(m, dtype=np.int64)
    age[starts] = rng.integers(TABLES["age_low"][choice], TABLES["age_high"][choice] + 1)
    idx = np.flatnonzero(role == SPOUSE)
    age[idx] = np.maximum(age[spouse[idx]] - rng.integers(0, 9, idx.size), 18)
    idx = np.flatnonzero(role == MOTHER)
    heads = starts[family_of[idx]]
    age[idx] = np.minimum(age[heads] + rng.integers(19, 36, idx.size), 97)
    idx = np.flatnonzero(role == FATHER)
    age[idx] = np.minimum(age[spouse[idx]] + rng.integers(0, 8, idx.size), 99)
    idx = np.flatnonzero(role == CHILD)
    p = age[parent[idx]]
    high = np.clip(p - 19, 0, 32)  # a mother of 18 has an infant at most
    low = np.minimum(np.maximum(p - 40, 0), high)
    age[idx] = rng.integers(low, high + 1)
    idx = np.flatnonzero(role == MARRIED_SON)
    p = age[parent[idx]]
    high = np.maximum(np.minimum(p - 19, 45), 21)
    age[idx] = rng.integers(21, high + 1)
    idx = np.flatnonzero(role == DAUGHTER_IN_LAW)
    age[idx] = np.maximum(age[spouse[idx]] - rng.integers(0, 6, idx.size), 19)
    idx = np.flatnonzero(role == GRANDCHILD)
    q = age[mother[idx]]
    age[idx] = rng.integers(0, np.minimum(q - 19, 20) + 1)

    head_male = TABLES["head_male"][choice]
    # Census 2011 child sex ratio: 909 girls per 1000 boys; grown daughters
    # have mostly married into other families, so grown children are mostly sons.
    child_male = rng.random(m) < np.where(age >= 20, 0.75, 0.524)
    male = np.select(
        [
            role == HEAD,
            role == SPOUSE,
            role == CHILD,
            role == GRANDCHILD,
            role == MARRIED_SON,
            role == FATHER,
        ],
        [head_male[family_of], ~head_male[family_of], child_male, child_male, True, True],
        default=False,
    )

    as_of = np.datetime64(ctx.as_of, "D").astype(np.int64)
    dob = as_of - (np.floor(age * 365.2425).astype(np.int64) + rng.integers(0, 365, m))

    # Marital status, deaths and departures.
    marital = np.select(
        [role == HEAD, (role == CHILD) | (role == GRANDCHILD), role == MOTHER],
        [
            TABLES["head_marital"][choice][family_of],
            NEVER_MARRIED,
            np.where(TABLES["has_both_parents"][choice][family_of], MARRIED, WIDOWED),
        ],
        default=MARRIED,
    )
    alone_marital = (marital == WIDOWED) & (role == HEAD)
    u = rng.random(m)
    marital = np.where(
        alone_marital & (u < 0.04), DIVORCED, np.where(alone_marital & (u < 0.07), SEPARATED, marital)
    )
    life = np.zeros(m, dtype=np.int64)  # codes into LIFE_LABELS
    died_on = np.zeros(m, dtype=np.int64)
    left_on = np.zeros(m, dtype=np.int64)
    fate = rng.random(n)[family_of]
    both = TABLES["has_both_parents"][choice][family_of]
    dead = both & (((role == FATHER) & (fate < 0.10)) | ((role == MOTHER) & (fate >= 0.10) & (fate < 0.14)))
    life[dead] = 1
    died_on[dead] = as_of - rng.integers(30, 1800, int(dead.sum()))
    widowed = both & (
        ((role == MOTHER) & (fate < 0.10)) | ((role == FATHER) & (fate >= 0.10) & (fate < 0.14))
    )
    marital[widowed] = WIDOWED
    migrated = (role == CHILD) & (age >= 20) & (rng.random(m) < 0.08)
    life[migrated] = 2
    left_on[migrated] = as_of - rng.integers(30, 720, int(migrated.sum()))

    # Names, in both scripts, from the paired lists; women often "Devi"/"Kumari".
    birth_year = 1970 + dob // 365
    modern = rng.random(m) < np.where(birth_year >= 1995, 0.7, 0.1)
    given_en = np.empty(m, dtype=object)
    given_hi = np.empty(m, dtype=object)
    draws = rng.random(m)
    for gender, is_male in (("M", True), ("F", False)):
        for era, is_modern in (("classic", False), ("modern", True)):
            pool = names.given[(gender, era)]
            idx = np.flatnonzero((male == is_male) & (modern == is_modern))
            pick = (draws[idx] * len(pool)).astype(np.int64)
            given_en[idx] = pool.latin[pick]
            given_hi[idx] = pool.devanagari[pick]
    last_en = surname_en[family_of].astype(object)
    last_hi = surname_hi[family_of].astype(object)
    u = rng.random(m)
    devi = ~male & (((age >= 35) & (u < 0.45)) | ((age < 35) & (marital != NEVER_MARRIED) & (u < 0.2)))
    kumari = ~male & (age < 35) & (marital == NEVER_MARRIED) & (age >= 6) & (u < 0.15)
    last_en[devi], last_hi[devi] = "Devi", "देवी"
    last_en[kumari], last_hi[kumari] = "Kumari", "कुमारी"

    messy_draw = rng.random((m, 4))
    messy = messy_draw[:, 0] < MESSY_SHARE
    messy_kind = np.searchsorted(_MESSY_CUMULATIVE, messy_draw[:, 1], side="right").clip(
        0, len(MESSY_KINDS) - 1
    )
    name_en = [f"{g} {s}" for g, s in zip(given_en.tolist(), last_en.tolist(), strict=True)]
    name_hi = [f"{g} {s}" for g, s in zip(given_hi.tolist(), last_hi.tolist(), strict=True)]
    given_key = [""] * m
    surname_key = [""] * m
    for i in range(m):
        given_key[i], surname_key[i] = _KEYS(name_en[i], name_hi[i])
    messy_index = np.flatnonzero(messy).tolist()
    for i in messy_index:
        kind = MESSY_KINDS[messy_kind[i]]
        name_en[i], name_hi[i] = _mess_up(kind, given_en[i], last_en[i], name_hi[i], messy_draw[i, 1:])
        given_key[i], surname_key[i] = name_keys(name_en[i], name_hi[i])

    # Work, income, disability, e-KYC, phones, bank accounts.
    group = np.select(
        [age < 6, age < 18, (age < 25) & male, age < 25, (age < 60) & male & ~urban[family_of],
         (age < 60) & male, (age < 60) & ~urban[family_of], age < 60, male],
        [0, 1, 2, 3, 4, 5, 6, 7, 8],
        default=9,
    )  # fmt: skip
    occupation = (
        (rng.random(m)[:, None] > _OCCUPATION_GROUPS[group]).sum(axis=1).clip(0, len(OCCUPATION_LABELS) - 1)
    )
    median = _MEDIAN_INCOME[occupation] * np.where(bpl[family_of], 0.4, 1.0)
    income = np.round(median * rng.lognormal(0.0, 0.45, m) / 1000).astype(np.int64) * 1000
    disabled = rng.random(m) < np.select([age < 18, age < 60], [0.009, 0.02], default=0.055)
    disability = np.where(disabled, rng.choice(np.arange(40, 101, 5), m, p=_DISABILITY_WEIGHTS), 0)
    u = rng.random(m)
    ekyc = np.where(
        age < 5,
        np.where(u < 0.35, 2, 0),
        np.select([u < 0.86, u < 0.91, u < 0.93], [2, 1, 3], default=0),
    )  # codes into EKYC_LABELS
    u = rng.random(m)
    adult = age >= 18
    own_mobile = _digits(rng, m, 10, first_low=6)
    shared = np.array(family_mobile, dtype=object)[family_of]
    mobile = np.where(
        adult & (u < 0.55) & (life == 0),
        np.array(own_mobile, dtype=object),
        np.where((adult & (u < 0.85)) | (role == HEAD) | (~adult & (u < 0.05)), shared, ""),
    ).tolist()
    has_account = adult & (rng.random(m) < 0.85)
    bank = np.searchsorted(np.cumsum([b[2] for b in BANKS]), rng.random(m), side="right").clip(
        0, len(BANKS) - 1
    )
    branch = rng.integers(0, BRANCHES_PER_DISTRICT, m)
    account_digits = rng.integers(10**9, 10**10, m, dtype=np.int64)
    account_rest = rng.integers(0, 10**6, m, dtype=np.int64)
    bank_account: list[str] = [""] * m
    bank_ifsc: list[str] = [""] * m
    district_of = district[family_of]
    for i in np.flatnonzero(has_account).tolist():
        code, length, _ = BANKS[bank[i]]
        bank_account[i] = f"{account_digits[i]}{account_rest[i]:06d}"[:length]
        bank_ifsc[i] = f"{code}0{district_of[i] % 100:02d}{(bank[i] * 97 + branch[i] * 13) % 10000:04d}"
    u = rng.random(m)
    residency = np.where(adult & male & (age < 50) & (u < 0.03), 2, np.where(u > 0.99, 1, 0))

    # Identifiers and keys.
    family_ids = make_ids("F", ctx.family_counter + first_family, n, ctx.id_key)
    member_ids = make_ids("M", ctx.member_counter + member_offset, m, ctx.id_key)
    planted: dict[str, tuple[str, str]] = {}
    if ctx.plant_errors:
        planted = plant_errors(
            np.random.default_rng([ctx.seed, block, 2]),
            PlantingTarget(
                role=role, male=male, age=age, family_of=family_of, mother=mother, father=father,
                name_en=name_en, name_hi=name_hi, given_key=given_key, surname_key=surname_key,
                dob=dob, pincode=pincode, district_index=district_index, geography=geo,
                member_ids=member_ids, family_ids=family_ids, mobile=mobile, district=district,
                tehsil=tehsil, admin_block=admin_block, urban_body=urban_body, village=village,
                urban=urban,
            ),
        )  # fmt: skip
    family_pk = ctx.family_pk + first_family + np.arange(n)
    member_pk = ctx.member_pk + member_offset + np.arange(m)

    def member_fk(local: np.ndarray) -> Ints:
        return Ints(np.where(local >= 0, ctx.member_pk + member_offset + local, 0), local < 0)

    stamp = Const(ctx.timestamp)
    families = Table(
        n,
        {
            "id": Ints(family_pk),
            "family_id": family_ids,
            "district_id": Ints(district),
            "tehsil_id": Ints(tehsil),
            "block_id": Ints(admin_block, admin_block < 0),
            "urban_body_id": Ints(urban_body, urban_body < 0),
            "panchayat_id": Const(None),
            "ward": [
                f"Ward {w}" if is_urban else ""
                for w, is_urban in zip(rng.integers(1, 16, n).tolist(), urban.tolist(), strict=True)
            ],
            "village_id": Ints(village, village < 0),
            "house": [f"H.No. {h}" for h in rng.integers(1, 400, n).tolist()],
            "pincode": pincode,
            "area": Codes(urban.astype(np.int64), ("rural", "urban")),
            "status": Const("active"),
            "merged_into_id": Const(None),
            "version": Const(1),
            "created_at": stamp,
            "updated_at": stamp,
        },
    )  # fmt: skip
    members = Table(
        m,
        {
            "id": Ints(member_pk),
            "member_id": member_ids,
            "family_id": Ints(family_pk[family_of]),
            "name_en": name_en,
            "name_hi": name_hi,
            "given_key": given_key,
            "surname_key": surname_key,
            "relation": Codes(_relation_codes(role, male), RELATION_LABELS),
            "gender": Codes(male.astype(np.int64), ("F", "M")),
            "date_of_birth": Dates(dob),
            "marital_status": Codes(marital, MARITAL_LABELS),
            "social_category": Codes(category[family_of], CATEGORY_LABELS),
            "disability_percent": Ints(disability),
            "occupation": Codes(occupation, OCCUPATION_LABELS),
            "annual_income": Ints(income),
            "is_bpl": bpl[family_of],
            "ration_card_no": np.array(ration_card, dtype=object)[family_of].tolist(),
            "residency_basis": Codes(residency, ("permanent_home", "long_residence", "works_outside")),
            "mobile": mobile,
            "bank_account": bank_account,
            "bank_ifsc": bank_ifsc,
            "life_status": Codes(life, LIFE_LABELS),
            "died_on": Dates(died_on, life != 1),
            "left_on": Dates(left_on, life != 2),
            "ekyc_status": Codes(ekyc, EKYC_LABELS),
            "aadhaar_ref": Const(None),
            "father_id": member_fk(father),
            "mother_id": member_fk(mother),
            "spouse_id": member_fk(spouse),
            "version": Const(1),
            "created_at": stamp,
            "updated_at": stamp,
        },
    )
    changes = Table(
        n,
        {
            "id": Ints(ctx.change_pk + first_family + np.arange(n)),
            "family_id": Ints(family_pk),
            "member_id": Const(None),
            "action": Const("family.created"),
            "field": Const(""),
            "old_value": Const(""),
            "new_value": Const(""),
            "source": Const("synthetic"),
            "actor_id": Const(None),
            "change_request_id": Const(None),
            "at": stamp,
        },
    )
    return Block(
        index=block,
        families=families,
        members=members,
        changes=changes,
        messy={member_ids[i]: MESSY_KINDS[messy_kind[i]] for i in messy_index},
        planted=planted,
    )


CATEGORY_LABELS = ("general", "sc", "st", "obc", "ews")
LIFE_LABELS = ("living", "dead", "migrated")
EKYC_LABELS = ("not_done", "pending", "verified", "failed")
_DISABILITY_WEIGHTS = np.array([14, 10, 10, 8, 8, 7, 7, 6, 6, 6, 6, 4, 8], dtype=float)
_DISABILITY_WEIGHTS /= _DISABILITY_WEIGHTS.sum()


def _relation_codes(role: np.ndarray, male: np.ndarray) -> np.ndarray:
    return np.select(
        [role == HEAD, role == SPOUSE, (role == CHILD) | (role == MARRIED_SON), role == DAUGHTER_IN_LAW,
         role == GRANDCHILD, role == FATHER],
        [R_HEAD, R_SPOUSE, np.where(male, R_SON, R_DAUGHTER), R_DIL,
         np.where(male, R_GRANDSON, R_GRANDDAUGHTER), R_FATHER],
        default=R_MOTHER,
    )  # fmt: skip


def blocks(ctx: Context, offsets: np.ndarray) -> Iterator[Block]:
    """Every block of the population in order (for tests and small runs)."""
    for block in range(ctx.blocks):
        yield generate_block(ctx, block, int(offsets[block]))


# --- Planted errors (a truth table beside them) ----------------------------------------

# Shares of a block: married daughters still listed in their parents' family and again in
# their husband's, re-entered with an error; families with a pincode of another district;
# children older than a parent.
DUPLICATE_SHARE = 0.012  # of members
PINCODE_SHARE = 0.002  # of families
OLDER_CHILD_SHARE = 0.001  # of members
# Where the second record of a re-entered person is, and what it keeps (decision 1174):
# most marriages in the state are within the district, many within a few villages; a
# clerk re-entering a person writes down the father; her own phone goes with her.
SAME_VILLAGE_SHARE = 0.5
SAME_DISTRICT_SHARE = 0.4
KEEPS_FATHER_SHARE = 0.8
KEEPS_MOBILE_SHARE = 0.4


@dataclass
class PlantingTarget:
    """The block's columns planting rewrites in place."""

    role: np.ndarray
    male: np.ndarray
    age: np.ndarray
    family_of: np.ndarray
    mother: np.ndarray
    father: np.ndarray
    name_en: list[str]
    name_hi: list[str]
    given_key: list[str]
    surname_key: list[str]
    dob: np.ndarray
    pincode: list[str]
    district_index: np.ndarray
    geography: Geography
    member_ids: list[str]
    family_ids: list[str]
    mobile: list[str]
    # The families' place, rewritten together when a family is moved next to another.
    district: np.ndarray
    tehsil: np.ndarray
    admin_block: np.ndarray
    urban_body: np.ndarray
    village: np.ndarray
    urban: np.ndarray

    def move_family(self, family: int, to: int) -> None:
        """Put ``family`` in the place of family ``to`` (same village or town, pincode, tehsil)."""
        for column in (self.district, self.district_index, self.tehsil, self.admin_block, self.urban_body,
                       self.village, self.urban):  # fmt: skip
            column[family] = column[to]
        self.pincode[family] = self.pincode[to]


def _distinct_sibling_names(rng: np.random.Generator, t: PlantingTarget) -> None:
    """Give two children of one parent with one given name different names.

    The generator draws siblings' given names independently from short lists, so a few
    families hold two living children of one name and one father. Parents do not do
    that, and in a register such a pair is far more likely one child entered twice: on
    the register being measured they would count as wrong pairs the model is right to
    propose. The later sibling takes the given name of another member of the block of
    the same gender.
    """
    seen: set[tuple[int, str]] = set()
    for i in range(len(t.role)):
        parent = int(t.father[i]) if t.father[i] >= 0 else int(t.mother[i])
        if parent < 0 or not t.given_key[i]:
            continue
        if (parent, t.given_key[i]) not in seen:
            seen.add((parent, t.given_key[i]))
            continue
        for _ in range(20):
            other = int(rng.integers(0, len(t.role)))
            if t.male[other] != t.male[i] or (parent, t.given_key[other]) in seen:
                continue
            given_en = t.name_en[other].partition(" ")[0] if t.name_en[other] else ""
            given_hi = t.name_hi[other].partition(" ")[0] if t.name_hi[other] else ""
            if (t.name_en[i] and not given_en) or (t.name_hi[i] and not given_hi):
                continue
            if t.name_en[i]:
                t.name_en[i] = " ".join([given_en, *t.name_en[i].split(" ")[1:]])
            if t.name_hi[i]:
                t.name_hi[i] = " ".join([given_hi, *t.name_hi[i].split(" ")[1:]])
            t.given_key[i], t.surname_key[i] = name_keys(t.name_en[i], t.name_hi[i])
            seen.add((parent, t.given_key[i]))
            break


def plant_errors(rng: np.random.Generator, t: PlantingTarget) -> dict[str, tuple[str, str]]:
    """Rewrite a few records of the block into the errors a real register holds; return the truth."""

    truth: dict[str, tuple[str, str]] = {}
    m = len(t.role)
    _distinct_sibling_names(rng, t)
    # Same person in two families: a grown daughter of one family is re-entered as the
    # daughter-in-law of another, with one error from ``errors``. Where the second family
    # lives, and what of the first record it carries, follows how re-entry happens in a
    # family register (decision 1174): mostly the same village or district, the father
    # usually kept, her own mobile sometimes kept.
    daughters = np.flatnonzero((t.role == CHILD) & ~t.male & (t.age >= 18))
    wives = np.flatnonzero(t.role == DAUGHTER_IN_LAW)
    count = min(round(DUPLICATE_SHARE * m), len(daughters), len(wives))
    sources = rng.permutation(daughters)[:count]
    free = rng.permutation(wives).tolist()
    taken: set[int] = set()
    source_families = set(t.family_of[sources].tolist())
    moved: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for source in sources.tolist():
        home = int(t.family_of[source])
        place = rng.random()
        candidates = [w for w in free if w not in taken and int(t.family_of[w]) != home]
        if SAME_VILLAGE_SHARE <= place < SAME_VILLAGE_SHARE + SAME_DISTRICT_SHARE:
            near = [w for w in candidates if t.district[t.family_of[w]] == t.district[home]]
            candidates = near or candidates
        if not candidates:
            continue
        target = candidates[int(rng.integers(0, len(candidates)))]
        taken.add(target)
        family = int(t.family_of[target])
        if place < SAME_VILLAGE_SHARE and family not in moved and family not in source_families:
            t.move_family(family, home)
            moved.add(family)
        if t.father[source] >= 0 and rng.random() < KEEPS_FATHER_SHARE:
            t.father[target] = t.father[source]
        if t.mobile[source] and rng.random() < KEEPS_MOBILE_SHARE:
            t.mobile[target] = t.mobile[source]
        pairs.append((source, target))
    for source, target in pairs:
        kind = errors.DUPLICATE_KINDS[int(rng.integers(0, len(errors.DUPLICATE_KINDS)))]
        name_en, name_hi = t.name_en[source], t.name_hi[source]
        born = date.fromordinal(date(1970, 1, 1).toordinal() + int(t.dob[source]))
        if kind == "typo" and name_en:
            given, _, rest = name_en.partition(" ")
            name_en = f"{errors.typo(given, rng)} {rest}".strip()
        elif kind == "other_script" and name_hi:
            name_en = to_latin(name_hi)  # entered in Devanagari, Latin spelt by the system
        elif kind == "swapped_date":
            born = errors.swapped(born) or born
        elif kind == "year_only":
            born = date(born.year, 1, 1)
        elif kind == "year_off_by_one":
            born = errors.year_off_by_one(born, rng)
        elif kind == "father_initial":
            # The register links the father (a member), it does not spell him; an
            # abbreviated father is planted only in the lookalike lists, which carry names.
            kind = "clean_copy"
        t.name_en[target], t.name_hi[target] = name_en, name_hi
        t.given_key[target], t.surname_key[target] = name_keys(name_en, name_hi)
        t.dob[target] = (born - date(1970, 1, 1)).days
        truth[t.member_ids[target]] = (f"duplicate:{kind}", t.member_ids[source])
    # A pincode of another district.
    geo = t.geography.districts
    if len(geo) > 1:
        for family in np.flatnonzero(rng.random(len(t.pincode)) < PINCODE_SHARE).tolist():
            other = geo[(int(t.district_index[family]) + 1) % len(geo)]
            t.pincode[family] = str(other.village_pincodes[0])
            truth[t.family_ids[family]] = ("pincode_outside_district", "")
    # A child older than a parent.
    children = np.flatnonzero((t.role == CHILD) & (t.father >= 0))
    for child in children[rng.random(len(children)) < OLDER_CHILD_SHARE * m / max(len(children), 1)].tolist():
        t.dob[child] = t.dob[t.father[child]] - int(rng.integers(30, 2000))
        truth[t.member_ids[child]] = ("child_older_than_parent", t.member_ids[t.father[child]])
    return truth
