"""Name search as officials use it: within their posting's area, one key lookup at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection

from himaccess.conftest import Personas, kangra_address, mandi_address
from himaccess.registry import search
from himaccess.registry.actions import families, members
from himaccess.registry.models import Family, Gender, Member, Relation, Source


@pytest.fixture(autouse=True)
def _fresh_vocabulary() -> Iterator[None]:
    search.forget_vocabulary()
    yield
    search.forget_vocabulary()


def register(name_en: str, *, kangra: bool = False, house: str = "1") -> Member:
    family = families.register_family(
        kangra_address() if kangra else mandi_address(house=house),
        members.NewMember(
            name_en=name_en,
            name_hi="",
            gender=Gender.FEMALE,
            date_of_birth=date(1975, 3, 9),
            relation=Relation.HEAD,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    head = family.head()
    assert head is not None
    return head


def found_by(personas: Personas, official: str, query: str) -> set[Member]:
    scope = Family.objects.visible_to(getattr(personas, official)).select_related("district")
    return {m for match in search.find_families(query, scope) for m in match.members}


def test_tehsildar_finds_the_namesake_of_their_own_tehsil_only(personas: Personas) -> None:
    in_mandi = register("Kamla Jamwal", house="40")
    in_kangra = register("Kamla Jamwal", kangra=True)
    assert found_by(personas, "meena", "Kamla Jamwal") == {in_mandi}
    assert found_by(personas, "vikram", "कमला जम्वाल") == {in_kangra}


def test_tehsildar_finds_a_mistyped_name_within_their_tehsil(personas: Personas) -> None:
    in_mandi = register("Kamla Jamwal", house="41")
    in_kangra = register("Kamla Jamwal", kangra=True)
    assert found_by(personas, "meena", "Kamla Jmwal") == {in_mandi}
    assert found_by(personas, "vikram", "Kamla Jmwal") == {in_kangra}


def test_official_of_another_tehsil_does_not_find_by_a_mistyped_name(personas: Personas) -> None:
    register("Kamla Jamwal", house="42")
    assert found_by(personas, "vikram", "Kamla Jmwal") == set()


def test_common_given_name_leaves_room_for_the_surname(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-word search looks the word up as a given name and as a surname; neither fills the cap alone."""
    monkeypatch.setattr(search, "CANDIDATES", 4)
    for n, surname in enumerate(["Lal", "Chand", "Prakash", "Dutt", "Nath", "Kishan"]):
        register(f"Ram {surname}", house=str(50 + n))
    sita = register("Sita Ram", house="60")
    assert sita in [m.member for m in search.search_members("Ram")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE columns exist on PostgreSQL only")
def test_key_indexes_carry_the_family_and_the_member(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN (%s, %s)",
            [Member._meta.db_table, Family._meta.db_table],
        )
        definitions = dict(cursor.fetchall())
    assert "(surname_key, given_key, family_id) INCLUDE (id)" in definitions["registry_member_surname_keys"]
    assert "(given_key, surname_key, family_id) INCLUDE (id)" in definitions["registry_member_given_keys"]
    assert "(tehsil_id, id)" in definitions["registry_family_tehsil_ids"]
    assert "(district_id, id)" in definitions["registry_family_district_ids"]
