"""Name, ID and mobile search over the register, within the caller's scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from himaccess.conftest import Personas, kangra_address, mandi_address
from himaccess.geography.models import District
from himaccess.lib import identifiers
from himaccess.registry import search
from himaccess.registry.actions import families, members
from himaccess.registry.models import Family, Gender, Member, Relation, Source


@pytest.fixture(autouse=True)
def _fresh_vocabulary() -> Iterator[None]:
    search.forget_vocabulary()
    yield
    search.forget_vocabulary()


def register(
    name_en: str = "", name_hi: str = "", *, kangra: bool = False, mobile: str = "", house: str = "1"
) -> Member:
    family = families.register_family(
        kangra_address() if kangra else mandi_address(house=house),
        members.NewMember(
            name_en=name_en,
            name_hi=name_hi,
            gender=Gender.MALE,
            date_of_birth=date(1980, 5, 17),
            relation=Relation.HEAD,
            mobile=mobile,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    head = family.head()
    assert head is not None
    return head


@pytest.fixture
def dharmender(db: Any) -> Member:
    register("Sunil Verma", house="2")
    register("Dharmender Sharma", house="3")
    register("Rajesh Thakur", house="4")
    return register("Dharmender Singh Thakur", house="5", mobile="9816012345")


def ids(matches: list[search.MemberMatch]) -> list[str]:
    return [m.member.member_id for m in matches]


@pytest.mark.parametrize(
    "query",
    [
        "Dharmender Thakur",
        "Dharmendra Thakur",
        "धर्मेंद्र ठाकुर",
        "dharmender singh thakur",
        "Thakur Dharmender",
        "Dharmendar Thakkur",
        "Dhramender Thakur",
        "Dharmender Thkur",
        "धर्मेन्द्र सिंह ठाकुर",
    ],
)
def test_spelling_variants_find_the_member_first(dharmender: Member, query: str) -> None:
    matches = search.search_members(query)
    assert matches[0].member == dharmender
    assert matches[0].score > 0.6


def test_member_entered_in_devanagari_only_is_found_in_latin(db: Any) -> None:
    member = register(name_hi="कुलदीप कटोच")
    assert member.name_en == "Kuldeep Katoch"
    assert search.search_members("Kuldip Katoch")[0].member == member


def test_member_entered_in_latin_only_is_found_in_devanagari(db: Any) -> None:
    member = register(name_en="Sunita Negi")
    assert member.name_hi == "सुनीता नेगी"
    assert search.search_members("सुनीता नेगी")[0].member == member


def test_single_word_finds_given_names_and_surnames(dharmender: Member) -> None:
    assert dharmender in [m.member for m in search.search_members("Dharmender")]
    assert dharmender in [m.member for m in search.search_members("ठाकुर")]


def test_partial_name_being_typed_finds_by_prefix(dharmender: Member) -> None:
    assert dharmender in [m.member for m in search.search_members("Dharm")]


def test_unrelated_names_are_not_returned(dharmender: Member) -> None:
    assert search.search_members("Pushpa Katoch") == []


def test_results_are_ranked_best_first(dharmender: Member) -> None:
    matches = search.search_members("Dharmender Thakur")
    assert [m.member for m in matches] == [dharmender]  # nobody else has both names
    scores = [m.score for m in search.search_members("Dharmender")]
    assert len(scores) == 2
    assert scores == sorted(scores, reverse=True)


def test_one_known_name_falls_back_to_everyone_with_it(dharmender: Member) -> None:
    matches = search.search_members("Dharmender Zzyzx")
    assert {m.member.name_en for m in matches} == {"Dharmender Singh Thakur", "Dharmender Sharma"}
    assert {m.matched_by for m in matches} == {"one key"}


def test_search_stays_inside_the_callers_scope(personas: Personas) -> None:
    karan_scope = Member.objects.visible_to(personas.karan)
    assert search.search_members("Asha Devi", queryset=karan_scope) == []
    meena_scope = Member.objects.visible_to(personas.meena)
    found = search.search_members("Asha Devi", queryset=meena_scope)
    assert found[0].member.name_en == "Asha Devi"
    vikram_scope = Member.objects.visible_to(personas.vikram)
    assert search.search_members("Asha Devi", queryset=vikram_scope) == []


def test_district_filter_keeps_other_districts_out(db: Any) -> None:
    in_mandi = register("Pushpa Katoch", house="8")
    in_kangra = register("Pushpa Katoch", kangra=True)
    mandi = District.objects.get(pk=in_mandi.family.district_id)
    assert ids(search.search_members("Pushpa Katoch")) == sorted(
        [in_mandi.member_id, in_kangra.member_id], key=lambda i: Member.objects.get(member_id=i).pk
    )
    assert [m.member for m in search.search_members("Pushpa Katoch", district=mandi)] == [in_mandi]


def test_limit_caps_the_results(db: Any) -> None:
    for house in range(5):
        register("Ram Lal", house=str(house))
    assert len(search.search_members("Ram Lal", limit=3)) == 3


@pytest.mark.parametrize("query", ["", "   ", "x" * 101, "12345", "-- .."])
def test_empty_oversize_or_letterless_query_is_refused(db: Any, query: str) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        search.search_members(query)


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_limit_out_of_range_is_refused(db: Any, limit: int) -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        search.search_members("Ram", limit=limit)


def test_refusal_message_is_translated_to_hindi(db: Any) -> None:
    from django.utils import translation

    with translation.override("hi"), pytest.raises(ValueError) as refused:
        search.search_members("")
    assert any("\u0900" <= c <= "\u097f" for c in str(refused.value))


# --- find_families -------------------------------------------------------------


def test_family_id_finds_that_family(dharmender: Member) -> None:
    family = dharmender.family
    found = search.find_families(identifiers.display(family.family_id), Family.objects.all())
    assert [(f.family, f.matched_by) for f in found] == [(family, "id")]


def test_member_id_finds_the_members_family(dharmender: Member) -> None:
    found = search.find_families(dharmender.member_id.lower(), Family.objects.all())
    assert [(f.family, f.members) for f in found] == [(dharmender.family, [dharmender])]


def test_id_with_a_wrong_check_digit_is_refused(dharmender: Member) -> None:
    family_id = dharmender.family.family_id
    wrong = family_id[:-1] + str((int(family_id[-1]) + 1) % 10)
    with pytest.raises(ValueError, match="not valid"):
        search.find_families(wrong, Family.objects.all())


def test_mobile_finds_the_family(dharmender: Member) -> None:
    for typed in ["9816012345", "+91 98160 12345", "09816012345"]:
        found = search.find_families(typed, Family.objects.all())
        assert [(f.family, f.matched_by, f.members) for f in found] == [
            (dharmender.family, "mobile", [dharmender])
        ]


def test_name_finds_families_with_matching_members(dharmender: Member) -> None:
    found = search.find_families("Dharmendra Thakur", Family.objects.all())
    assert found[0].family == dharmender.family
    assert found[0].members == [dharmender]


def test_find_families_stays_inside_the_scope(personas: Personas) -> None:
    karan_families = Family.objects.visible_to(personas.karan)
    asha_family = personas.asha_family
    assert search.find_families(asha_family.family_id, karan_families) == []
    assert search.find_families("9816000001", karan_families) == []
    assert search.find_families("Asha Devi", karan_families) == []
    assert (
        search.find_families(asha_family.family_id, Family.objects.visible_to(personas.asha))[0].family
        == asha_family
    )


def test_find_families_refuses_a_number_that_is_no_mobile(db: Any) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        search.find_families("12345", Family.objects.all())
