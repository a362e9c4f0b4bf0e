"""An official's login has no family of its own, and "my family" reads nobody's.

Meena (tehsildar) asking for "my family" is taken to the family search; Dinesh, an official not
yet posted, is told his login has no family. Neither is offered the "My Him Parivar family" tile,
and neither request writes a row to any family's access log.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from himaccess.accounts import actions as accounts
from himaccess.accounts.models import User
from himaccess.audit.models import DataAccess
from himaccess.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinesh(personas: Personas) -> User:
    return accounts.create_official("dinesh", "Deodar-Kullu-2024!", acting_user=None)


def test_posted_official_asking_for_my_family_is_sent_to_the_search_and_reads_nothing(
    personas: Personas,
) -> None:
    response = personas.client_for(personas.meena).get(reverse("registry:my_family"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:search")
    assert not DataAccess.objects.exists()


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "No family is linked to this login"), ("hi", "इस लॉगिन से कोई परिवार")]
)
def test_official_without_a_posting_is_told_there_is_no_family(
    personas: Personas, dinesh: User, language: str, heading: str
) -> None:
    client = personas.client_for(dinesh)
    response = client.get(reverse("registry:my_family"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert heading in response.content.decode()
    assert personas.asha_family.display_id not in response.content.decode()
    assert not DataAccess.objects.exists()


def test_officials_are_not_offered_a_family_of_their_own(personas: Personas, dinesh: User) -> None:
    my_family = reverse("registry:my_family")
    for official in (personas.meena, dinesh):
        assert (
            f'href="{my_family}"' not in personas.client_for(official).get(reverse("home")).content.decode()
        )
    assert f'href="{my_family}"' in personas.client_for(personas.asha).get(reverse("home")).content.decode()
    assert not DataAccess.objects.exists()
