"""Registering complaints from every channel, routing them, and linking repeat calls."""

from __future__ import annotations

from django.test import Client
from pytest_django import Settings

from himaccess.conftest import KANGRA, KANGRA_TEHSIL
from himaccess.grievances.models import Complaint, ComplaintStep, Suggestion
from himaccess.grievances.tests.conftest import Ladder, texts_to
from himaccess.lib import identifiers


def test_asha_files_from_her_page_and_it_reaches_meena_with_an_sms_reference(ladder: Ladder) -> None:
    personas = ladder.personas
    client = personas.client_for(personas.asha)
    page = client.get("/grievances/new/")
    assert page.status_code == 200
    response = client.post(
        "/grievances/new/",
        {"category": "revenue-mutation-delay", "description": "Intkal pending for 3 months"},
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert identifiers.is_valid(complaint.reference.replace("G", "F", 1), "F")
    assert complaint.channel == "web"
    assert complaint.assignee == personas.meena and complaint.level == 1 and not complaint.routed_up
    assert complaint.tehsil_id == personas.asha_family.tehsil_id
    assert complaint.steps.get().kind == ComplaintStep.Kind.FILED
    assert complaint.reference in texts_to("9816000001")[0]
    assert complaint.reference in texts_to("9418000001")[0]  # Meena is told too
    assert client.get(response["Location"]).status_code == 200


def test_sunita_registers_for_a_known_caller_with_the_register_address(ladder: Ladder) -> None:
    client = ladder.personas.client_for(ladder.personas.sunita)
    response = client.post(
        "/grievances/console/",
        {
            "mobile": "9816000003",
            "name": "Karan",
            "category": "revenue-jamabandi-error",
            "description": "Wrong name in jamabandi",
        },
    )
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.display_reference in response.content.decode()
    assert complaint.channel == "helpline"
    assert complaint.member == ladder.personas.karan_family.head()
    assert complaint.assignee == ladder.personas.meena


def test_unknown_caller_gives_the_place_and_is_routed_there(ladder: Ladder) -> None:
    client = ladder.personas.client_for(ladder.personas.sunita)
    response = client.post(
        "/api/v1/grievances/complaints",
        {
            "mobile": "9999911111",
            "category": "revenue-mutation-delay",
            "description": "Mutation",
            "location": {"district": KANGRA, "tehsil": KANGRA_TEHSIL},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.assignee == ladder.personas.vikram


def test_same_caller_category_and_place_within_the_window_is_linked(ladder: Ladder) -> None:
    first = ladder.file_for_asha()
    again = ladder.file_for_asha(text="Calling again about my mutation")
    assert again.pk == first.pk
    assert Complaint.objects.count() == 1
    assert first.steps.filter(kind=ComplaintStep.Kind.REPEAT).count() == 1
    other = ladder.file_for_asha(code="revenue-demarcation")
    assert other.pk != first.pk


def test_repeat_after_the_window_opens_a_new_complaint(ladder: Ladder, settings: Settings) -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    first = ladder.file_for_asha()
    with time_machine.travel(timezone.now() + timedelta(hours=settings.GRIEVANCE_DUPLICATE_HOURS + 1)):
        later = ladder.file_for_asha()
    assert later.pk != first.pk


def test_api_reports_a_repeat_with_200_and_the_open_reference(ladder: Ladder) -> None:
    client = ladder.personas.client_for(ladder.personas.sunita)
    body = {"mobile": "9816000001", "category": "revenue-mutation-delay", "description": "Mutation"}
    first = client.post("/api/v1/grievances/complaints", body, content_type="application/json")
    second = client.post("/api/v1/grievances/complaints", body, content_type="application/json")
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["repeat"] is True and second.json()["reference"] == first.json()["reference"]


def test_suggestions_are_recorded_apart_from_complaints(ladder: Ladder) -> None:
    client = ladder.personas.client_for(ladder.personas.sunita)
    response = client.post(
        "/api/v1/grievances/suggestions",
        {
            "kind": "demand",
            "department": "public_works",
            "text": "A bridge over the khad",
            "mobile": "9816000001",
            "location": {"district": KANGRA, "tehsil": KANGRA_TEHSIL},
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["reference"].startswith("S")
    assert Suggestion.objects.count() == 1 and Complaint.objects.count() == 0


def test_no_officer_on_the_first_level_goes_up_and_is_flagged(ladder: Ladder) -> None:
    complaint = ladder.file_for_asha(code="jal-shakti-no-water", text="No water for four days")
    # Nobody holds Jal Shakti's rungs in Mandi; the state has no Jal Shakti officers either.
    assert complaint.assignee is None and complaint.routed_up
    step = complaint.steps.get()
    assert "no officer" in step.reason


def test_category_list_is_public_and_marks_leaves(client: Client, db: None) -> None:
    rows = client.get("/api/v1/grievances/categories").json()
    by_code = {r["code"]: r for r in rows}
    assert by_code["revenue-land-records"]["fileable"] is False
    assert by_code["revenue-mutation-delay"]["fileable"] is True
    departments = {r["department"] for r in rows}
    assert {
        "revenue",
        "jal_shakti",
        "public_works",
        "energy",
        "health",
        "social_justice",
        "food_civil_supplies",
        "urban_development",
        "panchayati_raj",
        "home",
    } <= departments
