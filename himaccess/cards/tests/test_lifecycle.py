from __future__ import annotations

from datetime import date
from typing import Any

from himaccess.cards import actions
from himaccess.cards.models import Card, PrintRequest, PrintStatus
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


def _queued() -> set[tuple[str, str | None]]:
    """The cards waiting to be printed, as (kind, Member ID)."""
    return {
        (r.card.kind, r.card.member.member_id if r.card.member else None)
        for r in PrintRequest.objects.filter(status=PrintStatus.REQUESTED).select_related("card__member")
    }


def test_birth_queues_the_family_card_and_the_newborns_only(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # Asha's family holds its family card only (downloaded, not printed); nobody asked for member cards.
    family_card = actions.issue_family_card(
        personas.asha_family, acting_user=personas.meena, request_print=False
    )

    with django_capture_on_commit_callbacks(execute=True):
        baby = _birth(personas)

    assert _queued() == {(Card.Kind.FAMILY, None), (Card.Kind.MEMBER, baby.member_id)}
    assert Card.objects.get(pk=family_card.pk).status == Card.Status.SUPERSEDED
    asha, ravi = personas.member(personas.asha), personas.member(personas.ravi)
    assert not Card.objects.filter(member__in=[asha, ravi]).exists()


def test_birth_leaves_members_cards_alone_and_gives_none_to_those_without(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    asha = personas.member(personas.asha)
    actions.issue_family_card(personas.asha_family, acting_user=personas.meena, request_print=False)
    ashas_card = actions.issue_member_card(asha, acting_user=personas.meena, request_print=False)

    with django_capture_on_commit_callbacks(execute=True):
        baby = _birth(personas)

    assert Card.objects.get(pk=ashas_card.pk).is_active
    assert not Card.objects.filter(member=personas.member(personas.ravi)).exists()
    assert (Card.Kind.MEMBER, asha.member_id) not in _queued()
    assert (Card.Kind.MEMBER, baby.member_id) in _queued()


def test_a_member_marrying_into_another_family_with_cards_gets_one_new_card(
    personas: Personas, asha_cards: AshaCards, django_capture_on_commit_callbacks: Any
) -> None:
    karan_family = personas.karan_family
    actions.issue_family_card(karan_family, acting_user=personas.meena)
    ravi = personas.member(personas.ravi)

    with django_capture_on_commit_callbacks(execute=True):
        members.record_marriage_in(
            karan_family,
            None,
            spouse=None,
            existing=ravi,
            relation=Relation.SON_IN_LAW,
            acting_user=None,
            source=Source.PANCHAYAT,
        )

    old = Card.objects.get(pk=asha_cards.ravi.pk)
    assert not old.is_active and verify_text(old.qr_text).verdict == spec.REVOKED
    new = Card.objects.active().get(member=ravi)
    assert new.family_id == karan_family.pk
    assert verify_text(new.qr_text).details["family_id"] == karan_family.family_id
    assert (Card.Kind.MEMBER, ravi.member_id) in _queued()
