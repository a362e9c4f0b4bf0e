from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from himaccess.geography.models import Block, District, Panchayat, PostOffice, Tehsil, UrbanBody, Village

pytestmark = pytest.mark.django_db

MODELS = [District, Tehsil, Block, UrbanBody, Panchayat, Village, PostOffice]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_reference_rows_are_read_only_in_the_admin(model: type, rf: RequestFactory) -> None:
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_villages_can_be_searched_by_pincode(geography: dict[str, int], rf: RequestFactory) -> None:
    model_admin = admin.site._registry[Village]
    found, _ = model_admin.get_search_results(rf.get("/"), Village.objects.all(), "174001")
    assert "Bamta" in set(found.values_list("name_en", flat=True))
    assert set(found.values_list("pincode", flat=True)) == {"174001"}
