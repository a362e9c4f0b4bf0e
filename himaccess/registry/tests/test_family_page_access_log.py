"""The family page's access log names officials by post, one line per day, reader and purpose.

Meena (tehsildar of Mandi) opens Asha's family page fifty times: every view is kept as a row of
the audit trail, and Asha's page shows one line with Meena's designation and the count, in
English and in Hindi, never Meena's username.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from himaccess.audit.models import DataAccess
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


def _access_log(html: str) -> str:
    section = re.search(r'<section class="access-log".*?</section>', html, re.S)
    assert section is not None
    return section.group(0)


@pytest.mark.parametrize(
    ("language", "designation", "reads", "purpose"),
    [
        ("en", "Tehsildar, Mandi", "50 reads", "register administration"),
        ("hi", "तहसीलदार", "50 बार", "रजिस्टर प्रशासन"),
    ],
)
def test_fifty_page_views_are_fifty_rows_and_one_line(
    personas: Personas, language: str, designation: str, reads: str, purpose: str
) -> None:
    family = reverse("registry:family", args=[personas.asha_family.family_id])
    meena = personas.client_for(personas.meena)
    for _ in range(50):
        assert meena.get(family).status_code == 200
    assert DataAccess.objects.filter(family=personas.asha_family, user=personas.meena).count() == 50

    log = _access_log(
        personas.client_for(personas.asha).get(family, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    )
    assert log.count('<tr class="govuk-table__row">') == 1 + 1  # the heading and one line
    assert designation in log
    assert reads in log
    assert purpose in log
    assert personas.meena.username not in log
