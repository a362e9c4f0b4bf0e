"""The campaign: counts by area from rows, scoped to the official; trend; camp lists; reminders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import time_machine

from himaccess.accounts.models import User
from himaccess.conftest import ASHA_PANCHAYAT, MANDI, Personas
from himaccess.kyc import actions, campaign
from himaccess.kyc.models import KycReminder, KycTally, Method
from himaccess.kyc.providers.offline import IST
from himaccess.kyc.tasks import remind
from himaccess.notifications import sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def ravi_without_aadhaar(personas: Personas) -> None:
    """Suresh, the panchayat secretary, verifies Ravi in person (he has no Aadhaar)."""
    actions.verify_without_aadhaar(
        personas.member(personas.ravi),
        method=Method.PHYSICAL,
        acting_user=personas.suresh,
        note="At the camp",
    )


def test_the_tehsildar_sees_mandi_and_not_kangra(personas: Personas, ravi_without_aadhaar: None) -> None:
    campaign.recount()
    page = personas.client_for(personas.meena).get("/kyc/campaign/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mandi" in text and "Kangra" not in text
    level, rows, total = campaign.progress(personas.meena, district=None, block=None, language="en")
    assert level == "district" and [r.name for r in rows] == ["Mandi"]
    # Asha, Ravi and Karan live in Mandi; Ravi is done without Aadhaar.
    assert (total.members, total.done, total.without_aadhaar, total.pending) == (3, 1, 1, 2)


def test_the_kangra_tehsildar_sees_nothing_of_mandi(personas: Personas, ravi_without_aadhaar: None) -> None:
    campaign.recount()
    _level, rows, total = campaign.progress(personas.vikram, district=MANDI, block=None, language="en")
    assert rows == [] and total.members == 0
    page = personas.client_for(personas.vikram).get("/kyc/campaign/", {"district": MANDI})
    assert "Mandi" not in page.content.decode().split("<main", 1)[-1].split("</main>")[0]


def test_the_state_sees_every_district(personas: Personas, neha: User) -> None:
    campaign.recount()
    _level, rows, total = campaign.progress(neha, district=None, block=None, language="en")
    assert {r.name for r in rows} == {"Mandi", "Kangra"} and total.members == 4


def test_citizens_helpline_and_operators_have_no_campaign(personas: Personas) -> None:
    for user in (personas.asha, personas.karan, personas.sunita):
        assert personas.client_for(user).get("/kyc/campaign/").status_code in (302, 404)
    assert personas.client_for(personas.asha).get("/kyc/campaign/").status_code == 404


def test_bad_area_parameters_are_404_not_500(personas: Personas) -> None:
    client = personas.client_for(personas.meena)
    for query in ({"district": "abc"}, {"district": "-1"}, {"block": "9" * 30}):
        assert client.get("/kyc/campaign/", query).status_code == 404
    # Control characters are refused at the edge, before any view.
    assert client.get("/kyc/campaign/", {"district": "1\x00"}).status_code == 400


def test_live_counts_agree_with_a_recount(personas: Personas, ravi_without_aadhaar: None) -> None:
    live = {t.area: (t.verified, t.without_aadhaar, t.mismatch, t.failed) for t in KycTally.objects.all()}
    campaign.recount()
    assert live == {
        t.area: (t.verified, t.without_aadhaar, t.mismatch, t.failed)
        for t in KycTally.objects.all()
        if t.verified or t.without_aadhaar or t.mismatch or t.failed
    }


def test_the_chart_is_an_image_with_the_table_as_its_alternative(
    personas: Personas, ravi_without_aadhaar: None
) -> None:
    campaign.recount()
    page = personas.client_for(personas.meena).get("/kyc/campaign/", {"district": MANDI}).content.decode()
    assert (
        'role="img"' in page and 'aria-describedby="progress-table"' in page and 'id="progress-table"' in page
    )
    assert 'id="trend-table"' in page  # a day with a completion draws the trend against the target


def test_trend_runs_against_the_one_month_target(personas: Personas, neha: User, settings: Any) -> None:
    settings.KYC_CAMPAIGN_DAYS = 30
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=IST)):
        settings.KYC_CAMPAIGN_START = "2026-12-01"
        actions.verify_without_aadhaar(
            personas.member(personas.ravi), method=Method.PHYSICAL, acting_user=personas.suresh, note="camp"
        )
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=IST)):
        points = campaign.trend(neha, district=None, block=None, members=300)
    assert [p.completed for p in points] == [1, 0, 0]
    assert [p.cumulative for p in points] == [1, 1, 1]
    assert [p.target for p in points] == [10, 20, 30]


def test_suresh_prints_the_pending_list_of_his_panchayat(
    personas: Personas, ravi_without_aadhaar: None
) -> None:
    page = personas.client_for(personas.suresh).get(f"/kyc/campaign/pending/{ASHA_PANCHAYAT}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Asha Devi" in text and "Karan Thakur" in text and "Ravi Kumar" not in text


def test_vikram_cannot_print_a_mandi_panchayats_list(personas: Personas) -> None:
    assert (
        personas.client_for(personas.vikram).get(f"/kyc/campaign/pending/{ASHA_PANCHAYAT}/").status_code
        == 404
    )
    assert (
        personas.client_for(personas.asha).get(f"/kyc/campaign/pending/{ASHA_PANCHAYAT}/").status_code == 404
    )


# ------------------------------------------------------------------ reminders


def test_reminders_go_once_a_week_to_pending_families(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=IST)):
        with django_capture_on_commit_callbacks(execute=True):
            assert remind() == 3  # Asha's, Karan's and the Kangra family
        assert remind() == 0  # the same week: nothing again
    texts = {m.to: m.text for m in sms.outbox}
    assert personas.asha_family.display_id in texts[personas.member(personas.asha).mobile]
    with time_machine.travel(datetime(2026, 12, 9, 10, 30, tzinfo=IST)):
        assert remind() == 3
    assert KycReminder.objects.count() == 6


def test_no_reminder_in_quiet_hours(personas: Personas) -> None:
    for hour in (21, 23, 2, 7):
        with time_machine.travel(datetime(2026, 12, 2, hour, 30, tzinfo=IST)):
            assert remind() == 0
    assert not KycReminder.objects.exists()
    with time_machine.travel(datetime(2026, 12, 3, 8, 5, tzinfo=IST)):
        assert remind() == 3  # the morning's first run sends what the night held back


def test_a_family_all_done_gets_no_reminder(personas: Personas) -> None:
    actions.verify_without_aadhaar(
        personas.member(personas.karan), method=Method.PHYSICAL, acting_user=personas.suresh, note="camp"
    )
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=IST)):
        remind()
    assert not KycReminder.objects.filter(family=personas.karan_family).exists()


def test_a_run_stops_at_its_limit_and_the_next_goes_on_from_there(personas: Personas) -> None:
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=IST)):
        assert [remind(limit=1) for _ in range(4)] == [1, 1, 1, 0]
    assert KycReminder.objects.values("family").distinct().count() == 3
