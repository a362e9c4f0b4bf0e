"""Public tracking: a reference shows status, department and last update; the mobile's last 4 digits, more."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.utils.html import escape

from himaccess.grievances import actions
from himaccess.grievances.views import TRACK_DIGITS_PER_COMPLAINT, TRACK_LOOKUPS_PER_ADDRESS

_CSRF = re.compile(r'<input[^>]*name="csrfmiddlewaretoken"[^>]*>')


def shown(page: Any) -> str:
    """The page as a reader sees it: without the random CSRF token, which may spell anything."""
    return _CSRF.sub("", page.content.decode())


TRACK = "/grievances/track/"
# What only the complainant (or whoever knows their number) may see.
ABOUT = "Mutation (intkal) not entered"
OFFICER_STEP = escape("Officer's action")


def _look(client: Client, reference: str) -> Any:
    return client.get(TRACK, {"reference": reference})


def _open(client: Client, reference: str, digits: str, address: str = "10.7.0.1") -> Any:
    return client.post(TRACK, {"reference": reference, "mobile_last4": digits}, REMOTE_ADDR=address)


def test_a_reference_alone_shows_status_department_and_last_update_only(ladder: Any) -> None:
    complaint = ladder.file_for_asha(text="Asha Devi 9816000001 land at Bhiuli")
    actions.record_action(complaint, note="Called the patwari", acting_user=ladder.personas.meena)
    page = _look(Client(), complaint.display_reference)
    assert page.status_code == 200
    text = shown(page)
    assert complaint.display_reference in text and "Department of Revenue" in text
    assert complaint.get_status_display() in text
    for hidden in (ABOUT, OFFICER_STEP, "Mandi", "L1", "Asha", "9816000001", "patwari", "Bhiuli"):
        assert hidden not in text, hidden


def test_the_last_four_digits_of_the_mobile_open_the_progress(ladder: Any) -> None:
    complaint = ladder.file_for_asha()
    actions.record_action(complaint, note="Called the patwari", acting_user=ladder.personas.meena)
    page = _open(Client(), complaint.reference, "0001")
    assert page.status_code == 200
    text = shown(page)
    assert ABOUT in text and OFFICER_STEP in text and "Mandi" in text
    assert "9816000001" not in text and "patwari" not in text  # the note itself stays with the officers
    assert "no-store" in page["Cache-Control"]


def test_wrong_digits_show_nothing_more(ladder: Any) -> None:
    complaint = ladder.file_for_asha()
    page = _open(Client(), complaint.reference, "1234")
    assert page.status_code == 400
    text = shown(page)
    assert "not the last 4 digits" in text and ABOUT not in text


def test_malformed_digits_are_refused_with_a_message(ladder: Any) -> None:
    complaint = ladder.file_for_asha()
    page = _open(Client(), complaint.reference, "12ab")
    assert page.status_code == 400
    assert "last 4 digits" in page.content.decode() and ABOUT not in page.content.decode()


def test_tries_at_the_digits_are_limited_per_complaint_from_any_address(ladder: Any) -> None:
    complaint = ladder.file_for_asha()
    for i in range(TRACK_DIGITS_PER_COMPLAINT[0].count):
        assert _open(Client(), complaint.reference, f"{2000 + i}", address=f"10.7.1.{i}").status_code == 400
    right_but_late = _open(Client(), complaint.reference, "0001", address="10.7.2.1")
    assert right_but_late.status_code == 429 and int(right_but_late["Retry-After"]) > 0
    assert ABOUT not in right_but_late.content.decode()


def test_lookups_are_limited_per_address(ladder: Any) -> None:
    complaint = ladder.file_for_asha()
    client = Client()
    for _ in range(TRACK_LOOKUPS_PER_ADDRESS[0].count):
        assert _look(client, complaint.reference).status_code == 200
    refused = _look(client, complaint.reference)
    assert refused.status_code == 429 and "Retry-After" in refused
    assert _look(Client(REMOTE_ADDR="10.7.3.1"), complaint.reference).status_code == 200


def test_an_anonymous_walker_learns_nothing_but_statuses(ladder: Any) -> None:
    filed = [ladder.file_for_asha(text=f"Land dispute number {n} at Bhiuli") for n in range(3)]
    actions.resolve(filed[0], note="Entered in the register", acting_user=ladder.personas.meena)
    walker = Client(REMOTE_ADDR="10.7.4.1")
    pages = [_look(walker, complaint.reference).content.decode() for complaint in filed]
    pages.append(_look(walker, "G00000000000").content.decode())
    # The CSRF token is random text: "L1" or "Mandi" may turn up in it by chance, never in what is shown.
    seen = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", "\n".join(pages))
    for hidden in (ABOUT, "Mandi", "Asha", "9816000001", "Bhiuli", "Entered in the register", "L1"):
        assert hidden not in seen, hidden
    assert "Resolved" in seen or filed[0].get_status_display() in seen
