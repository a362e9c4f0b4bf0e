"""State administrators edit rules on a page that validates them and previews their impact."""

from __future__ import annotations

import json

from django.test import Client
from django.utils import translation

from himaccess.conftest import ClientResponse
from himaccess.lib.rules import InvalidRule
from himaccess.schemes.models import RuleVersion, Scheme
from himaccess.schemes.tests.conftest import SchemePeople
from himaccess.schemes.vocabulary import validate

BANDS = json.dumps([{"when": {"all": []}, "amount": 1500, "label_en": "all", "label_hi": "सभी"}])


def _post(client: Client, rule: str, **extra: str) -> ClientResponse:
    data = {
        "rule": rule,
        "bands": BANDS,
        "effective_from": "2025-07-01",
        "choice_note_en": "test",
        "choice_note_hi": "",
    }
    data.update(extra)
    return client.post("/schemes/rules/widow_destitute_ekal_nari_pension/", data)


def test_unknown_attribute_is_refused_with_its_position(people: SchemePeople) -> None:
    client = people.p.client_for(people.anil)
    response = _post(
        client,
        json.dumps(
            {
                "all": [
                    {"attr": "gender", "op": "==", "value": "F"},
                    {"attr": "caste", "op": "==", "value": "x"},
                ]
            }
        ),
    )
    assert response.status_code == 400
    assert "all[1].attr" in response.content.decode()
    assert "Unknown attribute" in response.content.decode()
    assert RuleVersion.objects.filter(scheme__scheme_id="widow_destitute_ekal_nari_pension").count() == 1


def test_type_and_operator_errors_are_positioned_and_bilingual() -> None:
    rule = {
        "any": [
            {"attr": "age", "op": ">=", "value": "sixty"},
            {"not": {"attr": "bpl", "op": "<", "value": True}},
        ]
    }
    try:
        validate(rule)
    except InvalidRule as exc:
        positions = [e.position for e in exc.errors]
    assert positions == ["any[0].value", "any[1].not.op"]
    with translation.override("hi"):
        try:
            validate({"attr": "colour", "op": "==", "value": 1})
        except InvalidRule as exc:
            assert "अज्ञात" in exc.errors[0].message


def test_bad_json_and_bad_band_are_refused(people: SchemePeople) -> None:
    client = people.p.client_for(people.anil)
    assert _post(client, "{not json").status_code == 400
    response = _post(client, json.dumps({"all": []}), bands=json.dumps([{"when": {"all": []}, "amount": -5}]))
    assert response.status_code == 400
    assert "[0].amount" in response.content.decode()


def test_draft_shows_district_impact_then_publishes(people: SchemePeople) -> None:
    client = people.p.client_for(people.anil)
    stricter = json.dumps(
        {
            "all": [
                {"attr": "gender", "op": "==", "value": "F"},
                {"attr": "marital_status", "op": "==", "value": "widowed"},
                {"attr": "age", "op": ">=", "value": 50},
            ]
        }
    )
    response = _post(client, stricter)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert "Mandi" in body and "Asha Devi" in body and "loses" in body
    assert client.post(response["Location"]).status_code == 302
    assert (
        Scheme.objects.get(scheme_id="widow_destitute_ekal_nari_pension")
        .versions.filter(status="published")
        .count()
        == 2
    )


def test_rule_pages_are_for_state_administrators_only(people: SchemePeople) -> None:
    for user in (people.p.asha, people.priya, people.p.meena):
        assert people.p.client_for(user).get("/schemes/rules/").status_code == 404
    assert people.p.client_for(people.anil).get("/schemes/rules/").status_code == 200
