"""The public figures count what happened, in both languages, with a chart and its table each.

State is made through the real actions: Asha's complaints handled by Meena
(one in time, one late, one reopened by Asha), her character certificate
applications decided by Prem and Meena (one in time, one late, one left past
its limit), Kamla's pension offer accepted and sanctioned by Priya, and the
personas' families with a card. The pages show aggregates only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from himaccess.accounts.models import User
from himaccess.applications.actions import decisions
from himaccess.applications.models import Application
from himaccess.applications.tests.conftest import submit_character
from himaccess.cards.actions import issue_family_card, issue_member_card
from himaccess.conftest import KANGRA, MANDI, Personas
from himaccess.grievances import actions as grievances
from himaccess.grievances.models import Complaint
from himaccess.grievances.tests.conftest import Ladder
from himaccess.lib.charts import format_number
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import Offer
from himaccess.schemes.tests.conftest import SchemePeople
from himaccess.transparency import figures
from himaccess.transparency.figures import Scope

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
FILED = datetime(2025, 3, 4, 10, 0, tzinfo=IST)  # a Tuesday
# Complaint categories besides the mutation's: a second complaint in the same one would be a repeat call.
OTHER_CATEGORIES = (
    "revenue-jamabandi-error",
    "revenue-demarcation",
    "revenue-certificate-delay",
    "revenue-disaster-relief",
)
PAGES = ("/figures/", "/figures/complaints/", "/figures/services/", "/figures/schemes/", "/figures/register/")


def _hindi() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="hi")
    client.cookies["django_language"] = "hi"
    return client


def _complaints(ladder: Ladder) -> tuple[Complaint, Complaint, Complaint, datetime]:
    """Three of Asha's complaints: A resolved in time, B resolved late, C resolved then reopened by Asha.

    Returns them and a moment after all that, when the figures are read.
    """
    meena, asha = ladder.personas.meena, ladder.personas.asha
    with time_machine.travel(FILED, tick=False):
        a = ladder.file_for_asha()
        b = ladder.file_for_asha(code="revenue-demarcation")
        c = ladder.file_for_asha(code="revenue-jamabandi-error", text="Boundary in the jamabandi is wrong")
        grievances.resolve(a, note="Entered", acting_user=meena)
        grievances.resolve(c, note="Corrected", acting_user=meena)
        grievances.reject_resolution(c, reason="They are not back", acting_user=asha, channel="web")
    late = b.sla_due_at + timedelta(hours=1)
    with time_machine.travel(late, tick=False):
        grievances.resolve(b, note="Demarcated", acting_user=meena)
    for complaint in (a, b, c):
        complaint.refresh_from_db()
    return a, b, c, late + timedelta(hours=1)


def test_complaint_figures_count_in_time_late_and_reopened(ladder: Ladder, client: Client) -> None:
    a, b, c, now = _complaints(ladder)
    assert a.resolved_at is not None and b.resolved_at is not None
    assert a.resolved_at <= a.sla_due_at and b.sla_due_at < b.resolved_at
    with time_machine.travel(now, tick=False):
        page = client.get("/figures/complaints/")
    assert page.status_code == 200
    totals = page.context["totals"]
    overdue = int(c.due_at <= now)
    assert (totals.received, totals.resolved, totals.in_time, totals.late, totals.reopened) == (3, 2, 1, 1, 1)
    assert totals.overdue == overdue and totals.in_time_share == 50.0
    weeks, by_department, by_district = page.context["figures"]
    # Twelve weeks up to now; a reopened complaint is not counted as resolved.
    assert len(weeks.rows) == 12
    assert sum(int(cells[0][1]) for _label, cells in weeks.rows) == 3
    assert sum(int(cells[1][1]) for _label, cells in weeks.rows) == 2
    districts = dict(by_district.rows)
    assert len(districts) == 12
    assert [cell for _heading, cell in districts["Mandi"]] == ["3", "2", "1", "50%", "1", str(overdue)]
    assert [cell for _heading, cell in districts["Kangra"]] == ["0", "0", "0", "—", "0", "0"]
    assert dict(by_department.rows)["Department of Revenue"][0] == ("Received", "3")


def test_a_district_shows_only_its_own_figures(ladder: Ladder, client: Client) -> None:
    _a, _b, _c, now = _complaints(ladder)
    with time_machine.travel(now, tick=False):
        kangra = client.get("/figures/complaints/", {"district": KANGRA})
        mandi = client.get("/figures/complaints/", {"district": str(MANDI)})
    assert kangra.status_code == mandi.status_code == 200
    assert kangra.context["totals"].received == 0 and mandi.context["totals"].received == 3
    assert [label for label, _cells in mandi.context["figures"][2].rows] == ["Mandi"]
    # The links to the other pages keep the district.
    assert f'href="/figures/services/?district={MANDI}"' in mandi.content.decode()


def test_application_figures_count_decided_in_time_late_and_overdue(
    personas: Personas, prem: User, client: Client
) -> None:
    meena = personas.meena
    with time_machine.travel(FILED, tick=False):
        on_time, late, waiting = (submit_character(personas) for _ in range(3))
    assert on_time.due_at is not None
    with time_machine.travel(FILED + timedelta(hours=1), tick=False):
        on_time, late = (
            decisions.act(application, "verify", acting_user=prem, expected_version=application.version)
            for application in (on_time, late)
        )
        decisions.act(on_time, "approve", acting_user=meena, expected_version=on_time.version)
    assert on_time.due_at is not None
    with time_machine.travel(on_time.due_at + timedelta(hours=1), tick=False):
        decisions.act(late, "approve", acting_user=meena, expected_version=late.version)
        page = client.get("/figures/services/")
        kangra = client.get("/figures/services/", {"district": KANGRA})
    assert Application.objects.get(pk=waiting.pk).status == "pending"
    totals = page.context["totals"]
    assert (totals.received, totals.decided, totals.in_time, totals.late, totals.overdue) == (3, 2, 1, 1, 1)
    by_service, by_district = page.context["figures"]
    assert [cell for _h, cell in dict(by_service.rows)["Character certificate"]] == [
        "3",
        "2",
        "1",
        "1",
        "50%",
        "1",
    ]
    assert dict(by_district.rows)["Mandi"][0] == ("Received", "3")
    assert kangra.context["totals"].received == 0


def test_scheme_figures_put_eligible_beside_enrolled(people: SchemePeople, client: Client) -> None:
    kamla = people.member(people.kamla)
    reevaluation.reevaluate_member(kamla, trigger="test")
    eligible = sum(d.eligible for d in reevaluation.latest_decisions(kamla).values())
    assert eligible >= 1
    offer = Offer.objects.get(member=kamla, scheme__scheme_id="old_age_pension_state")
    enrolment = schemes_enrolment.accept_offer(offer, acting_user=people.kamla)
    schemes_enrolment.sanction_enrolment(enrolment, acting_user=people.priya)
    page = client.get("/figures/schemes/")
    by_district, by_scheme = page.context["figures"]
    assert [cell for _h, cell in dict(by_district.rows)["Mandi"]] == [str(eligible), "0", "1"]
    assert [cell for _h, cell in dict(by_district.rows)["Kangra"]] == ["0", "0", "0"]
    pension = dict(by_scheme.rows)[offer.scheme.name_en]
    assert [cell for _h, cell in pension] == ["1", "0", "1"]
    assert (
        figures.enrolments(Scope(district_id=MANDI)) == 1
        and figures.enrolments(Scope(district_id=KANGRA)) == 0
    )


def test_register_figures_count_families_members_and_cards(personas: Personas, client: Client) -> None:
    issue_family_card(personas.asha_family, acting_user=None)
    issue_member_card(personas.member(personas.ravi), acting_user=None)
    page = client.get("/figures/register/")
    assert page.status_code == 200
    rows = dict(page.context["figures"][0].rows)
    assert [cell for _h, cell in rows["Mandi"]] == ["2", "3", "1", "1"]
    assert [cell for _h, cell in rows["Kangra"]] == ["1", "1", "0", "0"]
    headline = client.get("/figures/").context["headline"]
    assert (headline.register.families, headline.register.members, headline.register.cards) == (3, 4, 2)


def test_headline_links_to_each_page_and_keeps_the_district(personas: Personas, client: Client) -> None:
    text = client.get("/figures/", {"district": MANDI}).content.decode()
    for page in PAGES[1:]:
        assert f'href="{page}?district={MANDI}"' in text


def test_every_chart_is_followed_by_its_table_and_is_valid_svg(ladder: Ladder, client: Client) -> None:
    _complaints(ladder)
    for path in PAGES[1:]:
        text = client.get(path).content.decode()
        sections = re.findall(r"<section .*?</section>", text, flags=re.S)
        assert sections, path
        for section in sections:
            svg = re.search(r"<svg .*?</svg>", section, flags=re.S)
            assert svg is not None, path
            root = ET.fromstring(svg.group(0))  # noqa: S314 - the SVG our own page just drew
            assert root.get("role") == "img"
            title, desc = (root.find(f"{{http://www.w3.org/2000/svg}}{tag}") for tag in ("title", "desc"))
            assert title is not None and desc is not None and title.text
            assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
            table = section.index('<table class="govuk-table stack">')
            assert svg.start() < table and "<caption" in section[table:], path


def test_hindi_pages_name_districts_in_hindi(ladder: Ladder) -> None:
    _complaints(ladder)
    client = _hindi()
    for path in PAGES:
        page = client.get(path)
        text = page.content.decode()
        assert '<html lang="hi"' in text, path
        assert "मण्डी" in text and "कांगड़ा" in text, path
        assert ">Mandi<" not in text and ">Kangra<" not in text, path
    departments = client.get("/figures/complaints/").context["figures"][1]
    assert "राजस्व" in "".join(label for label, _cells in departments.rows)


def test_numbers_have_indian_separators_in_both_languages() -> None:
    for language in ("en", "hi"):
        with translation.override(language):
            assert format_number(1234567) == "12,34,567"
            assert format_number(999) == "999"


def test_public_pages_show_no_personal_data(ladder: Ladder, client: Client) -> None:
    a, _b, _c, _now = _complaints(ladder)
    secrets = (
        "Asha",
        "आशा",
        "9816000001",
        "meena",
        a.reference,
        a.display_reference,
        "jamabandi is wrong",
        "Mutation of my land",
    )
    for path in (*PAGES, f"/figures/complaints/?district={MANDI}"):
        text = client.get(path).content.decode()
        for secret in secrets:
            assert secret not in text, (path, secret)


@pytest.mark.parametrize(
    "query",
    [
        {"district": "abc"},
        {"district": "99999999999999999999999999"},
        {"district": "-1"},
        {"district": "22.5"},
    ],
)
def test_a_district_not_on_the_list_is_a_clear_400(personas: Personas, client: Client, query: Any) -> None:
    for path in PAGES:
        page = client.get(path, query)
        assert page.status_code == 400, path
        assert "Choose a district from the list." in page.content.decode()
    hindi = _hindi().get(PAGES[0], query)
    assert hindi.status_code == 400 and "कांगड़ा" in hindi.content.decode()


def test_unknown_parameters_are_ignored_and_writes_refused(personas: Personas, client: Client) -> None:
    assert client.get("/figures/", {"district": "", "page": "999999999999"}).status_code == 200
    assert client.get("/figures/", {"district": [str(MANDI), "abc"]}).status_code == 400
    for path in PAGES:
        assert client.post(path).status_code == 405
        assert client.head(path).status_code == 200


def _queries(client: Client, path: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_queries_per_page_do_not_grow_with_the_rows(
    ladder: Ladder, personas: Personas, client: Client
) -> None:
    ladder.file_for_asha()
    submit_character(personas)
    few = {path: _queries(client, path) for path in PAGES}
    for code in OTHER_CATEGORIES:
        ladder.file_for_asha(code=code)
        submit_character(personas)
    many = {path: _queries(client, path) for path in PAGES}
    assert few == many
    assert max(many.values()) <= 10, many


def test_figures_are_cached_for_a_few_minutes(
    ladder: Ladder, client: Client, django_assert_max_num_queries: Any
) -> None:
    ladder.file_for_asha()
    assert client.get("/figures/complaints/").context["totals"].received == 1
    ladder.file_for_asha(code="revenue-demarcation")
    with django_assert_max_num_queries(1):  # the district list of the filter; the figures come from the cache
        assert client.get("/figures/complaints/").context["totals"].received == 1
    # Another language is its own cache entry, counted afresh.
    assert _hindi().get("/figures/complaints/").context["totals"].received == 2
    with time_machine.travel(datetime.now(tz=IST) + timedelta(minutes=6)):
        assert client.get("/figures/complaints/").context["totals"].received == 2
