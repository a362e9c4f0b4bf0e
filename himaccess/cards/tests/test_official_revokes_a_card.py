"""An official of the family's jurisdiction revokes a card on the family's cards page, giving the reason.

Meena (tehsildar of Mandi tehsil) may; Vikram (Kangra) finds nothing; a
patwari of Mandi reads the cards but does not revoke them; Asha downloads her
cards but does not manage them here.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from himaccess.accounts.models import Level, Role, User
from himaccess.audit.models import AuditEntry, DataAccess
from himaccess.cards.models import Card
from himaccess.cards.tests.conftest import AshaCards
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import MANDI_TEHSIL, Personas, make_official

pytestmark = pytest.mark.django_db


@pytest.fixture
def prem(personas: Personas) -> User:
    return make_official("prem", Role.PATWARI, Level.TEHSIL, tehsil_id=MANDI_TEHSIL)


def _page(personas: Personas) -> str:
    return reverse("cards:family_cards", args=[personas.asha_family.family_id])


def _revoke_url(card: Card) -> str:
    return reverse("cards:revoke", args=[card.credential_id])


def _revocations() -> int:
    return AuditEntry.objects.filter(action="card.revoked").count()


def test_tehsildar_revokes_a_members_card_with_the_reason(personas: Personas, asha_cards: AshaCards) -> None:
    client = personas.client_for(personas.meena)
    page = client.get(_page(personas))
    assert page.status_code == 200
    assert _revoke_url(asha_cards.ravi) in page.content.decode()
    assert DataAccess.objects.filter(user=personas.meena, family_id=personas.asha_family.pk).exists()

    response = client.post(_revoke_url(asha_cards.ravi), {"reason": "Reported lost at the bus stand"})

    assert response.status_code == 302 and response["Location"] == _page(personas)
    card = Card.objects.get(pk=asha_cards.ravi.pk)
    assert card.status == Card.Status.REVOKED and card.reason == "Reported lost at the bus stand"
    assert verify_text(card.qr_text).verdict == spec.REVOKED
    entry = AuditEntry.objects.get(action="card.revoked")
    assert entry.actor_id == personas.meena.pk
    assert Card.objects.get(pk=asha_cards.asha.pk).is_active  # only the card asked for
    after = client.get(_page(personas)).content.decode()
    assert "Reported lost at the bus stand" in after
    assert reverse("cards:member_pdf", args=[personas.member(personas.ravi).member_id]) in after


@pytest.mark.parametrize("reason", ["", "   ", "ab", "x" * 201])
def test_a_bad_reason_is_a_form_error_and_nothing_is_written(
    personas: Personas, asha_cards: AshaCards, reason: str
) -> None:
    response = personas.client_for(personas.meena).post(_revoke_url(asha_cards.ravi), {"reason": reason})

    assert response.status_code == 400
    page = response.content.decode()
    assert page.index("There is a problem") < page.index("<h1")
    assert f'href="#id_reason_{asha_cards.ravi.credential_id}"' in page
    assert Card.objects.get(pk=asha_cards.ravi.pk).is_active
    assert _revocations() == 0


def test_the_reason_typed_is_kept_on_a_refused_form(personas: Personas, asha_cards: AshaCards) -> None:
    response = personas.client_for(personas.meena).post(_revoke_url(asha_cards.ravi), {"reason": "x" * 201})
    assert response.status_code == 400 and "x" * 201 in response.content.decode()


def test_official_of_another_district_gets_404_and_nothing_changes(
    personas: Personas, asha_cards: AshaCards
) -> None:
    client = personas.client_for(personas.vikram)
    assert client.get(_page(personas)).status_code == 404
    assert client.post(_revoke_url(asha_cards.ravi), {"reason": "Reported lost"}).status_code == 404
    assert Card.objects.get(pk=asha_cards.ravi.pk).is_active
    assert _revocations() == 0


def test_patwari_sees_the_cards_but_may_not_revoke(
    personas: Personas, asha_cards: AshaCards, prem: User
) -> None:
    client = personas.client_for(prem)
    page = client.get(_page(personas))
    assert page.status_code == 200 and _revoke_url(asha_cards.ravi) not in page.content.decode()
    assert client.post(_revoke_url(asha_cards.ravi), {"reason": "Reported lost"}).status_code == 403
    assert Card.objects.get(pk=asha_cards.ravi.pk).is_active


@pytest.mark.parametrize("who", ["asha", "karan", "sunita"])
def test_citizens_and_the_helpline_find_nothing(personas: Personas, asha_cards: AshaCards, who: str) -> None:
    client = personas.client_for(getattr(personas, who))
    assert client.get(_page(personas)).status_code == 404
    assert client.post(_revoke_url(asha_cards.ravi), {"reason": "Reported lost"}).status_code == 404
    assert Card.objects.get(pk=asha_cards.ravi.pk).is_active


def test_anonymous_is_sent_to_log_in_and_get_is_not_a_revocation(
    personas: Personas, asha_cards: AshaCards
) -> None:
    assert Client().post(_revoke_url(asha_cards.ravi), {"reason": "Reported lost"}).status_code == 302
    meena = personas.client_for(personas.meena)
    assert meena.get(_revoke_url(asha_cards.ravi)).status_code == 405
    assert (
        meena.post(reverse("cards:revoke", args=["0" * 16]), {"reason": "Reported lost"}).status_code == 404
    )
    assert Card.objects.get(pk=asha_cards.ravi.pk).is_active


def test_a_card_already_withdrawn_is_not_revoked_twice(personas: Personas, asha_cards: AshaCards) -> None:
    client = personas.client_for(personas.meena)
    client.post(_revoke_url(asha_cards.ravi), {"reason": "Reported lost"})
    response = client.post(_revoke_url(asha_cards.ravi), {"reason": "Reported stolen"})
    assert response.status_code == 400 and "already withdrawn" in response.content.decode()
    assert Card.objects.get(pk=asha_cards.ravi.pk).reason == "Reported lost"
    assert _revocations() == 1


def test_the_page_speaks_hindi(personas: Personas, asha_cards: AshaCards) -> None:
    client = personas.client_for(personas.meena)
    client.cookies["django_language"] = "hi"
    response = client.post(_revoke_url(asha_cards.ravi), {"reason": ""}, HTTP_ACCEPT_LANGUAGE="hi")
    page = response.content.decode()
    assert response.status_code == 400
    assert "समस्या" in page and "There is a problem" not in page
    assert "Revoke this card" not in page


def test_the_family_page_leads_officials_to_the_cards_and_names_members_in_the_pages_language(
    personas: Personas,
) -> None:
    family_page = reverse("registry:family", args=[personas.asha_family.family_id])
    official = personas.client_for(personas.meena).get(family_page).content.decode()
    assert _page(personas) in official
    citizen = personas.client_for(personas.asha)
    assert _page(personas) not in citizen.get(family_page).content.decode()
    hindi = citizen.get(family_page, HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert "रवि कुमार का सदस्य कार्ड" in hindi and "Ravi Kumar का" not in hindi
