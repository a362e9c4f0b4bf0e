"""Bad input gets a clear 4xx and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from himaccess.conftest import MANDI, MANDI_TEHSIL, ClientResponse
from himaccess.grievances.models import Complaint, ComplaintStep
from himaccess.grievances.tests.conftest import Ladder

API = "/api/v1/grievances/complaints"


def _post(client: Client, **overrides: object) -> ClientResponse:
    body: dict[str, object] = {
        "mobile": "9999922222",
        "category": "revenue-mutation-delay",
        "description": "Mutation",
        "location": {"district": MANDI, "tehsil": MANDI_TEHSIL},
    }
    body.update(overrides)
    return client.post(API, body, content_type="application/json")


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"category": "no-such-thing"}, 400, "category"),
        ({"category": "revenue-land-records"}, 400, "category"),  # a parent node is not fileable
        ({"location": {"district": 9999, "tehsil": 1}}, 422, "outside Himachal"),
        (
            {"location": {"district": MANDI, "tehsil": MANDI_TEHSIL, "pincode": "110001"}},
            422,
            "outside Himachal",
        ),
        ({"location": {"district": MANDI, "tehsil": 100}}, 400, "tehsil"),
        ({"description": "   "}, 400, "Describe"),
        ({"description": "x" * 2001}, 400, "too long"),
        ({"mobile": "12345"}, 400, "mobile"),
        ({"channel": "pigeon"}, 400, "channel"),
    ],
)
def test_bad_complaints_are_refused_with_a_message(
    ladder: Ladder, overrides: dict[str, object], status: int, words: str
) -> None:
    response = _post(ladder.personas.client_for(ladder.personas.sunita), **overrides)
    assert response.status_code == status
    assert words in response.json()["detail"]
    assert Complaint.objects.count() == 0 and ComplaintStep.objects.count() == 0


def test_messages_come_in_hindi_when_asked(ladder: Ladder) -> None:
    client = ladder.personas.client_for(ladder.personas.sunita)
    response = client.post(
        API,
        {"mobile": "9999922222", "category": "x", "description": "d"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    assert response.status_code == 400
    assert "श्रेणी" in response.json()["detail"]


def test_console_outside_himachal_is_a_400_page(ladder: Ladder) -> None:
    client = ladder.personas.client_for(ladder.personas.sunita)
    response = client.post(
        "/grievances/console/",
        {
            "mobile": "9999922222",
            "category": "revenue-mutation-delay",
            "description": "d",
            "district": "9999",
        },
    )
    assert response.status_code == 400
    assert Complaint.objects.count() == 0


def test_officer_outside_jurisdiction_cannot_act(ladder: Ladder) -> None:
    complaint = ladder.file_for_asha()
    vikram = ladder.personas.client_for(ladder.personas.vikram)
    for action, data in (
        ("resolve", {"note": "done"}),
        ("act", {"note": "x"}),
        ("reassign", {"reason": "x"}),
    ):
        assert vikram.post(f"/grievances/c/{complaint.reference}/{action}/", data).status_code == 404
    assert vikram.get(f"/grievances/c/{complaint.reference}/").status_code == 404
    assert vikram.get(f"/api/v1/grievances/complaints/{complaint.reference}").status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.OPEN and complaint.steps.count() == 1


def test_supervisor_cannot_resolve_in_place_of_the_officer(ladder: Ladder) -> None:
    complaint = ladder.file_for_asha()
    response = ladder.personas.client_for(ladder.dc_mandi).post(
        f"/grievances/c/{complaint.reference}/resolve/", {"note": "done"}
    )
    assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.OPEN


def test_other_citizen_sees_nothing(ladder: Ladder) -> None:
    complaint = ladder.file_for_asha()
    karan = ladder.personas.client_for(ladder.personas.karan)
    assert karan.get(f"/grievances/c/{complaint.reference}/").status_code == 404
    assert karan.post(f"/grievances/c/{complaint.reference}/reopen/", {"reason": "x"}).status_code == 404


def test_attachment_of_the_wrong_type_is_refused(ladder: Ladder) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    complaint = ladder.file_for_asha()
    meena = ladder.personas.client_for(ladder.personas.meena)
    fake = SimpleUploadedFile("order.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    response = meena.post(
        f"/grievances/c/{complaint.reference}/resolve/", {"note": "done", "attachment": fake}
    )
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.OPEN
    good = SimpleUploadedFile("order.pdf", b"%PDF-1.4 order", content_type="application/pdf")
    assert (
        meena.post(
            f"/grievances/c/{complaint.reference}/resolve/", {"note": "done", "attachment": good}
        ).status_code
        == 302
    )
    download = ladder.personas.client_for(ladder.personas.asha).get(
        f"/grievances/c/{complaint.reference}/attachment/"
    )
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
