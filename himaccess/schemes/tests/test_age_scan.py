"""The daily scan re-evaluates those who reach a threshold age today, found by date of birth."""

from __future__ import annotations

from datetime import date

from himaccess.registry.actions import members
from himaccess.registry.models import Gender, MaritalStatus, Relation, Source
from himaccess.schemes import tasks
from himaccess.schemes.models import Offer
from himaccess.schemes.tests.conftest import SchemePeople


def test_turning_60_today_brings_an_offer(people: SchemePeople) -> None:
    today = date(2025, 6, 15)
    man = members.record_birth(
        people.p.karan_family,
        members.NewMember(
            name_en="Ram Singh",
            gender=Gender.MALE,
            date_of_birth=date(1965, 6, 15),
            relation=Relation.FATHER,
            marital_status=MaritalStatus.MARRIED,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    assert tasks.scan_age_thresholds(date(2025, 6, 14).isoformat()) == 0
    assert not Offer.objects.filter(member=man).exists()
    assert tasks.scan_age_thresholds(today.isoformat()) >= 1
    assert Offer.objects.filter(member=man, scheme__scheme_id="old_age_pension_state").exists()


def test_thresholds_come_from_the_rules_in_force(db: None) -> None:
    assert {18, 40, 45, 60, 70, 80} <= tasks.thresholds(date(2025, 6, 15))


def test_born_on_29_february_reaches_the_age_on_1_march() -> None:
    dates = tasks.birthdays_reaching(date(2025, 3, 1), {60})
    assert date(1965, 3, 1) in dates
    assert date(1964, 2, 29) not in dates  # 1964 + 60 = 2024, a leap year: that birthday was on 29 Feb 2024
    assert date(1961, 2, 28) not in dates
    assert date(1962, 3, 1) not in dates
    assert tasks.birthdays_reaching(date(2026, 3, 1), {62}) == [date(1964, 2, 29), date(1964, 3, 1)]
