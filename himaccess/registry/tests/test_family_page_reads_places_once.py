"""The family page reads each place (district, tehsil, block, panchayat, village) once.

The history of Asha's family (its registration wrote every place) and the
address at the top both need the places; one read of each place table serves
both, and the address still names the family's own places.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db

_TABLE = re.compile(r'FROM "(geography_\w+)"')


def test_each_place_table_is_read_at_most_once(personas: Personas) -> None:
    asha = personas.client_for(personas.asha)
    with CaptureQueriesContext(connection) as queries:
        response = asha.get(reverse("registry:family", args=[personas.asha_family.family_id]))
    assert response.status_code == 200
    reads = Counter(table for query in queries.captured_queries for table in _TABLE.findall(query["sql"]))
    assert reads, "the page shows places, so some place table is read or joined"
    assert max(reads.values()) == 1, reads


def test_the_address_names_the_familys_own_places(personas: Personas) -> None:
    family = personas.asha_family
    page = (
        personas.client_for(personas.asha)
        .get(reverse("registry:family", args=[family.family_id]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    for place in (family.district, family.tehsil, family.block, family.panchayat, family.village):
        if place is not None:
            assert place.name_en in page, place.name_en


def test_karan_cannot_open_ashas_family_page(personas: Personas) -> None:
    karan = personas.client_for(personas.karan)
    response = karan.get(reverse("registry:family", args=[personas.asha_family.family_id]))
    assert response.status_code == 404
