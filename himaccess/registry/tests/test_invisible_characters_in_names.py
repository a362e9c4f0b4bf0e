"""Names are kept without invisible or direction-changing characters, and in NFC.

A name typed with a zero-width space, a byte-order mark or a right-to-left
override looks like another name while it differs; those characters are
dropped as the name is entered. ZWJ and ZWNJ stay between Devanagari
letters, where they choose how a conjunct is written (क्‍ष, a half ka
before ṣa, against the ligature क्ष), and go anywhere else.
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from himaccess.conftest import Personas
from himaccess.registry.actions import members
from himaccess.registry.models import ChangeRequest, Member, Source
from himaccess.registry.tests.test_change_requests import file_birth

pytestmark = pytest.mark.django_db

HALF_KA_SSA = "क्\u200dष"  # क् + ZWJ + ष: the half form of ka, not the ligature


def approve_only_request(personas: Personas) -> None:
    request = ChangeRequest.objects.get(family=personas.asha_family)
    meena = personas.client_for(personas.meena)
    response = meena.post(reverse("registry:decide", args=[request.reference]), {"decision": "approve"})
    assert response.status_code == 302


def test_zero_width_and_bidi_characters_are_dropped_from_a_new_members_names(personas: Personas) -> None:
    asha = personas.client_for(personas.asha)
    response = file_birth(
        asha,
        personas.asha_family,
        name_en="\u202eA\u200bnu\ufeff Devi\u2066",
        name_hi="\u200eअनु\u2060 देवी\u200d",
    )
    assert response.status_code == 302
    approve_only_request(personas)
    anu = Member.objects.get(family=personas.asha_family, date_of_birth="2025-01-15")
    assert anu.name_en == "Anu Devi"
    assert anu.name_hi == "अनु देवी"


def test_a_devanagari_name_keeps_its_joiner_and_is_stored_in_nfc(personas: Personas) -> None:
    asha = personas.client_for(personas.asha)
    decomposed_za = unicodedata.normalize("NFD", "\u095b")  # ज़ typed as ज + nukta
    response = file_birth(
        asha, personas.asha_family, name_en="Kshama", name_hi=f"{HALF_KA_SSA}मा {decomposed_za}"
    )
    assert response.status_code == 302
    approve_only_request(personas)
    kshama = Member.objects.get(family=personas.asha_family, name_en="Kshama")
    assert kshama.name_hi == unicodedata.normalize("NFC", f"{HALF_KA_SSA}मा ज़")
    assert "\u200d" in kshama.name_hi


def test_a_joiner_outside_devanagari_is_dropped(personas: Personas) -> None:
    asha = personas.client_for(personas.asha)
    response = file_birth(asha, personas.asha_family, name_en="Anu\u200dDevi", name_hi="\u200cअनु")
    assert response.status_code == 302
    approve_only_request(personas)
    anu = Member.objects.get(family=personas.asha_family, date_of_birth="2025-01-15")
    assert (anu.name_en, anu.name_hi) == ("AnuDevi", "अनु")


def test_the_register_refuses_a_name_that_came_round_the_forms(personas: Personas) -> None:
    for name_en, name_hi in (("Ra\u200bvi", ""), ("", "र\u202eवि")):
        details = members.NewMember(
            gender="M", date_of_birth=date(2010, 5, 1), relation="grandson", name_en=name_en, name_hi=name_hi
        )
        with pytest.raises(ValidationError) as refused:
            members.record_birth(personas.asha_family, details, acting_user=None, source=Source.PANCHAYAT)
        assert "invisible characters" in str(refused.value)
