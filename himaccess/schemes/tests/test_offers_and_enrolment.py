"""Life events re-evaluate the family; new eligibility becomes an offer accepted in one click."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pytest_django import DjangoCaptureOnCommitCallbacks

from himaccess.notifications import sms
from himaccess.registry.actions import members as registry_members
from himaccess.registry.models import Gender, MaritalStatus, Member, Relation, Source
from himaccess.schemes.actions import enrolment as schemes_enrolment
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import Enrolment, Offer
from himaccess.schemes.tests.conftest import SchemePeople


def _family_with_old_couple(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> tuple[Member, Member, Member]:
    asha = people.p.member(people.p.asha)
    with django_capture_on_commit_callbacks(execute=True):
        husband = registry_members.record_birth(
            people.p.asha_family,
            registry_members.NewMember(
                name_en="Mohan Lal",
                gender=Gender.MALE,
                date_of_birth=date(1948, 1, 5),
                relation=Relation.OTHER,
                marital_status=MaritalStatus.MARRIED,
            ),
            acting_user=None,
            source=Source.PANCHAYAT,
        )
        wife = registry_members.record_birth(
            people.p.asha_family,
            registry_members.NewMember(
                name_en="Shanti Devi",
                gender=Gender.FEMALE,
                date_of_birth=date(1980, 5, 5),
                relation=Relation.OTHER,
                marital_status=MaritalStatus.MARRIED,
                mobile="9816000021",
                spouse=husband,
            ),
            acting_user=None,
            source=Source.PANCHAYAT,
        )
    husband.spouse = wife
    husband.save(update_fields=["spouse"])
    return asha, husband, wife


def test_death_of_a_spouse_offers_widow_pension_by_sms(
    people: SchemePeople, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    _asha, husband, wife = _family_with_old_couple(people, django_capture_on_commit_callbacks)
    assert not Offer.objects.filter(
        member=wife, scheme__scheme_id="widow_destitute_ekal_nari_pension"
    ).exists()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registry_members.record_death(
            husband, on=date(2025, 1, 2), acting_user=people.p.meena, source=Source.OFFICIAL
        )
    offer = Offer.objects.get(member=wife, scheme__scheme_id="widow_destitute_ekal_nari_pension")
    assert offer.status == Offer.Status.OPEN
    assert offer.decision.inputs["marital_status"]["value"] == "widowed"
    assert any(m.to == "9816000021" and "विधवा" in m.text for m in sms.outbox), [m.text for m in sms.outbox]


def test_accepting_an_offer_files_an_enrolment_for_the_officer(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    reevaluation.reevaluate_member(kamla, trigger="test")
    offer = Offer.objects.get(member=kamla, scheme__scheme_id="old_age_pension_state")
    enrolment = schemes_enrolment.accept_offer(offer, acting_user=people.kamla)
    assert enrolment.status == Enrolment.Status.FILED
    assert enrolment.monthly_amount == 1700
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    with pytest.raises(ValidationError):
        schemes_enrolment.accept_offer(offer, acting_user=people.kamla)


def test_a_family_member_may_accept_for_another_but_not_another_family(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    reevaluation.reevaluate_member(kamla, trigger="test")
    offer = Offer.objects.get(member=kamla, scheme__scheme_id="old_age_pension_state")
    with pytest.raises(PermissionDenied):
        schemes_enrolment.accept_offer(offer, acting_user=people.p.karan)
    with pytest.raises(PermissionDenied):
        schemes_enrolment.accept_offer(offer, acting_user=people.priya)
    assert schemes_enrolment.accept_offer(offer, acting_user=people.p.asha).member == kamla


def test_officer_of_the_jurisdiction_and_department_sanctions(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    reevaluation.reevaluate_member(kamla, trigger="test")
    offer = Offer.objects.get(member=kamla, scheme__scheme_id="old_age_pension_state")
    enrolment = schemes_enrolment.accept_offer(offer, acting_user=people.kamla)
    for outsider in (people.deepak, people.p.meena, people.p.vikram):
        with pytest.raises(PermissionDenied):
            schemes_enrolment.sanction_enrolment(enrolment, acting_user=outsider)
    sanctioned = schemes_enrolment.sanction_enrolment(
        enrolment, acting_user=people.priya, note="documents seen"
    )
    assert sanctioned.status == Enrolment.Status.SANCTIONED
    assert [s.to_status for s in sanctioned.steps.all()] == ["filed", "sanctioned"]
    with pytest.raises(ValidationError):
        schemes_enrolment.sanction_enrolment(enrolment, acting_user=people.priya)


def test_rejection_needs_a_reason(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    reevaluation.reevaluate_member(kamla, trigger="test")
    enrolment = schemes_enrolment.accept_offer(
        Offer.objects.get(member=kamla, scheme__scheme_id="ignoaps")
        if Offer.objects.filter(member=kamla, scheme__scheme_id="ignoaps").exists()
        else Offer.objects.get(member=kamla, scheme__scheme_id="old_age_pension_state"),
        acting_user=people.kamla,
    )
    with pytest.raises(ValidationError):
        schemes_enrolment.reject_enrolment(enrolment, reason="  ", acting_user=people.priya)
    assert (
        schemes_enrolment.reject_enrolment(enrolment, reason="not resident", acting_user=people.priya).status
        == "rejected"
    )


def test_one_woman_per_family_for_pyari_behna(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    reevaluation.reevaluate_member(asha, trigger="test")
    first = schemes_enrolment.accept_offer(
        Offer.objects.get(member=asha, scheme__scheme_id="pyari_behna_sukh_samman_nidhi"),
        acting_user=people.p.asha,
    )
    schemes_enrolment.sanction_enrolment(first, acting_user=people.priya)
    sister = registry_members.record_birth(
        people.p.asha_family,
        registry_members.NewMember(
            name_en="Geeta", gender=Gender.FEMALE, date_of_birth=date(1990, 1, 1), relation=Relation.SISTER
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    reevaluation.reevaluate_member(sister, trigger="test")
    second = schemes_enrolment.accept_offer(
        Offer.objects.get(member=sister, scheme__scheme_id="pyari_behna_sukh_samman_nidhi"),
        acting_user=people.p.asha,
    )
    with pytest.raises(ValidationError, match="one per family"):
        schemes_enrolment.sanction_enrolment(second, acting_user=people.priya)


def test_accept_through_the_page_is_one_post(people: SchemePeople) -> None:
    kamla = people.member(people.kamla)
    client = people.p.client_for(people.kamla)
    assert client.post(f"/schemes/families/{kamla.family.family_id}/check/").status_code == 302
    page = client.get(f"/schemes/members/{kamla.member_id}/old_age_pension_state/")
    assert b"Accept and apply" in page.content
    response = client.post(f"/schemes/members/{kamla.member_id}/old_age_pension_state/accept/")
    assert response.status_code == 302
    assert Enrolment.objects.filter(
        member=kamla, scheme__scheme_id="old_age_pension_state", status="filed"
    ).exists()
    assert client.get(f"/schemes/members/{kamla.member_id}/old_age_pension_state/accept/").status_code == 405
    other = people.p.client_for(people.p.karan)
    assert other.post(f"/schemes/members/{kamla.member_id}/old_age_pension_state/accept/").status_code == 404
