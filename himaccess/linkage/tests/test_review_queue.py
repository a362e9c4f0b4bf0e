"""Possible duplicates found when a person is added, and the official's decision on them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from himaccess.conftest import Personas, mandi_address
from himaccess.linkage import actions
from himaccess.linkage import model as linkage_model
from himaccess.linkage.management.commands.linkage import SHIPPED_MODEL
from himaccess.linkage.models import CandidatePair, PairDecision, TrainedModel
from himaccess.registry.actions import families, members
from himaccess.registry.models import ChangeRequest, Family, Gender, Member, Relation, Source


@pytest.fixture
def trained(db: Any) -> TrainedModel:
    model = json.loads(SHIPPED_MODEL.read_text(encoding="utf-8"))
    return TrainedModel.objects.create(records=0, model=model, threshold=0.9)


def _karan_again(**overrides: Any) -> Family:
    """Karan entered a second time, in Hindi only, as head of another Mandi family."""
    details: dict[str, Any] = {
        "name_en": "",
        "name_hi": "करण ठाकुर",
        "gender": Gender.MALE,
        "date_of_birth": date(1985, 1, 20),
        "relation": Relation.HEAD,
        "mobile": "9816000003",
    }
    details.update(overrides)
    return families.register_family(
        mandi_address(house="90"), members.NewMember(**details), acting_user=None, source=Source.PANCHAYAT
    )


def _queued(family: Family) -> list[CandidatePair]:
    member = family.members.get()
    return actions.queue_on_entry(Member.objects.select_related("family").get(pk=member.pk))


def test_person_entered_again_in_other_script_is_queued(personas: Personas, trained: TrainedModel) -> None:
    pairs = _queued(_karan_again())
    assert len(pairs) == 1
    pair = pairs[0]
    karan = personas.member(personas.karan)
    assert karan.pk in (pair.member_l_id, pair.member_r_id)
    assert pair.match_probability >= 0.9
    levels = {e["comparison"]: e["level"] for e in pair.evidence}
    assert levels["given_name"] == "same key"
    assert levels["date_of_birth"] == "same date"


def test_namesake_with_other_birthday_and_mobile_is_not_queued(
    personas: Personas, trained: TrainedModel
) -> None:
    family = _karan_again(date_of_birth=date(1971, 8, 9), mobile="9816000077")
    assert _queued(family) == []


def test_adding_a_member_queues_after_commit(
    personas: Personas, trained: TrainedModel, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _karan_again()
    assert CandidatePair.objects.filter(origin=CandidatePair.Origin.ON_ENTRY).count() == 1


def test_without_a_trained_model_the_shipped_one_queues_and_adding_works(personas: Personas, db: Any) -> None:
    # A new install: no batch run has trained a model on the register yet.
    assert not TrainedModel.objects.exists()
    family = _karan_again()
    assert family.members.count() == 1
    pairs = _queued(family)
    assert len(pairs) == 1
    assert personas.member(personas.karan).pk in (pairs[0].member_l_id, pairs[0].member_r_id)
    assert pairs[0].match_probability >= actions.DEFAULT_THRESHOLD
    # A namesake born on another day, with another number, is not.
    assert _queued(_karan_again(date_of_birth=date(1971, 8, 9), mobile="9816000077")) == []


def test_official_of_the_area_sees_and_decides_different(personas: Personas, trained: TrainedModel) -> None:
    pair = _queued(_karan_again())[0]
    client = personas.client_for(personas.meena)
    assert pair.reference in client.get("/duplicates/").content.decode()
    page = client.get(f"/duplicates/pairs/{pair.reference}/")
    assert page.status_code == 200
    assert "करण ठाकुर" in page.content.decode()
    response = client.post(f"/duplicates/pairs/{pair.reference}/decide/", {"decision": "different"})
    assert response.status_code == 302
    decision = PairDecision.objects.get(pair=pair)
    assert decision.kind == PairDecision.Kind.DIFFERENT
    assert decision.actor == personas.meena
    pair.refresh_from_db()
    assert pair.status == CandidatePair.Status.DIFFERENT
    # Never proposed again.
    second = (
        Family.objects.exclude(pk__in=[personas.karan_family.pk])
        .filter(members__name_hi="करण ठाकुर", members__name_en="Karan Thakur")
        .exclude(pk=personas.karan_family.pk)
        .first()
    )
    assert second is not None
    assert _queued(second) == []
    again = client.post(f"/duplicates/pairs/{pair.reference}/decide/", {"decision": "same"})
    assert again.status_code == 400
    assert PairDecision.objects.count() == 1


def test_same_person_files_a_merge_of_the_two_families(personas: Personas, trained: TrainedModel) -> None:
    family = _karan_again()
    pair = _queued(family)[0]
    response = personas.client_for(personas.meena).post(
        f"/duplicates/pairs/{pair.reference}/decide/", {"decision": "same", "note": "one man"}
    )
    assert response.status_code == 302
    decision = PairDecision.objects.get(pair=pair)
    assert decision.change_request is not None
    assert decision.change_request.kind == ChangeRequest.Kind.MERGE
    assert decision.change_request.status == ChangeRequest.Status.PENDING
    assert {decision.change_request.family_id, decision.change_request.other_family_id} == {
        personas.karan_family.pk,
        family.pk,
    }


@pytest.mark.parametrize("persona", ["vikram", "asha", "karan", "sunita"])
def test_others_cannot_see_or_decide_the_pair(
    personas: Personas, trained: TrainedModel, persona: str
) -> None:
    pair = _queued(_karan_again())[0]
    client = personas.client_for(getattr(personas, persona))
    assert client.get(f"/duplicates/pairs/{pair.reference}/").status_code == 404
    assert (
        client.post(f"/duplicates/pairs/{pair.reference}/decide/", {"decision": "different"}).status_code
        == 404
    )
    queue = client.get("/duplicates/")
    if persona == "vikram":  # an official of the register, with his own (empty) queue
        assert queue.status_code == 200 and pair.reference not in queue.content.decode()
    else:
        assert queue.status_code == 404
    assert not PairDecision.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "maybe"},
        {},
        {"decision": "different", "note": "bad\x00note"},
        {"decision": "different", "note": "x" * 600},
    ],
)
def test_bad_decision_input_is_refused_and_nothing_written(
    personas: Personas, trained: TrainedModel, data: dict[str, str]
) -> None:
    pair = _queued(_karan_again())[0]
    response = personas.client_for(personas.meena).post(f"/duplicates/pairs/{pair.reference}/decide/", data)
    assert response.status_code == 400
    assert not PairDecision.objects.exists()
    pair.refresh_from_db()
    assert pair.status == CandidatePair.Status.OPEN


def test_get_on_decide_is_refused(personas: Personas, trained: TrainedModel) -> None:
    pair = _queued(_karan_again())[0]
    assert (
        personas.client_for(personas.meena).get(f"/duplicates/pairs/{pair.reference}/decide/").status_code
        == 405
    )


def test_decisions_recalibrate_the_threshold(personas: Personas, trained: TrainedModel) -> None:
    assert actions.recalibrated_threshold() is None
    family = _karan_again()
    pair = _queued(family)[0]
    actions.decide_pair(pair, same=False, acting_user=personas.meena)
    assert actions.recalibrated_threshold(minimum_decisions=1) is None  # no score reaches 98 % same
    assert actions.apply_recalibration(acting_user=personas.meena) is None


def test_every_level_of_the_model_has_words_for_the_review_page() -> None:
    for comparison in linkage_model.COMPARISONS:
        assert comparison.name in linkage_model.COMPARISON_TITLES
        for level in comparison.levels:
            assert level.label in linkage_model.LEVEL_TITLES, (comparison.name, level.label)


def test_the_evidence_reads_in_hindi_on_the_hindi_page(personas: Personas, trained: TrainedModel) -> None:
    pair = _queued(_karan_again())[0]
    client = personas.client_for(personas.meena)
    hindi = client.get(f"/duplicates/pairs/{pair.reference}/", HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    english = client.get(f"/duplicates/pairs/{pair.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Karan typed again in Hindi only: one name, one birthday, one mobile.
    for words in ("पहला नाम", "जन्म तिथि", "वही तारीख", "वही मोबाइल नंबर", "लिंग"):
        assert words in hindi
    for label in ("same key", "same date", "same mobile", "given_name", "date_of_birth"):
        assert f">{label}<" not in hindi
    assert ">the same date<" in english and ">Given name<" in english
    assert "वही तारीख" not in english


def test_evidence_kept_from_an_older_model_is_shown_as_stored() -> None:
    rows = linkage_model.evidence_rows([{"comparison": "eye_colour", "level": "brown", "weight": 1.5}])
    assert rows == [linkage_model.EvidenceRow("eye_colour", "brown", 1.5)]
