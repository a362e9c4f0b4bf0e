"""What happens to real families, applied through the register's actions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from himaccess.conftest import Personas
from himaccess.lib.errors import Conflict
from himaccess.registry.actions import corrections, households, members
from himaccess.registry.models import Family, MaritalStatus, Member, Relation, Source

pytestmark = pytest.mark.django_db


def add_spouse(
    personas: Personas, family: Family, name_en: str, name_hi: str, gender: str, born: date
) -> Member:
    head = family.head()
    return members.record_marriage_in(
        family,
        members.NewMember(
            name_en=name_en, name_hi=name_hi, gender=gender, date_of_birth=born, relation=Relation.SPOUSE
        ),
        spouse=head,
        acting_user=personas.meena,
        source=Source.OFFICIAL,
    )


def test_death_of_spouse_makes_the_survivor_a_widow(personas: Personas) -> None:
    family = personas.kangra_family
    husband = add_spouse(personas, family, "Mohan Katoch", "मोहन कटोच", "M", date(1955, 3, 3))
    pushpa = family.head()
    assert pushpa is not None
    assert pushpa.marital_status == MaritalStatus.MARRIED
    members.record_death(husband, on=date(2024, 5, 1), acting_user=personas.vikram, source=Source.OFFICIAL)
    pushpa.refresh_from_db()
    husband.refresh_from_db()
    assert husband.life_status == Member.LifeStatus.DEAD
    assert husband.died_on == date(2024, 5, 1)
    assert pushpa.marital_status == MaritalStatus.WIDOWED
    assert pushpa.changes.filter(field="marital_status", new_value="widowed").exists()


def test_death_of_head_needs_a_new_head(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    ravi = personas.member(personas.ravi)
    with pytest.raises(ValidationError):
        members.require_new_head(asha, None)
    new_head = members.require_new_head(asha, ravi.member_id)
    members.record_death(
        asha, on=date(2025, 1, 1), new_head=new_head, acting_user=personas.meena, source=Source.OFFICIAL
    )
    ravi.refresh_from_db()
    assert ravi.relation == Relation.HEAD
    assert personas.asha_family.head() == ravi


def test_death_date_in_future_is_refused_and_nothing_changes(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    with pytest.raises(ValidationError):
        members.record_death(ravi, on=date(2999, 1, 1), acting_user=personas.meena, source=Source.OFFICIAL)
    ravi.refresh_from_db()
    assert ravi.is_living
    assert not ravi.changes.filter(action="member.dead").exists()


def test_marriage_out_moves_the_member_and_keeps_the_member_id(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    member_id = ravi.member_id
    members.record_marriage_out(
        ravi,
        personas.karan_family,
        relation=Relation.SON_IN_LAW,
        acting_user=personas.meena,
        source=Source.OFFICIAL,
    )
    ravi.refresh_from_db()
    assert ravi.member_id == member_id
    assert ravi.family == personas.karan_family
    assert ravi.relation == Relation.SON_IN_LAW
    assert ravi.mother is None
    assert not personas.asha_family.living_members().filter(pk=ravi.pk).exists()


def test_head_cannot_marry_out_while_others_remain(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    with pytest.raises(ValidationError):
        members.record_marriage_out(
            asha,
            personas.karan_family,
            relation=Relation.SPOUSE,
            acting_user=personas.meena,
            source=Source.OFFICIAL,
        )


def test_split_gives_the_new_household_its_own_family_id(personas: Personas) -> None:
    family = personas.asha_family
    ravi = personas.member(personas.ravi)
    new_family = households.split_family(
        family, [ravi], new_head=ravi, relations={}, acting_user=personas.meena, source=Source.OFFICIAL
    )
    ravi.refresh_from_db()
    assert new_family.family_id != family.family_id
    assert ravi.family == new_family and ravi.relation == Relation.HEAD
    assert new_family.district == family.district and new_family.pincode == family.pincode
    assert family.living_members().count() == 1


def test_split_cannot_take_the_head(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    with pytest.raises(ValidationError):
        households.split_family(
            personas.asha_family,
            [asha],
            new_head=asha,
            relations={},
            acting_user=personas.meena,
            source=Source.OFFICIAL,
        )


def test_merge_moves_everyone_and_closes_the_other_family(personas: Personas) -> None:
    households.merge_families(
        personas.asha_family,
        personas.karan_family,
        relations={},
        acting_user=personas.meena,
        source=Source.OFFICIAL,
    )
    other = Family.objects.get(pk=personas.karan_family.pk)
    assert other.status == Family.Status.MERGED
    assert other.merged_into == personas.asha_family
    karan = personas.member(personas.karan)
    assert karan.family == personas.asha_family and karan.relation == Relation.OTHER
    assert personas.asha_family.head() == personas.member(personas.asha)  # still one head


def test_change_of_head(personas: Personas) -> None:
    asha, ravi = personas.member(personas.asha), personas.member(personas.ravi)
    households.change_head(
        personas.asha_family,
        ravi,
        old_head_relation=Relation.MOTHER,
        acting_user=personas.meena,
        source=Source.OFFICIAL,
    )
    asha.refresh_from_db()
    assert asha.relation == Relation.MOTHER
    assert personas.asha_family.head() == ravi


def test_correction_keeps_old_and_new_values_and_who(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    corrections.correct_member(
        ravi, {"name_en": "Ravi Kumar Sharma"}, acting_user=personas.meena, source=Source.OFFICIAL
    )
    change = ravi.changes.get(field="name_en", action="member.corrected")
    assert (change.old_value, change.new_value) == ("Ravi Kumar", "Ravi Kumar Sharma")
    assert change.actor == personas.meena and change.source == Source.OFFICIAL


def test_correction_with_a_stale_version_is_a_conflict(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    seen = ravi.version
    corrections.correct_member(
        ravi, {"occupation": "student"}, acting_user=personas.meena, source=Source.OFFICIAL
    )
    with pytest.raises(Conflict):
        corrections.correct_member(
            ravi,
            {"occupation": "labour"},
            acting_user=personas.meena,
            source=Source.OFFICIAL,
            expected_version=seen,
        )
    ravi.refresh_from_db()
    assert ravi.occupation == "student"


def test_parent_cannot_be_made_younger_than_child(personas: Personas) -> None:
    asha = personas.member(personas.asha)
    with pytest.raises(ValidationError):
        corrections.correct_member(
            asha, {"date_of_birth": date(2010, 1, 1)}, acting_user=personas.meena, source="official"
        )


def test_one_name_is_filled_from_the_other_script(personas: Personas) -> None:
    child = members.record_birth(
        personas.asha_family,
        members.NewMember(
            name_hi="सुनील शर्मा", gender="M", date_of_birth=date(2020, 2, 2), relation=Relation.GRANDSON
        ),
        acting_user=personas.meena,
        source=Source.OFFICIAL,
    )
    assert child.name_en.lower().startswith("sunil")
    assert "sharma" in child.name_en.lower()
