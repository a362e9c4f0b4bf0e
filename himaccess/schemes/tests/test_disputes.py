"""A disputed input reaches whoever owns the data; once corrected, eligibility is re-evaluated."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from pytest_django import DjangoCaptureOnCommitCallbacks

from himaccess.registry.change_requests import deciding
from himaccess.registry.models import ChangeRequest
from himaccess.schemes.actions import disputes as schemes_disputes
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import Dispute, EligibilityDecision, MemberFact, Scheme
from himaccess.schemes.tests.conftest import SchemePeople


def test_register_input_becomes_a_correction_request_and_approval_reevaluates(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    asha = people.p.member(people.p.asha)
    scheme = Scheme.objects.get(scheme_id="disability_relief_allowance")
    reevaluation.reevaluate_member(asha, trigger="test")
    dispute = schemes_disputes.file_dispute(
        asha,
        scheme,
        "disability_percent",
        claimed_value="60",
        note="board certificate",
        acting_user=people.p.asha,
    )
    assert dispute.change_request is not None
    assert dispute.change_request.kind == ChangeRequest.Kind.CORRECTION
    assert dispute.change_request.payload == {
        "member_id": asha.member_id,
        "field": "disability_percent",
        "new_value": "60",
    }
    with django_capture_on_commit_callbacks(execute=True):
        deciding.approve_change_request(dispute.change_request, acting_user=people.p.meena)
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.CORRECTED
    latest = EligibilityDecision.objects.filter(member=asha, scheme=scheme).order_by("-id").first()
    assert latest is not None
    assert latest.eligible and latest.trigger == "member.corrected"


def test_department_input_goes_to_that_departments_officer(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    asha = people.p.member(people.p.asha)
    scheme = Scheme.objects.get(scheme_id="pyari_behna_sukh_samman_nidhi")
    schemes_disputes.record_member_fact(asha, "income_tax_payer", True, department=None, acting_user=None)
    dispute = schemes_disputes.file_dispute(
        asha, scheme, "income_tax_payer", claimed_value="no", note="", acting_user=people.p.asha
    )
    assert dispute.department_id == "social_justice" and dispute.change_request is None
    assert list(schemes_disputes.disputes_for_officer(people.priya)) == [dispute]
    assert not schemes_disputes.disputes_for_officer(people.deepak).exists()
    with pytest.raises(PermissionDenied):
        schemes_disputes.resolve_dispute(dispute, corrected=True, note="x", acting_user=people.deepak)
    with django_capture_on_commit_callbacks(execute=True):
        schemes_disputes.resolve_dispute(
            dispute, corrected=True, note="ITR records checked", acting_user=people.priya
        )
    assert MemberFact.objects.get(member=asha, attribute="income_tax_payer").value is False
    latest = EligibilityDecision.objects.filter(member=asha, scheme=scheme).order_by("-id").first()
    assert latest is not None
    assert latest.eligible


def test_dispute_needs_a_valid_value_and_the_family(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    scheme = Scheme.objects.get(scheme_id="old_age_pension_state")
    with pytest.raises(ValidationError):
        schemes_disputes.file_dispute(
            asha, scheme, "age", claimed_value="not a date", note="", acting_user=people.p.asha
        )
    with pytest.raises(ValidationError):
        schemes_disputes.file_dispute(
            asha, scheme, "no_such_input", claimed_value="1", note="", acting_user=people.p.asha
        )
    with pytest.raises(PermissionDenied):
        schemes_disputes.file_dispute(
            asha, scheme, "age", claimed_value="1950-01-01", note="", acting_user=people.p.karan
        )
    assert not Dispute.objects.exists()


def test_dispute_from_the_explanation_page(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    client = people.p.client_for(people.p.asha)
    url = f"/schemes/members/{asha.member_id}/old_age_pension_state/"
    response = client.post(url, {"attribute": "age", "claimed_value": "1950-01-01", "note": ""})
    assert response.status_code == 302
    change_request = Dispute.objects.get(member=asha).change_request
    assert change_request is not None
    assert change_request.payload["field"] == "date_of_birth"
    bad = client.post(url, {"attribute": "age", "claimed_value": "1950-02-30"})
    assert bad.status_code == 400


def test_disputing_age_asks_for_the_date_of_birth_with_a_date_control(people: SchemePeople) -> None:
    """Asha disputes her age on the page: the form asks for the date of birth it follows from."""
    asha = people.p.member(people.p.asha)
    client = people.p.client_for(people.p.asha)
    with time_machine.travel("2025-06-15"):
        client.post(f"/schemes/families/{asha.family.family_id}/check/")
        page = client.get(f"/schemes/members/{asha.member_id}/old_age_pension_state/").content.decode()
        assert "Correct date of birth" in page and 'type="date"' in page
        assert '<option value="F">Female</option>' in page  # gender offered by name, not typed as a code
        response = client.post(
            f"/schemes/members/{asha.member_id}/old_age_pension_state/",
            {"attribute": "age", "claimed_value": "64", "note": ""},
        )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert not Dispute.objects.exists() and not ChangeRequest.objects.exists()
