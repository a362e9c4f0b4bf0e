"""A certificate's sentence names the applicant's relative in each language's script, with the true kinship.

Karan's daughter Pooja and his wife Priya are in the register with Karan as
father and husband; Ravi's father is not, so Asha types his name; Asha is a
widow whose husband is not in the register either. Prem (patwari) verifies,
Meena (tehsildar) approves.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from himaccess.accounts.models import User
from himaccess.applications.actions import decisions, drafts, filing
from himaccess.applications.models import Certificate
from himaccess.catalog.models import Service
from himaccess.conftest import MANDI, Personas
from himaccess.geography.models import Village
from himaccess.registry.actions import members
from himaccess.registry.models import Gender, MaritalStatus, Member, Relation, Source

pytestmark = pytest.mark.django_db

LATIN = re.compile("[A-Za-z]")


def _certify(
    personas: Personas, prem: User, member: Member, user: User, code: str, answers: dict[str, Any]
) -> Certificate:
    application = drafts.start_draft(Service.objects.get(code=code), member, acting_user=user)
    application = filing.submit(application, {**application.answers, **answers}, {}, acting_user=user)
    application = decisions.act(application, "verify", acting_user=prem, expected_version=application.version)
    decisions.act(application, "approve", acting_user=personas.meena, expected_version=application.version)
    return Certificate.objects.get(application=application)


def _character(personas: Personas, prem: User, member: Member, user: User, **answers: Any) -> Certificate:
    return _certify(personas, prem, member, user, "CERT-05", {"purpose": "Admission", **answers})


@pytest.fixture
def karan(personas: Personas) -> Member:
    return personas.member(personas.karan)


@pytest.fixture
def pooja(karan: Member) -> Member:
    return members.record_birth(
        karan.family,
        members.NewMember(
            name_en="Pooja Thakur",
            name_hi="पूजा ठाकुर",
            gender=Gender.FEMALE,
            date_of_birth=date(2006, 5, 14),
            relation=Relation.DAUGHTER,
            father=karan,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )


@pytest.fixture
def priya(karan: Member) -> Member:
    return members.record_marriage_in(
        karan.family,
        members.NewMember(
            name_en="Priya Thakur",
            name_hi="प्रिया ठाकुर",
            gender=Gender.FEMALE,
            date_of_birth=date(1988, 11, 2),
            relation=Relation.SPOUSE,
            marital_status=MaritalStatus.MARRIED,
        ),
        spouse=karan,
        acting_user=None,
        source=Source.PANCHAYAT,
    )


def test_a_daughter_is_named_with_her_fathers_hindi_name_from_the_register(
    personas: Personas, prem: User, pooja: Member
) -> None:
    certificate = _character(personas, prem, pooja, personas.karan)
    assert "पूजा ठाकुर, करण ठाकुर की पुत्री," in certificate.statement_hi
    assert "Pooja Thakur, daughter of Karan Thakur," in certificate.statement_en
    assert not LATIN.search(certificate.statement_hi)
    assert "/" not in certificate.statement_hi + certificate.statement_en


def test_a_wife_is_named_with_her_husbands_hindi_name(personas: Personas, prem: User, priya: Member) -> None:
    certificate = _character(personas, prem, priya, personas.karan)
    assert "प्रिया ठाकुर, करण ठाकुर की पत्नी," in certificate.statement_hi
    assert "Priya Thakur, wife of Karan Thakur," in certificate.statement_en
    assert not LATIN.search(certificate.statement_hi)


def test_a_son_whose_father_the_register_does_not_know_gets_the_typed_name_in_devanagari(
    personas: Personas, prem: User
) -> None:
    ravi = personas.member(personas.ravi)
    certificate = _character(personas, prem, ravi, personas.asha, relative_name="Late Mohan Lal")
    assert "रवि कुमार, स्वर्गीय मोहन लाल के पुत्र," in certificate.statement_hi
    assert "Ravi Kumar, son of Late Mohan Lal," in certificate.statement_en
    assert not LATIN.search(certificate.statement_hi)


def test_a_widow_is_named_as_her_late_husbands_wife(personas: Personas, prem: User) -> None:
    asha = personas.member(personas.asha)
    certificate = _character(personas, prem, asha, personas.asha, relative_name="Late Ram Lal")
    assert "आशा देवी, स्वर्गीय राम लाल की पत्नी," in certificate.statement_hi
    assert "Asha Devi, wife of Late Ram Lal," in certificate.statement_en


def test_the_address_names_each_place_once(personas: Personas, prem: User) -> None:
    ravi = personas.member(personas.ravi)
    certificate = _character(personas, prem, ravi, personas.asha, relative_name="Late Mohan Lal")
    # Mandi is both the tehsil and the district.
    assert certificate.statement_hi.count("मण्डी") == 1
    assert certificate.statement_en.count("Mandi") == 1


@pytest.mark.parametrize("typed", ["Bhiuli", "bhiuli "])
def test_a_mauza_the_address_already_names_is_said_once_and_in_hindi(
    personas: Personas, prem: User, typed: str
) -> None:
    ravi = personas.member(personas.ravi)
    answers = {"relative_name": "Late Mohan Lal", "mauza": typed, "years_of_residence": 20, "purpose": "Job"}
    certificate = _certify(personas, prem, ravi, personas.asha, "CERT-08", answers)
    assert certificate.statement_hi.count("भ्यूली") == 1
    assert certificate.statement_en.lower().count("bhiuli") == 1
    assert not LATIN.search(certificate.statement_hi)


def test_a_mauza_elsewhere_gets_its_hindi_name_from_the_register(personas: Personas, prem: User) -> None:
    ravi = personas.member(personas.ravi)
    home = personas.asha_family.village
    assert home is not None
    village = (
        Village.objects.filter(district_id=MANDI)
        .exclude(pk=home.pk)
        .exclude(name_hi="")
        .exclude(name_en__in=["Mandi", "Bhiuli"])
        .first()
    )
    assert village is not None
    answers = {
        "relative_name": "Late Mohan Lal",
        "mauza": village.name_en,
        "years_of_residence": 20,
        "purpose": "Job",
    }
    certificate = _certify(personas, prem, ravi, personas.asha, "CERT-08", answers)
    assert f"{village.name_hi}, 12, " in certificate.statement_hi
    assert f"{village.name_en}, 12, " in certificate.statement_en
    assert not LATIN.search(certificate.statement_hi)
