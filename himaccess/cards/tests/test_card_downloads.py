from __future__ import annotations

from django.test import Client

from himaccess.audit.models import AuditEntry
from himaccess.cards.models import Card
from himaccess.conftest import Personas


def test_opening_the_link_before_any_card_offers_a_button_and_issues_nothing(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    ravi = personas.member(personas.ravi)
    audit_rows = AuditEntry.objects.count()
    for url in (f"/cards/family/{personas.asha_family.family_id}.pdf", f"/cards/member/{ravi.member_id}.pdf"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert b'method="post"' in response.content
    assert not Card.objects.exists()
    assert AuditEntry.objects.count() == audit_rows


def test_head_issues_then_downloads_the_family_card_as_an_attachment(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    url = f"/cards/family/{personas.asha_family.family_id}.pdf"
    issued = client.post(url)
    assert issued.status_code == 302 and issued["Location"] == url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    card = Card.objects.active().get(family=personas.asha_family, kind=Card.Kind.FAMILY)
    assert not hasattr(card, "print_request") or card.print_request is None


def test_card_size_layout_is_offered_too(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    url = f"/cards/family/{personas.asha_family.family_id}.pdf?layout=id1"
    assert client.post(url)["Location"] == url
    response = client.get(url)
    assert response.status_code == 200 and "-card.pdf" in response["Content-Disposition"]


def test_member_downloads_a_member_card_of_the_family(personas: Personas) -> None:
    ravi = personas.member(personas.ravi)
    client = personas.client_for(personas.asha)
    client.post(f"/cards/member/{ravi.member_id}.pdf")
    response = client.get(f"/cards/member/{ravi.member_id}.pdf")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert Card.objects.active().get(member=ravi).kind == Card.Kind.MEMBER


def test_issuing_twice_and_downloading_twice_keep_the_same_card(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    url = f"/cards/family/{personas.asha_family.family_id}.pdf"
    client.post(url)
    client.post(url)
    client.get(url)
    client.get(url)
    assert Card.objects.filter(family=personas.asha_family, kind=Card.Kind.FAMILY).count() == 1


def test_another_familys_cards_are_404(personas: Personas) -> None:
    client = personas.client_for(personas.karan)
    ravi = personas.member(personas.ravi)
    assert client.get(f"/cards/family/{personas.asha_family.family_id}.pdf").status_code == 404
    assert client.get(f"/cards/member/{ravi.member_id}.pdf").status_code == 404
    assert client.post(f"/cards/family/{personas.asha_family.family_id}.pdf").status_code == 404
    assert client.post(f"/cards/member/{ravi.member_id}.pdf").status_code == 404
    assert not Card.objects.filter(family=personas.asha_family).exists()


def test_official_of_another_district_gets_404(personas: Personas) -> None:
    client = personas.client_for(personas.vikram)
    assert client.get(f"/cards/family/{personas.asha_family.family_id}.pdf").status_code == 404
    assert client.post(f"/cards/family/{personas.asha_family.family_id}.pdf").status_code == 404
    assert not Card.objects.exists()


def test_unknown_ids_are_404_and_anonymous_is_sent_to_login(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    assert client.get("/cards/family/F00000000000.pdf").status_code == 404
    assert client.get("/cards/member/not-an-id.pdf").status_code == 404
    anonymous = Client().get(f"/cards/family/{personas.asha_family.family_id}.pdf")
    assert anonymous.status_code == 302


def test_wrong_method_is_refused(personas: Personas) -> None:
    client = personas.client_for(personas.asha)
    assert client.put(f"/cards/family/{personas.asha_family.family_id}.pdf").status_code == 405
    assert client.delete(f"/cards/family/{personas.asha_family.family_id}.pdf").status_code == 405
