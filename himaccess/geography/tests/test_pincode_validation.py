from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from himaccess.geography.models import District, PostOffice
from himaccess.geography.validators import validate_pincode, validate_pincode_in_district

pytestmark = pytest.mark.django_db


def test_mandi_pincode_is_accepted_for_mandi(geography: dict[str, int]) -> None:
    validate_pincode_in_district("175001", District.objects.get(name_en="Mandi"))


def test_shimla_pincode_is_rejected_for_mandi(geography: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_pincode_in_district("171001", District.objects.get(name_en="Mandi"))
    assert raised.value.code == "pincode_district"
    assert "171001" in raised.value.messages[0]
    assert "Mandi" in raised.value.messages[0]


def test_district_error_reads_in_hindi(geography: dict[str, int]) -> None:
    with translation.override("hi"):
        with pytest.raises(ValidationError) as raised:
            validate_pincode_in_district("171001", District.objects.get(name_en="Mandi"))
        message = raised.value.messages[0]
    assert message == "पिनकोड 171001 मण्डी ज़िले का नहीं है।"


def test_pincode_shared_by_two_districts_is_accepted_for_both(geography: dict[str, int]) -> None:
    assert set(PostOffice.objects.filter(pincode="175106").values_list("district__name_en", flat=True)) == {
        "Kullu",
        "Mandi",
    }
    validate_pincode_in_district("175106", District.objects.get(name_en="Kullu"))
    validate_pincode_in_district("175106", District.objects.get(name_en="Mandi"))


def test_pincode_no_office_has_is_unknown(geography: dict[str, int]) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_pincode_in_district("177999", District.objects.get(name_en="Mandi"))
    assert raised.value.code == "pincode_unknown"


@pytest.mark.parametrize(
    "value", ["", "17500", "1750011", "17500a", "175 001", " 175001", "abcdef", "١٧٥٠٠١"]
)
def test_malformed_pincode_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_pincode(value)
    assert raised.value.code == "pincode_format"


@pytest.mark.parametrize("value", ["110001", "160017", "178001", "170000"])
def test_pincode_outside_himachal_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_pincode(value)
    assert raised.value.code == "pincode_state"


def test_pincodes_of_a_district_are_listed_once_each(geography: dict[str, int]) -> None:
    mandi = PostOffice.objects.pincodes_of(District.objects.get(name_en="Mandi"))
    assert "175001" in mandi
    assert "171001" not in mandi
    assert mandi == sorted(set(mandi))
