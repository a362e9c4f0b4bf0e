"""The synthetic register's planted duplicates, and term frequencies in the one-person check."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from himaccess.linkage import model as linkage_model
from himaccess.linkage.records import make_record
from himaccess.registry.synthetic.population import Block, Context, generate_block, load_geography

SHIPPED = Path(linkage_model.__file__).resolve().parent / "data" / "model.json"


def _planted_block() -> Block:
    ctx = Context(1, 1000, date(2026, 12, 1), "", "test-key", 0, 0, 0, 0, 0, load_geography(),
                  plant_errors=True)  # fmt: skip
    return generate_block(ctx, 0, 0)


def _column(block: Block, table: str, name: str) -> list[Any]:
    from himaccess.registry.synthetic.population import python_values

    source = block.members if table == "members" else block.families
    return list(python_values(source.columns[name], source.length))


@pytest.mark.django_db
def test_planted_duplicates_stay_near_home_and_mostly_keep_the_father() -> None:
    block = _planted_block()
    index = {member_id: i for i, member_id in enumerate(_column(block, "members", "member_id"))}
    family = _column(block, "members", "family_id")
    father = _column(block, "members", "father_id")
    district = dict(
        zip(_column(block, "families", "id"), _column(block, "families", "district_id"), strict=True)
    )
    pairs = [(index[a], index[b]) for a, (kind, b) in block.planted.items() if kind.startswith("duplicate:")]
    assert len(pairs) >= 20
    assert all(family[a] != family[b] for a, b in pairs)
    same_district = sum(district[family[a]] == district[family[b]] for a, b in pairs)
    same_father = sum(father[a] is not None and father[a] == father[b] for a, b in pairs)
    # Shares planted: 90 % within the district, 80 % keeping the father (of those who have one).
    assert same_district / len(pairs) >= 0.75
    with_father = sum(father[a] is not None for a, _ in pairs)
    assert with_father >= 10
    assert same_father / with_father >= 0.6


@pytest.mark.django_db
def test_no_two_children_of_one_parent_share_a_given_name_when_planting() -> None:
    block = _planted_block()
    keys = _column(block, "members", "given_key")
    father = _column(block, "members", "father_id")
    mother = _column(block, "members", "mother_id")
    ids = _column(block, "members", "member_id")
    seen: set[tuple[int, str]] = set()
    for member_id, key, f, m in zip(ids, keys, father, mother, strict=True):
        parent = f if f is not None else m
        # A planted duplicate is, on purpose, a second child of one father with one name.
        if parent is None or not key or member_id in block.planted:
            continue
        assert (parent, key) not in seen
        seen.add((parent, key))


def _model_with_shares(shares: dict[str, float]) -> dict[str, Any]:
    model: dict[str, Any] = copy.deepcopy(json.loads(SHIPPED.read_text(encoding="utf-8")))
    model["term_frequencies"] = {"given_key": shares, "surname_key": {}}
    return model


def test_a_common_given_name_is_weaker_evidence_than_a_rare_one() -> None:
    def pair(name: str) -> tuple[Any, Any]:
        left = make_record("A", name=f"{name} Sharma", gender="M", born=date(1990, 5, 6), district=2)
        right = make_record("B", name=f"{name} Sharma", gender="M", born=date(1990, 5, 6), district=2)
        return left, right

    common_l, common_r = pair("Ajay")
    rare_l, rare_r = pair("Zorawar")
    model = _model_with_shares({common_l.given_key or "": 0.05, rare_l.given_key or "": 1e-6})
    common = linkage_model.score_pairs(common_l, [common_r], model)[0]
    rare = linkage_model.score_pairs(rare_l, [rare_r], model)[0]
    given = {e.comparison: e.weight for e in common.evidence}["given_name"]
    assert common.match_probability < rare.match_probability
    assert given < {e.comparison: e.weight for e in rare.evidence}["given_name"]
    # A name not seen in training keeps the level's own weight.
    plain = linkage_model.score_pairs(common_l, [common_r], _model_with_shares({}))[0]
    assert {e.comparison: e.weight for e in plain.evidence}["given_name"] > given
