"""A citizen's eligibility is explained clause by clause, with each input's value, source and date."""

from __future__ import annotations

from datetime import date

import time_machine
from django.utils import translation

from himaccess.registry.models import Member
from himaccess.schemes import eligibility
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import EligibilityDecision, Scheme
from himaccess.schemes.tests.conftest import SchemePeople

TODAY = date(2025, 6, 15)


def _decision(member: Member, scheme_id: str) -> EligibilityDecision:
    outcomes = reevaluation.reevaluate_member(member, trigger="test", on=TODAY)
    return next(o.decision for o in outcomes if o.decision.scheme.scheme_id == scheme_id)


def test_asha_is_eligible_for_widow_pension_with_every_clause_explained(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    decision = _decision(asha, "widow_destitute_ekal_nari_pension")
    assert decision.eligible
    assert decision.monthly_amount == 1500
    assert decision.inputs["marital_status"]["value"] == "widowed"
    assert decision.inputs["marital_status"]["source"] == "panchayat"
    assert decision.inputs["marital_status"]["at"]  # the date the register recorded it
    assert decision.inputs["receives_social_pension"]["source"] == "scheme_records"
    texts = [
        line.text for line in eligibility.lines(eligibility.rules.Clause.from_dict(decision.explanation))
    ]
    assert "Gender is Female" in texts
    assert "Marital status is one of: Widowed, Separated / deserted" in texts


def test_explanation_reads_in_hindi(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    decision = _decision(asha, "widow_destitute_ekal_nari_pension")
    with translation.override("hi"):
        texts = [
            line.text for line in eligibility.lines(eligibility.rules.Clause.from_dict(decision.explanation))
        ]
        assert any("लिंग" in text for text in texts)


def test_older_persona_gets_old_age_pension_in_the_70_plus_band(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    decision = _decision(kamla, "old_age_pension_state")
    assert decision.eligible
    assert decision.monthly_amount == 1700
    assert decision.inputs["age"]["value"] == 74


def test_not_eligible_names_the_failing_condition(people: SchemePeople) -> None:
    ravi = people.p.member(people.p.ravi)
    decision = _decision(ravi, "old_age_pension_state")
    assert not decision.eligible
    reason = eligibility.reason(eligibility.rules.Clause.from_dict(decision.explanation))
    assert "Age (completed years) is at least 60" in reason
    assert "23" in reason


def test_unchanged_evaluation_writes_no_new_decision(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    reevaluation.reevaluate_member(asha, trigger="test", on=TODAY)
    count = EligibilityDecision.objects.filter(member=asha).count()
    reevaluation.reevaluate_member(asha, trigger="again", on=TODAY)
    assert EligibilityDecision.objects.filter(member=asha).count() == count


def test_explanation_page_shows_sources_and_the_rule_choice(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    client = people.p.client_for(people.p.asha)
    with time_machine.travel(TODAY):
        client.post(f"/schemes/families/{asha.family.family_id}/check/")
        response = client.get(f"/schemes/members/{asha.member_id}/widow_destitute_ekal_nari_pension/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Panchayat secretary" in body
    assert "devdiscourse-2023-06" in body
    rule = Scheme.objects.get(scheme_id="widow_destitute_ekal_nari_pension").rule_on(TODAY)
    assert rule is not None
    assert rule.choice_note_en[:30] in body


def test_other_family_gets_404_on_explanation(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    client = people.p.client_for(people.p.karan)
    response = client.get(f"/schemes/members/{asha.member_id}/widow_destitute_ekal_nari_pension/")
    assert response.status_code == 404


def test_unknown_scheme_gets_404(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    response = people.p.client_for(people.p.asha).get(f"/schemes/members/{asha.member_id}/no_such_scheme/")
    assert response.status_code == 404


def test_negations_read_positively_and_each_condition_names_its_record(people: SchemePeople) -> None:
    """Asha's widow pension: "not receiving a pension" reads as a sentence, never "must NOT hold"."""
    asha = people.p.member(people.p.asha)
    client = people.p.client_for(people.p.asha)
    with time_machine.travel(TODAY):
        client.post(f"/schemes/families/{asha.family.family_id}/check/")
        body = client.get(
            f"/schemes/members/{asha.member_id}/widow_destitute_ekal_nari_pension/"
        ).content.decode()
    assert "NOT" not in body and "does not hold" not in body
    assert "Met" in body and "Marital status: <strong>Widowed</strong>" in body
    assert (
        "Panchayat secretary"
        in body.split("Marital status: <strong>Widowed</strong>", 1)[1].split("</li>", 1)[0]
    )
    decision = _decision(asha, "widow_destitute_ekal_nari_pension")
    texts = [
        line.text for line in eligibility.lines(eligibility.rules.Clause.from_dict(decision.explanation))
    ]
    assert "Does not receive another social-security pension" in texts


def test_positive_form_keeps_every_verdict() -> None:
    """De Morgan: a failing NOT over ALL becomes an ANY of opposites, each with the same verdict."""
    rule = {
        "not": {"all": [{"attr": "age", "op": ">=", "value": 60}, {"attr": "bpl", "op": "==", "value": True}]}
    }
    clause = eligibility.rules.evaluate(rule, {"age": 64, "bpl": True})
    assert not clause.holds
    positive = eligibility.positive(clause)
    assert positive.kind == "any" and not positive.holds
    assert [(p.op, p.value, p.holds) for p in positive.parts] == [("<", 60, False), ("==", False, False)]
    assert eligibility.reason(clause).startswith("Not met: ")
