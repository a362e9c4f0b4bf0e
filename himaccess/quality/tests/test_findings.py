"""Contradictions in the register become findings for the official of the area; the family answers."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from himaccess.audit.models import DataAccess
from himaccess.conftest import Personas
from himaccess.quality.actions import run_rules
from himaccess.quality.models import Finding, FindingAnswer, Rule
from himaccess.registry.models import Family, Member


def _legacy_import(member: Member, **values: Any) -> None:
    # The register's actions refuse these contradictions; they arrive with imported
    # legacy records, which is what the rules are for.
    Member.objects.filter(pk=member.pk).update(**values)


def test_contradictions_become_findings_with_a_deadline(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    _legacy_import(ravi, date_of_birth=date(1970, 1, 1), name_hi="")
    Family.objects.filter(pk=personas.kangra_family.pk).update(pincode="175001")  # a Mandi pincode
    figures = run_rules(today=date(2026, 12, 1))
    rules = set(Finding.objects.open().values_list("rule", flat=True))
    assert {
        Rule.CHILD_OLDER_THAN_PARENT,
        Rule.NAME_SCRIPT_MISSING,
        Rule.AGE_NOT_FITTING_RELATION,
        Rule.PINCODE_OUTSIDE_DISTRICT,
    } <= rules
    older = Finding.objects.get(rule=Rule.CHILD_OLDER_THAN_PARENT)
    assert older.family == personas.asha_family and older.member == ravi
    assert older.deadline == date(2026, 12, 31)
    assert older.district_id == personas.asha_family.district_id
    assert figures["opened"] == Finding.objects.count()
    # A second run opens nothing again; a fixed record resolves its finding.
    assert run_rules(today=date(2026, 12, 1))["opened"] == 0
    _legacy_import(ravi, date_of_birth=date(2001, 9, 3), name_hi="रवि कुमार")
    figures = run_rules(today=date(2026, 12, 2))
    assert not Finding.objects.open().filter(member=ravi).exists()
    assert figures["resolved"] >= 3


def test_a_clean_register_has_no_findings(personas: Personas) -> None:
    run_rules()
    assert not Finding.objects.exists()


def test_family_sees_and_answers_its_findings(personas: Personas) -> None:
    _legacy_import(personas.member(personas.ravi), name_hi="")
    run_rules()
    finding = Finding.objects.get()
    client = personas.client_for(personas.asha)
    url = f"/quality/families/{personas.asha_family.family_id}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Hindi or in English" in page.content.decode()
    response = client.post(url, {"finding": finding.pk, "text": "रवि का नाम हिंदी में रवि कुमार है"})
    assert response.status_code == 302
    answer = FindingAnswer.objects.get()
    assert answer.finding == finding and answer.actor == personas.asha


@pytest.mark.parametrize("persona", ["karan", "vikram", "sunita"])
def test_others_cannot_see_or_answer_a_family_s_findings(personas: Personas, persona: str) -> None:
    _legacy_import(personas.member(personas.ravi), name_hi="")
    run_rules()
    finding = Finding.objects.get()
    client = personas.client_for(getattr(personas, persona))
    url = f"/quality/families/{personas.asha_family.family_id}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"finding": finding.pk, "text": "not mine"}).status_code == 404
    assert not FindingAnswer.objects.exists()


@pytest.mark.parametrize("persona", ["meena", "suresh"])
def test_officials_of_the_area_read_but_cannot_answer_in_the_family_s_name(
    personas: Personas, persona: str
) -> None:
    _legacy_import(personas.member(personas.ravi), name_hi="")
    run_rules()
    finding = Finding.objects.get()
    client = personas.client_for(getattr(personas, persona))
    url = f"/quality/families/{personas.asha_family.family_id}/"
    assert client.get(url).status_code == 200
    read = DataAccess.objects.get(family=personas.asha_family)
    assert read.user == getattr(personas, persona) and read.purpose == "data quality findings"
    assert client.post(url, {"finding": finding.pk, "text": "answered for them"}).status_code == 404
    assert not FindingAnswer.objects.exists()


def test_a_finding_of_another_family_cannot_be_answered_from_one_s_own_page(personas: Personas) -> None:
    _legacy_import(personas.member(personas.karan), name_hi="")
    run_rules()
    finding = Finding.objects.get()
    url = f"/quality/families/{personas.asha_family.family_id}/"
    response = personas.client_for(personas.asha).post(url, {"finding": finding.pk, "text": "x"})
    assert response.status_code == 404
    assert not FindingAnswer.objects.exists()


@pytest.mark.parametrize(
    "data", [{"text": ""}, {"text": "a\x00b"}, {"text": "x" * 1200}, {"finding": "abc", "text": "x"}]
)
def test_bad_answers_are_refused(personas: Personas, data: dict[str, Any]) -> None:
    _legacy_import(personas.member(personas.ravi), name_hi="")
    run_rules()
    finding = Finding.objects.get()
    payload = {"finding": finding.pk, **data}
    response = personas.client_for(personas.asha).post(
        f"/quality/families/{personas.asha_family.family_id}/", payload
    )
    assert response.status_code in (400, 404)
    assert not FindingAnswer.objects.exists()


def test_report_scores_districts_with_chart_and_table(personas: Personas) -> None:
    _legacy_import(personas.member(personas.ravi), name_hi="")
    run_rules()
    page = personas.client_for(personas.meena).get("/quality/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert re.search(r"<table[ >]", html) and "Quality score by district" in html
    # Mandi tehsil: Asha's family (one finding, 80) and Karan's (100).
    assert "90.0" in html
    kangra = personas.client_for(personas.vikram).get("/quality/").content.decode()
    assert "Mandi" not in kangra and personas.asha_family.display_id not in kangra


@pytest.mark.parametrize("persona", ["asha", "sunita"])
def test_report_is_for_officials_of_the_register(personas: Personas, persona: str) -> None:
    response = personas.client_for(getattr(personas, persona)).get("/quality/")
    assert response.status_code == 404
