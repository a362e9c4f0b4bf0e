"""Register forms choose nothing for the person filling them, and offer only plausible people.

Suresh (panchayat secretary) reports a birth in Asha's family: nothing is preselected (the lists
start at "Choose…"), Ravi (a man) is not offered as the mother, a baby born last month is offered
as nobody's parent, and a parent less than twelve years older than the child is refused.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django import forms
from django.utils import timezone, translation

from himaccess.conftest import Personas
from himaccess.registry.actions import members
from himaccess.registry.forms import BirthForm, MarriageInForm, MemberField
from himaccess.registry.models import Gender, Relation, Source

pytestmark = pytest.mark.django_db


def _baby(personas: Personas) -> str:
    asha = personas.member(personas.asha)
    baby = members.record_birth(
        personas.asha_family,
        members.NewMember(
            name_en="Guddi",
            name_hi="गुड्डी",
            gender=Gender.FEMALE,
            date_of_birth=timezone.localdate() - timedelta(days=30),
            relation=Relation.GRANDDAUGHTER,
            mother=asha,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    return baby.member_id


def _offered(form: forms.Form, name: str) -> list[object]:
    field = form.fields[name]
    assert isinstance(field, MemberField) and isinstance(field.choices, list)
    return [value for value, _label in field.choices]


def test_birth_form_preselects_nothing_and_offers_plausible_parents(personas: Personas) -> None:
    baby = _baby(personas)
    form = BirthForm(family=personas.asha_family)
    html = str(form)
    assert '<option value="" selected>' in html
    mothers = _offered(form, "mother")
    fathers = _offered(form, "father")
    assert personas.member(personas.asha).member_id in mothers
    assert personas.member(personas.ravi).member_id not in mothers
    assert personas.member(personas.ravi).member_id in fathers
    assert baby not in mothers and baby not in fathers
    spouses = _offered(MarriageInForm(family=personas.asha_family), "spouse")
    assert baby not in spouses


def test_a_submitted_infant_parent_is_refused(personas: Personas) -> None:
    baby = _baby(personas)
    form = BirthForm(
        {
            "name_en": "Munna",
            "gender": "M",
            "date_of_birth": timezone.localdate().isoformat(),
            "relation": "grandson",
            "mother": baby,
        },
        family=personas.asha_family,
    )
    assert not form.is_valid()
    assert "mother" in form.errors


def test_gender_and_relation_must_be_chosen(personas: Personas) -> None:
    form = BirthForm({"name_en": "Munna", "date_of_birth": "2024-01-01"}, family=personas.asha_family)
    assert not form.is_valid()
    assert {"gender", "relation"} <= set(form.errors)


@pytest.mark.parametrize(("language", "choose"), [("en", "Choose…"), ("hi", "चुनें…")])
def test_lists_nobody_may_leave_unchosen_start_at_choose(
    personas: Personas, language: str, choose: str
) -> None:
    with translation.override(language):
        html = str(BirthForm(family=personas.asha_family))
    for name in ("gender", "relation"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
        assert select is not None
        assert f'<option value="" selected>{choose}</option>' in select.group(0)


def test_a_parent_younger_than_twelve_at_the_birth_is_refused(personas: Personas) -> None:
    """Meera is 13 today and so offered as a mother, but was 11 when the child was born."""
    asha = personas.member(personas.asha)
    meera = members.record_birth(
        personas.asha_family,
        members.NewMember(
            name_en="Meera",
            name_hi="मीरा",
            gender=Gender.FEMALE,
            date_of_birth=timezone.localdate() - timedelta(days=13 * 366),
            relation=Relation.GRANDDAUGHTER,
            mother=asha,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    form = BirthForm(family=personas.asha_family)
    assert meera.member_id in _offered(form, "mother")
    born = meera.date_of_birth + timedelta(days=11 * 366)
    refused = BirthForm(
        {
            "name_en": "Munna",
            "gender": "M",
            "date_of_birth": born.isoformat(),
            "relation": "other",
            "mother": meera.member_id,
        },
        family=personas.asha_family,
    )
    assert not refused.is_valid()
    assert "Meera" in str(refused.errors["mother"])
    accepted = BirthForm(
        {
            "name_en": "Munna",
            "gender": "M",
            "date_of_birth": timezone.localdate().isoformat(),
            "relation": "other",
            "mother": meera.member_id,
        },
        family=personas.asha_family,
    )
    assert accepted.is_valid(), accepted.errors
