"""The process's copy of the directory: a family's places without a join, and never staler than allowed."""

from __future__ import annotations

from typing import Any

import pytest

from himaccess.geography import places
from himaccess.geography.models import District, Village
from himaccess.registry.models import Family


def _family(personas: Any) -> Family:
    return Family.objects.get(pk=personas.asha_family.pk)


def test_a_familys_places_are_read_once_per_process(personas: Any, django_assert_num_queries: Any) -> None:
    family = _family(personas)
    # District, tehsil, block, panchayat and village: one query each kind; the family has no urban body.
    with django_assert_num_queries(5):
        places.attach([family], *Family.PLACES)
    assert family.district.name_en == "Mandi"
    assert family.village is not None and family.village.pk == family.village_id
    assert family.urban_body is None
    again = _family(personas)
    with django_assert_num_queries(0):
        places.attach([again], *Family.PLACES)
        assert again.district.name_hi == family.district.name_hi
        assert again.tehsil.pk == family.tehsil_id


def test_a_place_changed_here_is_read_again(personas: Any) -> None:
    family = _family(personas)
    places.attach([family], "district")
    District.objects.filter(pk=family.district_id).update(name_en="Mandi (renamed)")
    # An update in bulk sends no signal: the copy is kept until it is old ...
    again = _family(personas)
    places.attach([again], "district")
    assert again.district.name_en == "Mandi"
    # ... but a place saved in this process is forgotten at once.
    district = District.objects.get(pk=family.district_id)
    district.name_en = "Mandi District"
    district.save()
    fresh = _family(personas)
    places.attach([fresh], "district")
    assert fresh.district.name_en == "Mandi District"


def test_places_older_than_the_limit_are_read_again(personas: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    family = _family(personas)
    places.attach([family], "village")
    assert family.village is not None
    Village.objects.filter(pk=family.village.pk).update(name_en="Renamed village")
    monkeypatch.setattr(places, "KEEP_SECONDS", 0.0)
    again = _family(personas)
    places.attach([again], "village")
    assert again.village is not None and again.village.name_en == "Renamed village"


def test_many_families_cost_one_query_per_kind(personas: Any, django_assert_num_queries: Any) -> None:
    families = list(Family.objects.order_by("pk"))
    assert len({f.district_id for f in families}) > 1  # Mandi and Kangra
    with django_assert_num_queries(1):
        places.attach(families, "district")
    assert {f.district.name_en for f in families} >= {"Mandi", "Kangra"}


def test_only_the_directorys_keys_can_be_attached(personas: Any) -> None:
    with pytest.raises(AssertionError):
        places.attach([_family(personas)], "merged_into")
