"""A complaint's text is kept without invisible or direction-changing characters, from the page and the API.

A right-to-left override can make "refund 500" read as "005 dnufer" to the
officer while the record says otherwise; a zero-width space splits a word so
that search misses it. Both are dropped as the text is entered; Hindi words
keep their joiners.
"""

from __future__ import annotations

from himaccess.grievances.models import Complaint
from himaccess.grievances.tests.conftest import Ladder

TYPED = "Mutation\u200b of my land \u202epending\u202c since March\ufeff; क्\u200dषेत्र \u2067खसरा\u2069 12"
KEPT = "Mutation of my land pending since March; क्\u200dषेत्र खसरा 12"


def test_the_complaint_page_drops_invisible_characters(ladder: Ladder) -> None:
    client = ladder.personas.client_for(ladder.personas.asha)
    response = client.post("/grievances/new/", {"category": "revenue-mutation-delay", "description": TYPED})
    assert response.status_code == 302
    assert Complaint.objects.get().description == KEPT


def test_the_complaint_api_drops_invisible_characters(ladder: Ladder) -> None:
    client = ladder.personas.client_for(ladder.personas.asha)
    response = client.post(
        "/api/v1/grievances/complaints",
        {"category": "revenue-mutation-delay", "description": TYPED},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Complaint.objects.get().description == KEPT


def test_the_helpline_console_drops_them_from_the_callers_name_and_text(ladder: Ladder) -> None:
    client = ladder.personas.client_for(ladder.personas.sunita)
    response = client.post(
        "/grievances/console/",
        {
            "mobile": "9816000003",
            "name": "Ka\u200bran\u202e",
            "category": "revenue-jamabandi-error",
            "description": TYPED,
        },
    )
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.description == KEPT
    assert complaint.complainant_name == "Karan"
