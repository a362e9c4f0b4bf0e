"""Change requests: filed by the family or the panchayat, decided in the jurisdiction."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from himaccess.audit.models import AuditEntry
from himaccess.conftest import ClientResponse, Personas
from himaccess.events.models import Event
from himaccess.registry.models import ChangeRequest, Family, Member, RegisterChange

pytestmark = pytest.mark.django_db


def file_birth(client: Client, family: Family, **overrides: str) -> ClientResponse:
    mother = family.head()
    data = {
        "name_hi": "अनु",
        "name_en": "Anu",
        "gender": "F",
        "date_of_birth": "2025-01-15",
        "relation": "granddaughter",
        "mother": "",
        "father": "",
    }
    data.update(overrides)
    assert mother is not None
    return client.post(reverse("registry:new_change_request", args=[family.family_id, "birth"]), data)


def test_family_files_birth_and_tehsildar_approves(personas: Personas) -> None:
    asha = personas.client_for(personas.asha)
    response = file_birth(asha, personas.asha_family)
    assert response.status_code == 302
    request = ChangeRequest.objects.get(family=personas.asha_family)
    assert request.status == ChangeRequest.Status.PENDING
    assert request.source == "self"

    meena = personas.client_for(personas.meena)
    queue = meena.get(reverse("registry:queue"))
    assert request.reference in queue.content.decode()
    response = meena.post(reverse("registry:decide", args=[request.reference]), {"decision": "approve"})
    assert response.status_code == 302

    anu = Member.objects.get(family=personas.asha_family, name_en="Anu")
    assert anu.name_hi == "अनु"
    assert anu.given_key  # phonetic keys filled for search
    assert RegisterChange.objects.filter(member=anu, change_request=request, field="name_en").exists()
    assert Event.objects.filter(name="member.added", payload__member_id=anu.member_id).exists()
    assert AuditEntry.objects.filter(action="change_request.approved").exists()
    assert list(request.steps.values_list("to_status", flat=True)) == ["pending", "approved"]


def test_official_outside_jurisdiction_gets_404(personas: Personas) -> None:
    request = _filed(personas)
    vikram = personas.client_for(personas.vikram)
    assert vikram.get(reverse("registry:family", args=[personas.asha_family.family_id])).status_code == 404
    assert vikram.get(reverse("registry:change_request", args=[request.reference])).status_code == 404
    response = vikram.post(reverse("registry:decide", args=[request.reference]), {"decision": "approve"})
    assert response.status_code == 404
    assert vikram.get(reverse("registry:queue")).content.decode().count(request.reference) == 0
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.PENDING


def test_citizen_of_another_family_gets_404(personas: Personas) -> None:
    request = _filed(personas)
    karan = personas.client_for(personas.karan)
    assert karan.get(reverse("registry:family", args=[personas.asha_family.family_id])).status_code == 404
    assert karan.get(reverse("registry:change_request", args=[request.reference])).status_code == 404
    assert file_birth(karan, personas.asha_family).status_code == 404
    assert karan.get(reverse("registry:queue")).status_code == 404


def test_anonymous_is_sent_to_login(personas: Personas, client: Client) -> None:
    response = client.get(reverse("registry:family", args=[personas.asha_family.family_id]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_helpline_agent_cannot_decide(personas: Personas) -> None:
    request = _filed(personas)
    sunita = personas.client_for(personas.sunita)
    response = sunita.post(reverse("registry:decide", args=[request.reference]), {"decision": "approve"})
    assert response.status_code == 404


def test_rejection_keeps_its_reason(personas: Personas) -> None:
    request = _filed(personas)
    meena = personas.client_for(personas.meena)
    empty = meena.post(
        reverse("registry:decide", args=[request.reference]), {"decision": "reject", "reason": " "}
    )
    assert empty.status_code == 400
    meena.post(
        reverse("registry:decide", args=[request.reference]),
        {"decision": "reject", "reason": "No birth record"},
    )
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.REJECTED
    assert request.reason == "No birth record"
    assert not Member.objects.filter(name_en="Anu").exists()
    page = personas.client_for(personas.asha).get(
        reverse("registry:change_request", args=[request.reference])
    )
    assert "No birth record" in page.content.decode()


def test_filer_cannot_approve_own_request(personas: Personas) -> None:
    suresh = personas.client_for(personas.suresh)
    assert file_birth(suresh, personas.asha_family).status_code == 302
    request = ChangeRequest.objects.get()
    assert request.source == "panchayat"
    assert (
        suresh.post(reverse("registry:decide", args=[request.reference]), {"decision": "approve"}).status_code
        == 404
    )
    meena = personas.client_for(personas.meena)
    assert (
        meena.post(reverse("registry:decide", args=[request.reference]), {"decision": "approve"}).status_code
        == 302
    )


def test_second_decision_is_a_conflict_and_changes_nothing(personas: Personas) -> None:
    request = _filed(personas)
    meena = personas.client_for(personas.meena)
    dc = personas.client_for(personas.meena)
    assert (
        meena.post(reverse("registry:decide", args=[request.reference]), {"decision": "approve"}).status_code
        == 302
    )
    second = dc.post(
        reverse("registry:decide", args=[request.reference]), {"decision": "reject", "reason": "late"}
    )
    assert second.status_code == 409
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.APPROVED
    assert Member.objects.filter(name_en="Anu").count() == 1


def test_withdrawn_request_cannot_be_approved(personas: Personas) -> None:
    request = _filed(personas)
    asha = personas.client_for(personas.asha)
    assert asha.post(reverse("registry:withdraw", args=[request.reference])).status_code == 302
    meena = personas.client_for(personas.meena)
    page = meena.get(reverse("registry:change_request", args=[request.reference])).content.decode()
    assert 'action="/register/requests/' not in page or "decide" not in page
    assert (
        meena.post(reverse("registry:decide", args=[request.reference]), {"decision": "approve"}).status_code
        == 409
    )


def _filed(personas: Personas) -> ChangeRequest:
    response = file_birth(personas.client_for(personas.asha), personas.asha_family)
    assert response.status_code == 302
    return ChangeRequest.objects.get(family=personas.asha_family)


def test_birth_of_child_older_than_mother_is_refused(personas: Personas) -> None:
    asha_member = personas.member(personas.asha)
    asha = personas.client_for(personas.asha)
    response = file_birth(
        asha, personas.asha_family, mother=asha_member.member_id, date_of_birth="1970-01-01"
    )
    assert response.status_code == 400
    assert "older than their parent" in response.content.decode()
    assert not ChangeRequest.objects.exists()
    assert date(1970, 1, 1) < asha_member.date_of_birth


def test_helpline_agent_and_department_officer_cannot_browse_the_register(personas: Personas) -> None:
    from himaccess.accounts.models import Level, Role
    from himaccess.conftest import make_official

    health = make_official(
        "health.mandi", Role.DEPARTMENT_OFFICER, Level.DISTRICT, district_id=22, department_id="health"
    )
    url = reverse("registry:family", args=[personas.asha_family.family_id])
    for official in (personas.sunita, health):
        assert personas.client_for(official).get(url).status_code == 404
