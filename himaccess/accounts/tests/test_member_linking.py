from __future__ import annotations

from datetime import date
from typing import Any

from django.test import Client
from django.urls import reverse

from himaccess.accounts.models import User
from himaccess.accounts.testing import last_code_sent_to
from himaccess.registry.actions import members
from himaccess.registry.models import CitizenLink, Family, Gender, Member, Relation, Source


def _login(client: Client, mobile: str, deliver: Any) -> Any:
    with deliver(execute=True):
        client.post(reverse("accounts:citizen_login"), {"mobile": mobile})
    return client.post(reverse("accounts:citizen_verify"), {"code": last_code_sent_to(mobile)})


def _share_ashas_number(personas: Any) -> Member:
    """Asha's daughter, born into her family, recorded with her mother's mobile number."""
    return members.record_birth(
        personas.asha_family,
        members.NewMember(
            name_en="Geeta Kumari",
            name_hi="गीता कुमारी",
            gender=Gender.FEMALE,
            date_of_birth=date(2008, 2, 2),
            relation=Relation.DAUGHTER,
            mobile="9816000001",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )


def test_a_single_member_is_linked_and_sees_only_her_family(personas: Any, deliver: Any) -> None:
    CitizenLink.objects.filter(user=personas.karan).delete()
    response = _login(Client(), personas.karan.mobile, deliver)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert list(Family.objects.visible_to(personas.karan)) == [personas.karan_family]


def test_a_shared_number_asks_who_you_are_and_links_only_that_member(personas: Any, deliver: Any) -> None:
    geeta = _share_ashas_number(personas)
    CitizenLink.objects.filter(user=personas.asha).delete()
    client = Client()
    response = _login(client, "9816000001", deliver)
    assert response["Location"] == reverse("registry:choose_member")
    page = client.get(reverse("registry:choose_member")).content.decode()
    assert "Geeta Kumari" in page and "Asha Devi" in page and "Ravi" not in page
    response = client.post(reverse("registry:choose_member"), {"member": geeta.member_id})
    assert response.status_code == 302
    assert [link.member for link in CitizenLink.objects.filter(user=personas.asha)] == [geeta]


def test_choosing_a_member_without_your_number_is_refused(personas: Any, deliver: Any) -> None:
    _share_ashas_number(personas)
    CitizenLink.objects.filter(user=personas.asha).delete()
    client = Client()
    _login(client, "9816000001", deliver)
    karan_member = Member.objects.get(mobile="9816000003")
    response = client.post(reverse("registry:choose_member"), {"member": karan_member.member_id})
    assert response.status_code == 400
    assert not CitizenLink.objects.filter(user=personas.asha).exists()


def test_a_number_without_a_member_gets_the_enrolment_page(db: Any, deliver: Any) -> None:
    user = User.objects.create_user(username="lone", kind=User.Kind.CITIZEN, mobile="9418011111")
    client = Client()
    response = _login(client, user.mobile, deliver)
    assert response["Location"] == reverse("accounts:not_enrolled")
    page = client.get(reverse("accounts:not_enrolled")).content.decode()
    assert "Panchayat Secretary" in page
    client.post(reverse("set_language"), {"language": "hi"})
    assert "पंचायत सचिव" in client.get(reverse("accounts:not_enrolled")).content.decode()
    assert not Family.objects.visible_to(user).exists()


def test_a_link_whose_number_changed_is_dropped_at_login(personas: Any, deliver: Any) -> None:
    ravi = Member.objects.get(mobile="9816000002")
    CitizenLink.objects.create(user=personas.karan, member=ravi)  # a stale link from an old number
    _login(Client(), personas.karan.mobile, deliver)
    assert [link.member.mobile for link in CitizenLink.objects.filter(user=personas.karan)] == ["9816000003"]
