"""Opening a schemes page evaluates nothing: it shows the last stored decisions; "check again" is a POST."""

from __future__ import annotations

from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from himaccess.notifications import sms
from himaccess.notifications.models import SmsMessage
from himaccess.schemes.actions import records, reevaluation, rules
from himaccess.schemes.models import EligibilityDecision, Offer, Scheme
from himaccess.schemes.tests.conftest import SchemePeople


def _rows() -> tuple[int, int, int]:
    return EligibilityDecision.objects.count(), Offer.objects.count(), SmsMessage.objects.count()


def test_viewing_the_family_page_writes_no_decision_offer_or_sms(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    url = f"/schemes/families/{kamla.family.family_id}/"
    before = _rows()
    for user in (people.kamla, people.p.asha, people.p.meena, people.priya):
        page = people.p.client_for(user).get(url)
        assert page.status_code == 200
        assert "Eligibility has not been checked yet" in page.content.decode()
    assert _rows() == before == (0, 0, 0)
    assert not sms.outbox


def test_viewing_an_explanation_writes_nothing_and_offers_the_check(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    page = people.p.client_for(people.kamla).get(f"/schemes/members/{kamla.member_id}/old_age_pension_state/")
    assert page.status_code == 200
    assert "has not been checked yet" in page.content.decode()
    assert f'action="/schemes/families/{kamla.family.family_id}/check/"' in page.content.decode()
    assert _rows() == (0, 0, 0)


def test_check_again_evaluates_the_family_and_sends_its_offers(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    kamla = people.member(people.kamla)
    client = people.p.client_for(people.kamla)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/schemes/families/{kamla.family.family_id}/check/")
    assert response.status_code == 302
    assert response["Location"] == f"/schemes/families/{kamla.family.family_id}/"
    assert Offer.objects.filter(member=kamla, scheme__scheme_id="old_age_pension_state").exists()
    assert any(message.to == kamla.mobile for message in sms.outbox)
    decisions = EligibilityDecision.objects.count()
    page = client.get(f"/schemes/families/{kamla.family.family_id}/")
    body = page.content.decode()
    assert "Old Age Pension" in body and "Offered to you" in body
    assert "Check again" not in body
    assert EligibilityDecision.objects.count() == decisions


def test_a_decision_under_an_older_rule_is_shown_with_check_again(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    reevaluation.reevaluate_family(kamla.family.family_id, trigger="test")
    scheme = Scheme.objects.get(scheme_id="old_age_pension_state")
    current = scheme.rule_on(records.today())
    assert current is not None
    draft = rules.save_draft(
        scheme,
        rule=current.rule,
        bands=current.bands,
        effective_from=timezone.localdate(),
        choice_note_en="Same rule, new notification",
        choice_note_hi="",
        acting_user=people.anil,
    )
    rules.publish(draft, acting_user=people.anil)  # its follow-up runs after commit: not here
    before = _rows()
    client = people.p.client_for(people.kamla)
    family_page = client.get(f"/schemes/families/{kamla.family.family_id}/").content.decode()
    assert "have not been checked under today" in family_page
    assert "Old Age Pension" in family_page  # the last decision is still shown
    explanation = client.get(f"/schemes/members/{kamla.member_id}/old_age_pension_state/").content.decode()
    assert "earlier version of the rule" in explanation
    assert _rows() == before
    client.post(f"/schemes/families/{kamla.family.family_id}/check/")
    assert "Check again" not in client.get(f"/schemes/families/{kamla.family.family_id}/").content.decode()


def test_check_again_outside_the_scope_is_404_and_needs_a_post(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    url = f"/schemes/families/{kamla.family.family_id}/check/"
    for user in (people.p.karan, people.p.vikram, people.deepak):
        assert people.p.client_for(user).post(url).status_code == 404
    assert people.p.client_for(people.kamla).get(url).status_code == 405
    assert people.p.client_for(people.p.asha).post("/schemes/families/F00000000000/check/").status_code == 404
    assert _rows() == (0, 0, 0)
