"""Registration, the society and family pages, the department page, and who may see what."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from himaccess.milkfed import actions, statements
from himaccess.milkfed.models import DairyFarmer, Membership, Society
from himaccess.milkfed.tests.conftest import Dairy, row
from himaccess.schemes.models import Enrolment

pytestmark = pytest.mark.django_db


def test_registration_links_a_register_member_and_sanctions_the_milk_enrolment(dairy: Dairy) -> None:
    farmer = dairy.asha
    assert farmer.member == dairy.member(dairy.p.asha)
    assert farmer.enrolment.status == Enrolment.Status.SANCTIONED
    assert farmer.channel == DairyFarmer.Channel.SECRETARY
    assert Membership.objects.get(farmer=farmer).society == dairy.rewalsar


def test_one_society_at_a_time_and_moving_needs_leaving_first(dairy: Dairy) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        actions.register_farmer(
            dairy.asha.member, dairy.sundernagar, joined_on=today, acting_user=dairy.mohan
        )
    actions.end_membership(dairy.asha, left_on=today - timedelta(days=1), acting_user=dairy.sita)
    actions.register_farmer(dairy.asha.member, dairy.sundernagar, joined_on=today, acting_user=dairy.bala)
    assert [m.society.code for m in dairy.asha.memberships.all()] == ["MND-002", "MND-001"]


def test_wrong_people_cannot_register_farmers(dairy: Dairy) -> None:
    ravi = dairy.member(dairy.p.ravi)
    today = timezone.localdate()
    for user, society in [
        (dairy.sita, dairy.sundernagar),  # secretary of another society
        (dairy.kiran, dairy.rewalsar),  # Milkfed official of another district
        (dairy.p.karan, dairy.rewalsar),  # a citizen of another family
        (dairy.p.meena, dairy.rewalsar),  # a register official who is not Milkfed
    ]:
        with pytest.raises(PermissionDenied):
            actions.register_farmer(ravi, society, joined_on=today, acting_user=user)
    assert not DairyFarmer.objects.filter(member=ravi).exists()


def test_citizen_registers_a_member_of_her_family_from_the_family_page(dairy: Dairy) -> None:
    family_id = dairy.p.asha_family.family_id
    ravi = dairy.member(dairy.p.ravi)
    client = dairy.client(dairy.p.asha)
    page = client.get(f"/departments/milkfed/families/{family_id}/")
    assert page.status_code == 200
    answer = client.post(
        f"/departments/milkfed/families/{family_id}/apply/",
        {"member": ravi.member_id, "society": "mnd-002", "joined_on": timezone.localdate().isoformat()},
    )
    assert answer.status_code == 302
    assert DairyFarmer.objects.get(member=ravi).channel == DairyFarmer.Channel.CITIZEN


def test_citizen_cannot_register_into_a_closed_society_and_is_told_in_hindi(dairy: Dairy) -> None:
    actions.set_society_status(dairy.sundernagar, Society.Status.CLOSED, acting_user=dairy.shanti)
    family_id = dairy.p.asha_family.family_id
    client = dairy.client(dairy.p.asha)
    client.cookies["django_language"] = "hi"
    answer = client.post(
        f"/departments/milkfed/families/{family_id}/apply/",
        {"member": dairy.member(dairy.p.ravi).member_id, "society": "MND-002", "joined_on": "2025-01-01"},
    )
    assert answer.status_code == 422
    assert "कोई खुली दुग्ध सभा नहीं" in answer.content.decode()


def test_family_page_shows_only_the_familys_own_statements(dairy: Dairy) -> None:
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    for code, user, farmer in (("MND-001", dairy.sita, dairy.asha), ("MND-002", dairy.bala, dairy.karan)):
        answer = dairy.client(user).post(
            f"/api/v1/milkfed/societies/{code}/collections",
            json.dumps([row(farmer, month)]),
            content_type="application/json",
        )
        assert answer.status_code == 201
    statements.compute(month, acting_user=None)
    asha_page = dairy.client(dairy.p.asha).get(
        f"/departments/milkfed/families/{dairy.p.asha_family.family_id}/"
    )
    text = asha_page.content.decode()
    assert "Asha Devi" in text and "530.00" in text
    assert "Karan" not in text
    # A citizen of another family, officials (even Milkfed's) and strangers get nothing.
    family_url = f"/departments/milkfed/families/{dairy.p.asha_family.family_id}/"
    for user in (dairy.p.karan, dairy.mohan, dairy.shanti, dairy.sita, dairy.p.meena):
        assert dairy.client(user).get(family_url).status_code == 404
    assert Client().get(family_url).status_code == 302


def test_family_page_in_hindi(dairy: Dairy) -> None:
    client = dairy.client(dairy.p.asha)
    client.cookies["django_language"] = "hi"
    page = client.get(f"/departments/milkfed/families/{dairy.p.asha_family.family_id}/").content.decode()
    assert "दूध भुगतान" in page


def test_society_page_scope(dairy: Dairy) -> None:
    url = "/departments/milkfed/societies/MND-001/"
    for user in (dairy.sita, dairy.mohan, dairy.shanti):
        assert dairy.client(user).get(url).status_code == 200
    for user in (dairy.bala, dairy.kiran, dairy.kamal, dairy.p.asha, dairy.p.meena, dairy.p.sunita):
        assert dairy.client(user).get(url).status_code == 404, user.username
    page = dairy.client(dairy.sita).get(url).content.decode()
    assert "Asha Devi" in page and "Karan" not in page


def test_only_milkfed_officials_open_and_close_societies(dairy: Dairy) -> None:
    url = "/departments/milkfed/societies/MND-001/status/"
    assert dairy.client(dairy.sita).post(url, {"status": "closed"}).status_code == 403
    assert dairy.client(dairy.kiran).post(url, {"status": "closed"}).status_code == 404
    dairy.rewalsar.refresh_from_db()
    assert dairy.rewalsar.is_open
    assert dairy.client(dairy.mohan).post(url, {"status": "closed"}).status_code == 302
    dairy.rewalsar.refresh_from_db()
    assert not dairy.rewalsar.is_open


def test_department_page_shows_figures_and_prices_with_small_groups_hidden(dairy: Dairy) -> None:
    today = timezone.localdate()
    answer = dairy.client(dairy.sita).post(
        "/api/v1/milkfed/societies/MND-001/collections",
        json.dumps([row(dairy.asha, today)]),
        content_type="application/json",
    )
    assert answer.status_code == 201
    public = Client().get("/departments/milkfed/").content.decode()
    assert "Milkfed" in public and "Prices paid for milk" in public
    # One farmer in Mandi this month: too small a group to show to the public.
    assert "Mandi" not in public
    officer = dairy.client(dairy.mohan).get("/departments/milkfed/").content.decode()
    assert "MND-001" in officer and "KGR-001" not in officer
    secretary = dairy.client(dairy.sita).get("/departments/milkfed/").content.decode()
    assert "MND-001" in secretary and "MND-002" not in secretary
    assert Client().get("/departments/").status_code == 200
    assert Client().get("/departments/no-such/").status_code == 404
    hindi = Client()
    hindi.cookies["django_language"] = "hi"
    assert "दूध" in hindi.get("/departments/milkfed/").content.decode()
