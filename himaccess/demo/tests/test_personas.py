"""A small demo still gives every persona something to see: queues, a print run, a signed-in app."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from himaccess.accounts.models import User
from himaccess.cards.models import PrintRequest, PrintStatus
from himaccess.grievances.models import Complaint
from himaccess.integrations.models import Consent
from himaccess.registry.models import Family, Member
from himaccess.work import queues_for

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _printed_citizens(output: str) -> list[User]:
    mobiles = re.findall(r"^  (\d{10})  \(", output, flags=re.MULTILINE)
    assert mobiles, output
    return [User.objects.get(kind=User.Kind.CITIZEN, mobile=mobile) for mobile in mobiles]


def _steps_are_numbered_and_timed(demo: str) -> None:
    assert re.search(r"^\[1/12\] Database tables …$", demo, flags=re.MULTILINE)
    assert re.search(r"^\[12/12\] A departmental application", demo, flags=re.MULTILINE)
    assert demo.count("done in") == 12
    assert "Families written: 300 in" in demo  # the seed's bar, as its final line off a terminal


def _printed_citizens_live_in_the_officials_tehsil_and_see_their_signed_in_app(demo: str) -> None:
    citizens = _printed_citizens(demo)
    assert len(citizens) == 3
    for citizen in citizens:
        head = Member.objects.get(mobile=citizen.mobile, relation="head")
        assert head.family.tehsil_id == 133
        page = _client(citizen).get(reverse("integrations:my_apps"))
        assert page.status_code == 200
        assert [c.application.name for c in page.context["consents"]] == ["Social Security Pension (demo)"]
        assert "Social Security Pension (demo)" in page.content.decode()
    client_id = re.search(r"client_id (\S+)", demo)
    assert client_id is not None
    assert Consent.objects.live().filter(application__client_id=client_id.group(1)).count() == 3


def _a_citizen_the_demo_did_not_print_has_given_no_consent(demo: str) -> None:
    other = User.objects.filter(kind=User.Kind.CITIZEN).exclude(
        pk__in=[c.pk for c in _printed_citizens(demo)]
    )[0]
    page = _client(other).get(reverse("integrations:my_apps"))
    assert list(page.context["consents"]) == []


def _print_queue_of_mandi_tehsil_has_the_printed_citizens_cards(demo: str) -> None:
    meena = User.objects.get(username="meena.tehsildar")
    page = _client(meena).get(reverse("cards:print_queue"))
    assert page.status_code == 200
    rows = list(page.context["rows"])
    assert rows and all(row.family.tehsil_id == 133 for row in rows)
    waiting = {row.family_id for row in rows}
    for citizen in _printed_citizens(demo):
        assert Member.objects.get(mobile=citizen.mobile, relation="head").family_id in waiting
    statuses = set(PrintRequest.objects.values_list("status", flat=True))
    assert statuses == set(PrintStatus.values)  # some cards moved along, to each step


def _kangra_tehsildar_sees_none_of_mandis_cards() -> None:
    vikram = User.objects.get(username="vikram.tehsildar")
    page = _client(vikram).get(reverse("cards:print_queue"))
    assert page.status_code == 200
    assert list(page.context["rows"]) == []


def _with_300_families_the_tehsildars_queues_have_work() -> None:
    assert Family.objects.count() == 300
    assert Family.objects.filter(tehsil_id=133).count() >= 30
    assert Family.objects.filter(tehsil_id=100).count() >= 8
    meena = {str(q.title): q.waiting for q in queues_for(User.objects.get(username="meena.tehsildar"))}
    assert meena["Applications to decide"] > 0
    assert meena["Change requests"] > 0
    assert meena["Complaints assigned to you"] > 0
    assert meena["Cards to print"] > 0
    # Kangra tehsil has families of its own, and complaints from them that reached its tehsildar.
    vikram = Q(assignee__username="vikram.tehsildar") | Q(steps__actor__username="vikram.tehsildar")
    assert Complaint.objects.filter(vikram, tehsil_id=100).exists()


def test_a_300_family_demo_gives_every_persona_something_to_see() -> None:
    """One first run (a demo takes tens of seconds), each persona's view checked in turn."""
    out = StringIO()
    call_command("demo", families=300, no_serve=True, stdout=out)
    demo = out.getvalue()
    _steps_are_numbered_and_timed(demo)
    _printed_citizens_live_in_the_officials_tehsil_and_see_their_signed_in_app(demo)
    _a_citizen_the_demo_did_not_print_has_given_no_consent(demo)
    _print_queue_of_mandi_tehsil_has_the_printed_citizens_cards(demo)
    _kangra_tehsildar_sees_none_of_mandis_cards()
    _with_300_families_the_tehsildars_queues_have_work()
