"""Accountability figures and the public dashboard, which carries no personal data.

The dashboard keeps its address: it is the full table behind the charts of /figures/complaints/.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.test import Client

from himaccess.conftest import MANDI
from himaccess.grievances import actions, escalation, figures
from himaccess.grievances.tests.conftest import Ladder


def test_figures_count_what_happened(ladder: Ladder) -> None:
    a = ladder.file_for_asha()
    b = ladder.file_for_asha(code="revenue-demarcation")
    meena = ladder.personas.meena
    actions.record_action(a, note="Called the patwari", acting_user=meena)
    actions.resolve(a, note="Entered", acting_user=meena)
    actions.confirm_resolution(a, acting_user=None, channel="web")
    actions.rate(a, rating=5, acting_user=ladder.personas.asha)
    with time_machine.travel(b.sla_due_at + timedelta(minutes=1)):
        escalation.escalate_overdue()
        rows = {r["key"]: r for r in figures.figures("department")}
        revenue = rows["revenue"]
        assert revenue["received"] == 2 and revenue["resolved"] == 1 and revenue["resolved_in_time"] == 1
        assert revenue["overdue"] == [0, 0, 0, 0]  # b has a fresh L2 deadline
    with time_machine.travel(b.sla_due_at + timedelta(hours=80)):
        revenue = {r["key"]: r for r in figures.figures("department")}["revenue"]
        assert revenue["overdue"] == [0, 1, 0, 0]
    assert (
        revenue["rating"] == 5
        and revenue["satisfaction_rate"] == 100.0
        and revenue["closed_unconfirmed"] == 0
    )
    assert revenue["first_action_hours"] is not None
    by_officer = {r["key"]: r for r in figures.figures("officer")}
    assert by_officer[meena.pk]["resolved"] == 1 and by_officer[ladder.dc_mandi.pk]["received"] == 1


def test_public_dashboard_shows_no_names_or_mobiles(ladder: Ladder, client: Client) -> None:
    complaint = ladder.file_for_asha(text="Asha Devi 9816000001 land")
    actions.resolve(complaint, note="Done for Asha Devi", acting_user=ladder.personas.meena)
    page = client.get("/grievances/dashboard/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Department of Revenue" in text and "Mandi" in text
    for secret in ("Asha", "आशा", "9816000001", "0001", "meena", complaint.reference, "land"):
        assert secret not in text


def test_public_dashboard_keeps_its_address_and_leads_to_the_charts(ladder: Ladder, client: Client) -> None:
    ladder.file_for_asha()
    page = client.get("/grievances/dashboard/")
    text = page.content.decode()
    assert page.status_code == 200
    mandi = next(row for row in page.context["by_district"] if row["key"] == MANDI)
    assert mandi["received"] == 1 and mandi["overdue"] == [0, 0, 0, 0]
    assert 'href="/figures/complaints/"' in text
    # Both tables fold into labelled blocks on a phone.
    assert text.count('<table class="govuk-table govuk-!-font-size-16 stack">') == 2
    assert 'data-label="Received">1</td>' in text
    hindi = Client(HTTP_ACCEPT_LANGUAGE="hi")
    hindi.cookies["django_language"] = "hi"
    assert "मण्डी" in hindi.get("/grievances/dashboard/").content.decode()
    assert client.post("/grievances/dashboard/").status_code == 405


def test_public_tracking_shows_progress_without_personal_data(ladder: Ladder, client: Client) -> None:
    complaint = ladder.file_for_asha(text="Asha Devi 9816000001 land")
    page = client.get(f"/grievances/track/?reference={complaint.display_reference}")
    assert page.status_code == 200
    text = page.content.decode()
    assert complaint.display_reference in text
    assert "Asha" not in text and "9816000001" not in text and "meena" not in text
    assert client.get("/grievances/track/?reference=G00000000000").status_code == 404
