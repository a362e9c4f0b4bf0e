"""The demo's first run leaves work in every app, made through the apps' own actions."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from himaccess.applications.models import Application, Certificate, Status
from himaccess.demo import milkfed
from himaccess.grievances.models import Complaint
from himaccess.milkfed.models import Society, Statement
from himaccess.natural_farming.models import Farmer, Weighment
from himaccess.registry.models import ChangeRequest
from himaccess.schemes.models import Benefit, Enrolment, Offer

pytestmark = pytest.mark.django_db


def test_first_demo_run_fills_queues_and_public_dashboard() -> None:
    out = StringIO()
    call_command("demo", families=250, no_serve=True, stdout=out)
    assert "Activity:" in out.getvalue()

    requests = ChangeRequest.objects.filter(family__tehsil_id=133)
    assert requests.filter(status=ChangeRequest.Status.PENDING).exists()
    assert requests.filter(
        status=ChangeRequest.Status.APPROVED, decided_by__username="meena.tehsildar"
    ).exists()

    applications = Application.objects.filter(family__tehsil_id=133).exclude(status=Status.DRAFT)
    assert applications.filter(status=Status.PENDING, stage_role="patwari").exists()
    assert applications.filter(status=Status.PENDING, stage_role="tehsildar").exists()
    assert Certificate.objects.filter(
        application__in=applications, issued_by__username="meena.tehsildar"
    ).exists()

    complaints = Complaint.objects.all()
    assert complaints.count() >= 10
    assert complaints.values("district").distinct().count() > 1
    assert complaints.filter(status=Complaint.Status.CLOSED).exists()
    assert complaints.filter(reopen_count__gt=0).exists()

    assert Offer.objects.filter(member__family__tehsil_id=133).exists()
    assert Enrolment.objects.filter(
        status=Enrolment.Status.SANCTIONED, decided_by__username="welfare.mandi"
    ).exists()
    assert Benefit.objects.exists()

    page = Client().get("/grievances/dashboard/")
    assert page.status_code == 200
    mandi = next(row for row in page.context["by_district"] if row["key"] == 22)
    assert mandi["received"] > 0 and mandi["resolved"] > 0

    # The departments' pages have something to show: a month of milk paid, natural farmers weighed.
    assert Society.objects.count() == 3
    assert Statement.objects.filter(paid_on__isnull=False).exists()
    assert milkfed.seed().deliveries == 0  # a second run adds no milk
    assert Farmer.objects.filter(member__family__district_id=22).exists()
    assert Weighment.objects.filter(window__centre__code="mandi-sadar").exists()


def test_no_activity_leaves_the_queues_empty() -> None:
    out = StringIO()
    call_command("demo", families=60, no_serve=True, activity=False, stdout=out)
    assert "Activity:" not in out.getvalue()
    assert not ChangeRequest.objects.exists()
    assert not Application.objects.exists()
    assert not Complaint.objects.exists()
    assert not Enrolment.objects.exists()
