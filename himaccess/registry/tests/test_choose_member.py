"""The register's "who are you?" page, reached by a citizen whose number several members share."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from himaccess.registry.models import CitizenLink

URL = reverse("registry:choose_member")


def test_a_visitor_is_sent_to_log_in(db: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_official_has_nobody_to_choose(personas: Any) -> None:
    response = personas.client_for(personas.meena).get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_citizen_alone_on_the_register_is_shown_no_choice_of_others(personas: Any) -> None:
    client = personas.client_for(personas.karan)
    page = client.get(URL).content.decode()
    assert "Karan" in page and "Asha Devi" not in page


def test_another_familys_member_or_garbage_is_refused_and_nothing_is_linked(personas: Any) -> None:
    CitizenLink.objects.filter(user=personas.karan).delete()
    client = personas.client_for(personas.karan)
    asha = personas.member(personas.asha)
    for value in (asha.member_id, "\x00\x1b", "x" * 5000, ""):
        response = client.post(URL, {"member": value})
        assert response.status_code == 400, value
    assert not CitizenLink.objects.filter(user=personas.karan).exists()


def test_the_page_is_in_hindi_for_a_hindi_reader(personas: Any) -> None:
    client = personas.client_for(personas.karan)
    client.post(reverse("set_language"), {"language": "hi"})
    assert "आप कौन हैं?" in client.get(URL).content.decode()
