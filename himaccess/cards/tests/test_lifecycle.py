from __future__ import annotations

from datetime import date
from typing import Any

from himaccess.cards.models import Card
from himaccess.cards.tests.conftest import AshaCards
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec
from himaccess.conftest import Personas
from himaccess.events.bus import dispatch
from himaccess.events.models import Event
from himaccess.registry.actions import members
from himaccess.registry.models import Gender, Relation, Source


def _birth(personas: Personas) -> Any:
    return members.record_birth(
        personas.asha_family,
        members.NewMember(
            name_en="Meera Kumari",
            name_hi="मीरा कुमारी",
            gender=Gender.FEMALE,
            date_of_birth=date(2024, 2, 1),
            relation=Relation.GRANDDAUGHTER,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )


def test_birth_reissues_the_family_card_and_issues_the_babys(
    personas: Personas, asha_cards: AshaCards, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        baby = _birth(personas)
    old = Card.objects.get(pk=asha_cards.family.pk)
    assert old.status == Card.Status.SUPERSEDED and old.superseded_by is not None
    new = old.superseded_by
    assert verify_text(old.qr_text).verdict == spec.REVOKED
    living = [m.member_id for m in personas.asha_family.living_members()]
    assert baby.member_id in living
    assert spec.family_members_match(verify_text(new.qr_text).details, living)
    assert Card.objects.active().filter(member=baby).exists()
    # Asha's and Ravi's cards say nothing that changed: they stay valid.
    assert Card.objects.get(pk=asha_cards.ravi.pk).status == Card.Status.ACTIVE


def test_handlers_are_idempotent_on_redelivery(
    personas: Personas, asha_cards: AshaCards, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _birth(personas)
    count = Card.objects.count()
    event = Event.objects.filter(name="member.added").latest("id")
    dispatch(event)
    dispatch(event)
    assert Card.objects.count() == count


def test_death_revokes_the_members_card(
    personas: Personas, asha_cards: AshaCards, django_capture_on_commit_callbacks: Any
) -> None:
    ravi = personas.member(personas.ravi)
    with django_capture_on_commit_callbacks(execute=True):
        members.record_death(ravi, on=date(2025, 1, 5), acting_user=None, source=Source.PANCHAYAT)
    assert Card.objects.get(pk=asha_cards.ravi.pk).status == Card.Status.REVOKED
    family_card = Card.objects.active().get(family=personas.asha_family, kind=Card.Kind.FAMILY)
    details = verify_text(family_card.qr_text).details
    living = [m.member_id for m in personas.asha_family.living_members()]
    assert ravi.member_id not in living and details["member_count"] == len(living)
    assert spec.family_members_match(details, living)
    assert not spec.family_members_match(details, [*living, ravi.member_id])


def test_families_without_cards_are_left_alone(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _birth(personas)
    assert not Card.objects.exists()
