"""Register forms choose nothing for the person filling them, and offer only plausible people.

Suresh (panchayat secretary) reports a birth in Asha's family: nothing is preselected, Ravi
(a man) is not offered as the mother, and a baby born last month is offered as nobody's parent.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django import forms
from django.utils import timezone

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
