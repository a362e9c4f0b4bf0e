"""The paired name lists the synthetic population draws from (``data/names``).

Every entry carries both scripts, so a generated person's English and Hindi
names always say the same thing; ``build_names`` made the files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

NAMES_DIR = Path(__file__).resolve().parent.parent / "data" / "names"


@dataclass(frozen=True)
class NamePool:
    """Names of one kind, as parallel arrays (Latin, Devanagari) for fast indexing."""

    latin: np.ndarray
    devanagari: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.latin)


@dataclass(frozen=True)
class NameLists:
    # given[(gender, era)]: gender "M"/"F", era "classic"/"modern"
    given: dict[tuple[str, str], NamePool]
    surnames: NamePool
    tribal_surnames: NamePool


def _pool(rows: list[dict[str, str]], weighted: bool = False) -> NamePool:
    weights = np.array([float(r["weight"]) if weighted else 1.0 for r in rows])
    return NamePool(
        latin=np.array([r["latin"] for r in rows], dtype=object),
        devanagari=np.array([r["devanagari"] for r in rows], dtype=object),
        weights=weights / weights.sum(),
    )


def _read(name: str) -> list[dict[str, str]]:
    with (NAMES_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def name_lists() -> NameLists:
    given_rows = _read("given_names.csv")
    given = {
        (gender, era): _pool([r for r in given_rows if r["gender"] == gender and r["era"] == era])
        for gender in ("M", "F")
        for era in ("classic", "modern")
    }
    surname_rows = _read("surnames.csv")
    return NameLists(
        given=given,
        surnames=_pool(surname_rows, weighted=True),
        tribal_surnames=_pool([r for r in surname_rows if r["tribal"] == "yes"], weighted=True),
    )
