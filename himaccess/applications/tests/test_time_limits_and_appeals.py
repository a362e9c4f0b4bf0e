"""Time limits run in working time; an overdue application is flagged and appealable."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from himaccess.applications.actions import appeals, decisions
from himaccess.applications.models import Action, AppealStatus, Application, Status
from himaccess.applications.tests.conftest import submit_character
from himaccess.catalog.models import Holiday
from himaccess.conftest import Personas
from himaccess.lib.errors import NotAllowed
from himaccess.notifications.models import SmsMessage

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def test_due_date_skips_sundays_and_gazetted_holidays(personas: Personas) -> None:
    Holiday.objects.create(date=date(2025, 3, 3), name_en="Holi (example)", name_hi="होली")
    with time_machine.travel(datetime(2025, 3, 1, 16, 0, tzinfo=IST), tick=False):  # a Saturday
        application = submit_character(personas)
    # 24 working hours: Saturday 8 h, Sunday closed, Monday a holiday, Tuesday 16 h.
    assert application.due_at == datetime(2025, 3, 4, 16, 0, tzinfo=IST)


def test_overdue_application_is_flagged_once_and_offered_an_appeal(personas: Personas, sapna: Any) -> None:
    with time_machine.travel(datetime(2025, 3, 4, 10, 0, tzinfo=IST), tick=False):
        application = submit_character(personas)
    with time_machine.travel(datetime(2025, 3, 5, 9, 0, tzinfo=IST), tick=False):
        assert decisions.flag_overdue() == 0
    with time_machine.travel(datetime(2025, 3, 5, 11, 0, tzinfo=IST), tick=False):
        assert decisions.flag_overdue() == 1
        assert decisions.flag_overdue() == 0
        application.refresh_from_db()
        assert application.overdue_at is not None
        assert application.steps.filter(action=Action.OVERDUE).count() == 1
        assert SmsMessage.objects.filter(template__key="service_overdue").count() == 1
        page = personas.client_for(personas.asha).get(
            reverse("applications:detail", args=[application.number])
        )
        assert "You may file an appeal (level 1)" in page.content.decode()
        response = personas.client_for(personas.asha).post(
            reverse("applications:appeal", args=[application.number]), {"grounds": "No decision in time"}
        )
        assert response.status_code == 302
    appeal = application.appeals.get()
    assert appeal.level == 1 and appeal.authority_role == "sdm"
    with time_machine.travel(datetime(2025, 3, 6, 11, 0, tzinfo=IST), tick=False):
        queue = personas.client_for(sapna).get(reverse("applications:queue"))
        assert application.display_number in queue.content.decode()
        response = personas.client_for(sapna).post(
            reverse("applications:decide_appeal", args=[appeal.pk]),
            {"outcome": "allowed", "note": "Issue within the time limit", "version": appeal.version},
        )
        assert response.status_code == 302
    application.refresh_from_db()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ALLOWED
    assert application.status == Status.PENDING and application.stage_role == "tehsildar"
    assert application.due_at == datetime(2025, 3, 7, 11, 0, tzinfo=IST)


def test_no_appeal_before_the_time_limit_passes(personas: Personas, submitted: Application) -> None:
    with pytest.raises(NotAllowed):
        appeals.file_appeal(submitted, "Too slow", acting_user=personas.asha)
    response = personas.client_for(personas.asha).post(
        reverse("applications:appeal", args=[submitted.number]), {"grounds": "x"}
    )
    assert response.status_code == 400
    assert not submitted.appeals.exists()


def test_appeal_window_closes_after_thirty_days(personas: Personas, prem: Any) -> None:
    with time_machine.travel(datetime(2025, 3, 4, 10, 0, tzinfo=IST), tick=False):
        application = submit_character(personas)
        application = decisions.act(
            application, "verify", acting_user=prem, expected_version=application.version
        )
        decisions.act(
            application,
            "reject",
            acting_user=personas.meena,
            expected_version=application.version,
            reason="not_eligible",
        )
    application.refresh_from_db()
    with time_machine.travel(datetime(2025, 3, 20, tzinfo=IST), tick=False):
        assert appeals.appeal_open(application) == 1
    with time_machine.travel(datetime(2025, 4, 10, tzinfo=IST), tick=False):
        assert appeals.appeal_open(application) == 0


def test_second_appeal_opens_when_the_first_is_dismissed(personas: Personas, sapna: Any) -> None:
    from himaccess.accounts.models import Level, Role
    from himaccess.conftest import MANDI, make_official

    dc = make_official("dc", Role.DEPUTY_COMMISSIONER, Level.DISTRICT, district_id=MANDI)
    with time_machine.travel(datetime(2025, 3, 4, 10, 0, tzinfo=IST), tick=False):
        application = submit_character(personas)
    with time_machine.travel(datetime(2025, 3, 6, 10, 0, tzinfo=IST), tick=False):
        first = appeals.file_appeal(application, "Late", acting_user=personas.asha)
        appeals.decide_appeal(
            first, "dismissed", "Delay explained", acting_user=sapna, expected_version=first.version
        )
        application.refresh_from_db()
        second = appeals.file_appeal(application, "Still late", acting_user=personas.asha)
    assert second.level == 2 and second.authority_role == "deputy_commissioner"
    with pytest.raises(NotAllowed):
        appeals.decide_appeal(second, "allowed", "x", acting_user=sapna, expected_version=second.version)
    appeals.decide_appeal(second, "allowed", "Provide it", acting_user=dc, expected_version=second.version)
