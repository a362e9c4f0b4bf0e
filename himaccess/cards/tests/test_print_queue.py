from __future__ import annotations

from himaccess.cards.models import PrintRequest, PrintStatus, PrintStep
from himaccess.cards.tests.conftest import AshaCards
from himaccess.conftest import Personas


def test_issuing_a_card_requests_its_print(asha_cards: AshaCards, personas: Personas) -> None:
    request = asha_cards.family.print_request
    assert request.status == PrintStatus.REQUESTED
    assert request.district_id == personas.asha_family.district_id
    step = request.steps.get()
    assert (step.from_status, step.to_status, step.actor) == ("", PrintStatus.REQUESTED, personas.meena)


def test_official_of_the_area_moves_a_card_to_delivery_step_by_step(
    asha_cards: AshaCards, personas: Personas
) -> None:
    client = personas.client_for(personas.meena)
    page = client.get("/cards/print-queue/")
    assert page.status_code == 200
    assert asha_cards.family.credential_id.encode() in page.content
    url = f"/cards/print-queue/{asha_cards.family.credential_id}/advance/"
    for expected in (PrintStatus.PRINTED, PrintStatus.DISPATCHED, PrintStatus.DELIVERED):
        assert client.post(url).status_code == 302
        assert PrintRequest.objects.get(card=asha_cards.family).status == expected
    steps = list(
        PrintStep.objects.filter(request__card=asha_cards.family).values_list(
            "from_status", "to_status", "actor"
        )
    )
    assert steps == [
        ("", "requested", personas.meena.pk),
        ("requested", "printed", personas.meena.pk),
        ("printed", "dispatched", personas.meena.pk),
        ("dispatched", "delivered", personas.meena.pk),
    ]
    # Delivered is the end: another push writes nothing.
    client.post(url)
    assert PrintStep.objects.filter(request__card=asha_cards.family).count() == 4


def test_official_of_another_district_neither_sees_nor_moves_the_card(
    asha_cards: AshaCards, personas: Personas
) -> None:
    client = personas.client_for(personas.vikram)
    page = client.get("/cards/print-queue/")
    assert page.status_code == 200
    assert asha_cards.family.credential_id.encode() not in page.content
    response = client.post(f"/cards/print-queue/{asha_cards.family.credential_id}/advance/")
    assert response.status_code == 404
    assert PrintRequest.objects.get(card=asha_cards.family).status == PrintStatus.REQUESTED


def test_citizens_have_no_print_queue(asha_cards: AshaCards, personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    assert client.get("/cards/print-queue/").status_code == 404
    assert client.post(f"/cards/print-queue/{asha_cards.family.credential_id}/advance/").status_code == 404
    assert client.get(f"/cards/print-queue/{asha_cards.family.credential_id}/advance/").status_code == 405
