"""What the levels tell apart: a typo from a sibling, one person from a namesake at home."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from himaccess.conftest import Personas, mandi_address
from himaccess.linkage import actions
from himaccess.linkage import model as linkage_model
from himaccess.linkage.management.commands.linkage import SHIPPED_MODEL
from himaccess.linkage.models import TrainedModel
from himaccess.linkage.records import LinkageRecord, make_record
from himaccess.registry.actions import families, members
from himaccess.registry.models import Gender, Member, Relation, Source

MODEL: dict[str, Any] = json.loads(SHIPPED_MODEL.read_text(encoding="utf-8"))


def _person(unique_id: str, name: str, **overrides: Any) -> LinkageRecord:
    details: dict[str, Any] = {
        "father_name": "Mohan Lal",
        "father_ref": "M-MOHAN",
        "gender": "F",
        "born": date(2004, 6, 10),
        "district": 22,
        "village": "1204",
        "mobile": "9816011111",
    }
    details.update(overrides)
    return make_record(unique_id, name=name, **details)


def _score(left: LinkageRecord, right: LinkageRecord) -> linkage_model.Score:
    return linkage_model.score_pairs(left, [right], MODEL)[0]


def _level(score: linkage_model.Score, comparison: str) -> str:
    return {e.comparison: e.level for e in score.evidence}[comparison]


def test_the_shipped_model_has_this_codes_levels() -> None:
    assert linkage_model.fits(MODEL)


def test_a_typo_the_phonetic_key_folds_away_is_one_letter_apart() -> None:
    # "Vdihi" keys to "vdihi" and Vidhi to "vidi": the keys are two edits apart, the spelling one.
    vidhi = _person("A", "Vidhi Saini")
    typed = _person("B", "Vdihi Saini", mobile="", village="966")
    assert vidhi.given_key != typed.given_key
    score = _score(vidhi, typed)
    assert _level(score, "given_name") == "one letter apart"
    assert score.match_probability >= 0.9


def test_a_sister_named_alike_is_a_sibling_not_a_typo() -> None:
    # One father's record, names one letter apart, born two years apart: Aman and Amar.
    aman = _person("A", "Aman Saini", gender="M", born=date(2004, 6, 10))
    amar = _person("B", "Amar Saini", gender="M", born=date(2006, 2, 1))
    score = _score(aman, amar)
    assert _level(score, "given_name") == "another name, a sibling's"
    assert score.match_probability < 0.01


def test_a_sibling_whose_birthday_is_only_a_year_is_still_a_sibling() -> None:
    older = _person("A", "Neha Saini", born=date(2001, 3, 4))
    younger = make_record("B", name="Pooja Saini", father_name="Mohan Lal", father_ref="M-MOHAN", gender="F",
                          born_year=2001, district=22, village="1204", mobile="9816011111")  # fmt: skip
    score = _score(older, younger)
    assert _level(score, "given_name") == "another name, a sibling's"
    assert score.match_probability < 0.01


def test_twins_named_sonu_and_monu_are_twins() -> None:
    sonu = _person("A", "Sonu Saini", gender="M", father_ref=None)
    monu = _person("B", "Monu Saini", gender="M", father_ref=None)
    score = _score(sonu, monu)
    assert _level(score, "given_name") == "another name, a twin's"
    assert score.match_probability < 0.01


def test_a_namesake_of_another_generation_in_one_household_is_kept_apart() -> None:
    # A father and his namesake son: one name, one mobile, one village, thirty years apart.
    father = _person(
        "A", "Tanish Rathore", gender="M", father_ref=None, father_name="", born=date(1972, 4, 7)
    )
    son = _person(
        "B", "Tanish Rathore", gender="M", father_ref="A", father_name="Tanish", born=date(2001, 9, 11)
    )
    score = _score(father, son)
    assert _level(score, "date_of_birth") == "a generation apart"
    assert _level(score, "place") == "same mobile"
    assert score.match_probability < 0.1


def test_one_father_record_is_stronger_evidence_than_one_fathers_name() -> None:
    linked = _score(_person("A", "Ritu Negi"), _person("B", "Ritu Negi", born=date(2005, 6, 10), mobile=""))
    named = _score(
        _person("A", "Ritu Negi", father_ref=None),
        _person("B", "Ritu Negi", father_ref=None, born=date(2005, 6, 10), mobile=""),
    )
    assert _level(linked, "relative") == "same person linked"
    assert _level(named, "relative") == "same name"
    assert linked.match_probability > named.match_probability


def test_spark_settings_name_splinks_spark_functions() -> None:
    spark = linkage_model.settings(MODEL, dialect="spark")
    conditions = [level["sql_condition"] for c in spark["comparisons"] for level in c["comparison_levels"]]
    assert not any("jaro_winkler_similarity" in sql for sql in conditions)
    assert any("jaro_winkler(" in sql for sql in conditions)
    assert {rule["sql_dialect"] for rule in spark["blocking_rules_to_generate_predictions"]} == {"spark"}
    duck = linkage_model.settings(MODEL)
    assert {rule["sql_dialect"] for rule in duck["blocking_rules_to_generate_predictions"]} == {"duckdb"}


# --- The one-person check, through the register --------------------------------------


@pytest.fixture
def trained(db: Any) -> TrainedModel:
    return TrainedModel.objects.create(records=0, model=copy.deepcopy(MODEL), threshold=0.9)


def _register(name: str, born: date, mobile: str, house: str) -> Member:
    family = families.register_family(
        mandi_address(house=house),
        members.NewMember(
            name_en=name, gender=Gender.FEMALE, date_of_birth=born, relation=Relation.HEAD, mobile=mobile
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    head = family.head()
    assert head is not None
    return Member.objects.select_related("family", "father", "spouse").get(pk=head.pk)


def test_check_on_entry_finds_a_typo_the_key_folds_away(personas: Personas, trained: TrainedModel) -> None:
    vidhi = _register("Vidhi Thakur", date(1990, 6, 10), "9816000071", house="71")
    again = _register("Vdihi Thakur", date(1990, 6, 10), "9816000072", house="72")
    found = actions.possible_existing(actions.member_record(again), exclude=[again.member_id])
    assert [member.pk for member, _ in found] == [vidhi.pk]
    assert _level(found[0][1], "given_name") == "one letter apart"


def test_check_on_entry_keeps_a_namesake_of_another_generation_apart(
    personas: Personas, trained: TrainedModel
) -> None:
    karan = personas.member(personas.karan)
    son = members.record_birth(
        karan.family,
        members.NewMember(
            name_en="Karan Thakur",
            gender=Gender.MALE,
            date_of_birth=date(2015, 3, 2),
            relation=Relation.SON,
            father=karan,
            mobile=karan.mobile,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    record = actions.member_record(Member.objects.select_related("family", "father", "spouse").get(pk=son.pk))
    assert record.father_ref == karan.member_id
    assert actions.possible_existing(record, exclude=[son.member_id]) == []


def test_a_model_trained_with_other_levels_is_not_used(personas: Personas, trained: TrainedModel) -> None:
    older = copy.deepcopy(MODEL)
    older["comparisons"] = [c for c in older["comparisons"] if c["output_column_name"] != "place"]
    TrainedModel.objects.create(records=0, model=older, threshold=0.5)
    assert actions.latest_model() == trained
    TrainedModel.objects.filter(pk=trained.pk).delete()
    assert actions.latest_model() is None
    assert actions.model_in_force().trained is None  # the shipped model, not the older one
    again = _register("Karan Thakur", date(1985, 1, 20), "9816000003", house="73")
    found = actions.possible_existing(actions.member_record(again), exclude=[again.member_id])
    assert [member.pk for member, _ in found] == [personas.member(personas.karan).pk]


def test_a_new_install_checks_entries_with_the_shipped_model(personas: Personas) -> None:
    # No batch run has trained a model on this register yet.
    assert not TrainedModel.objects.exists()
    # Asha re-entered as head of another Mandi family, with her own number.
    again = _register("Asha Devi", date(1978, 4, 12), "9816000001", house="74")
    found = actions.possible_existing(actions.member_record(again), exclude=[again.member_id])
    assert [member.pk for member, _ in found] == [personas.member(personas.asha).pk]
    assert found[0][1].match_probability >= actions.DEFAULT_THRESHOLD
    stranger = _register("Meera Verma", date(1999, 2, 14), "9816000075", house="75")
    assert actions.possible_existing(actions.member_record(stranger), exclude=[stranger.member_id]) == []
