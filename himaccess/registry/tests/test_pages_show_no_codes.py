"""Register pages show people words and Family IDs, never database keys, codes or ISO dates.

- A birth is one line of Asha's history ("Birth", "Granddaughter, born 15-01-2025"), not a line
  per field, and no line shows a database key.
- A correction of Ravi's occupation reads "Daily-wage labour", not "labour", on the request
  and in the history; a mobile number changed shows only its last digits.
- A member moving in from another family shows the other family's Family ID.
- A birth request shows its date of birth as dd-mm-yyyy and its progress in words.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from himaccess.conftest import Personas
from himaccess.registry.actions import corrections, members
from himaccess.registry.change_requests import filing
from himaccess.registry.forms import CorrectionForm
from himaccess.registry.models import ChangeRequest, Gender, Member, Relation, Source

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _history(html: str) -> str:
    section = re.search(r'<section aria-labelledby="history-h">.*?</section>', html, re.S)
    assert section is not None
    return section.group(0)


def _page(personas: Personas, language: str = "en") -> str:
    url = reverse("registry:family", args=[personas.asha_family.family_id])
    return personas.client_for(personas.asha).get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _anu(personas: Personas) -> Member:
    return members.record_birth(
        personas.asha_family,
        members.NewMember(
            name_en="Anu",
            name_hi="अनु",
            gender=Gender.FEMALE,
            date_of_birth=date(2025, 1, 15),
            relation=Relation.GRANDDAUGHTER,
        ),
        acting_user=personas.meena,
        source=Source.OFFICIAL,
    )


@pytest.mark.parametrize(
    ("language", "birth", "summary"),
    [("en", "Birth", "Granddaughter, born 15-01-2025"), ("hi", "जन्म", "पौत्री, जन्म 15-01-2025")],
)
def test_a_birth_is_one_line_of_history(personas: Personas, language: str, birth: str, summary: str) -> None:
    anu = _anu(personas)
    history = _history(_page(personas, language))
    rows = history.split('<tr class="govuk-table__row">')[2:]
    lines = [line for line in rows if anu.name_in(language) in line]
    assert len(lines) == 1
    assert birth in lines[0] and summary in lines[0]
    assert ISO_DATE.search(history) is None
    for key in (anu.family_id, anu.pk, personas.asha_family.district_id, personas.asha_family.tehsil_id):
        assert f">{key}<" not in history and f"— {key}" not in history and f"→ {key}<" not in history


def test_a_correction_reads_as_labels_and_masked_numbers(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    corrections.correct_member(
        ravi, {"occupation": "labour"}, acting_user=personas.meena, source=Source.OFFICIAL
    )
    corrections.change_contact(ravi, {"mobile": "9418000077"}, acting_user=personas.asha)
    history = _history(_page(personas))
    assert "Occupation: Other → Daily-wage labour" in history
    assert ">labour<" not in history and "→ labour" not in history
    assert "9418000077" not in history and "9816000002" not in history
    assert "XXXXXX0077" in history


def test_a_member_moving_in_shows_the_family_id_not_a_key(personas: Personas) -> None:
    karan = personas.karan_family.head()
    assert karan is not None
    # Karan's family is his alone: he leaves it by marrying into Asha's.
    members.record_marriage_in(
        personas.asha_family,
        None,
        spouse=None,
        existing=karan,
        relation=Relation.SON_IN_LAW,
        acting_user=personas.meena,
        source=Source.OFFICIAL,
    )
    history = _history(_page(personas))
    assert f"Family ID: {personas.karan_family.display_id} → {personas.asha_family.display_id}" in history
    assert f"→ {personas.asha_family.pk}<" not in history


@pytest.mark.parametrize(
    ("language", "label", "pending"), [("en", "Daily-wage labour", "Pending"), ("hi", "दिहाड़ी मज़दूरी", "लंबित")]
)
def test_a_request_shows_labels_dates_and_progress_in_words(
    personas: Personas, language: str, label: str, pending: str
) -> None:
    ravi = personas.member(personas.ravi)
    correction = filing.file_change_request(
        personas.asha_family,
        ChangeRequest.Kind.CORRECTION,
        {"member_id": ravi.member_id, "field": "occupation", "new_value": "labour"},
        requested_by=personas.asha,
    )
    birth = filing.file_change_request(
        personas.asha_family,
        ChangeRequest.Kind.BIRTH,
        {
            "name_en": "Anu",
            "name_hi": "अनु",
            "gender": "F",
            "date_of_birth": "2025-01-15",
            "relation": "granddaughter",
            "mother": "",
            "father": "",
        },
        requested_by=personas.asha,
    )
    asha = personas.client_for(personas.asha)
    shown = asha.get(
        reverse("registry:change_request", args=[correction.reference]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert label in shown
    assert ">labour<" not in shown
    assert f": {pending}</li>" in shown
    birth_page = asha.get(
        reverse("registry:change_request", args=[birth.reference]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert "15-01-2025" in birth_page
    assert ISO_DATE.search(birth_page) is None


def test_a_coded_correction_may_be_typed_as_its_label_in_either_language(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    for typed in ("Daily-wage labour", "दिहाड़ी मज़दूरी", "labour"):
        form = CorrectionForm(
            {"member_id": ravi.member_id, "field": "occupation", "new_value": typed},
            family=personas.asha_family,
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data["value"] == "labour"
    wrong = CorrectionForm(
        {"member_id": ravi.member_id, "field": "occupation", "new_value": "astronaut"},
        family=personas.asha_family,
    )
    assert not wrong.is_valid()
    assert "Daily-wage labour" in str(wrong.errors["new_value"])
    assert "self_employed" not in str(wrong.errors["new_value"])
