"""A member is told on their own number, else on the head's: one at a time and thousands at once agree."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from himaccess.conftest import Personas
from himaccess.registry.models import Member

pytestmark = pytest.mark.django_db


def one_by_one() -> dict[int, str]:
    return {member.pk: member.contact_mobile() for member in Member.objects.select_related("family")}


def test_many_at_once_answer_as_one_at_a_time(personas: Personas, django_assert_num_queries: Any) -> None:
    ravi = personas.member(personas.ravi)
    Member.objects.filter(pk=ravi.pk).update(mobile="")  # Ravi has no number of his own
    with django_assert_num_queries(2):
        many = Member.objects.all().contact_mobiles()
    assert many == one_by_one()
    assert many[ravi.pk] == "9816000001"  # his mother's, the head
    assert many[personas.member(personas.karan).pk] == "9816000003"


def test_no_number_when_the_head_has_died(personas: Personas) -> None:
    asha, ravi = personas.member(personas.asha), personas.member(personas.ravi)
    Member.objects.filter(pk=ravi.pk).update(mobile="")
    Member.objects.filter(pk=asha.pk).update(life_status=Member.LifeStatus.DEAD, died_on=date(2026, 1, 5))
    many = Member.objects.filter(family=personas.asha_family).contact_mobiles()
    assert many == {pk: mobile for pk, mobile in one_by_one().items() if pk in many}
    assert many[ravi.pk] == ""


def test_only_the_members_asked_about(personas: Personas) -> None:
    kangra = Member.objects.filter(family=personas.kangra_family)
    assert set(kangra.contact_mobiles()) == set(kangra.values_list("pk", flat=True))
    assert Member.objects.none().contact_mobiles() == {}
