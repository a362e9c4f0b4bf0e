"""Requests that touch two families: every kind x where the other family lives x who files.

For each case the request is filed, then everyone tries what they should not
(approving before the families agree, answering for a family that is not
theirs, approving outside their area), then each family's head agrees and
the officials of each area approve. After every step the test compares what
every citizen and official can read of the register with what they could
read before: nothing may become readable until the request is applied, and
then only the family a person's own record moved into.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from himaccess.accounts.models import Level, Role, User
from himaccess.conftest import MANDI, Personas, make_citizen, make_official
from himaccess.geography.models import District, Tehsil, Village
from himaccess.lib.errors import Conflict
from himaccess.registry.actions import corrections, households
from himaccess.registry.actions import families as registry_families
from himaccess.registry.actions import members as registry_members
from himaccess.registry.change_requests import access, deciding
from himaccess.registry.change_requests import consent as registry_consent
from himaccess.registry.change_requests import filing as registry_filing
from himaccess.registry.models import (
    ChangeRequest,
    ChangeRequestParty,
    Family,
    Gender,
    Member,
    PartyDecision,
    RegisterChange,
    Relation,
    Source,
)

pytestmark = pytest.mark.django_db

JOGINDARNAGAR_TEHSIL = 124


@dataclass
class Cast:
    p: Personas
    families: dict[str, Family]  # where the other family lives -> that family
    heads: dict[int, User]  # family pk -> the head's login
    officials: dict[str, User]
    citizens: list[User]

    def everyone(self) -> list[User]:
        return [*self.citizens, *self.officials.values()]


def _family_elsewhere(p: Personas) -> Family:
    """A family in another tehsil of Mandi district (Jogindarnagar), with a head and a daughter."""
    district = District.objects.get(pk=MANDI)
    tehsil = Tehsil.objects.get(pk=JOGINDARNAGAR_TEHSIL)
    village = Village.objects.filter(district=district).exclude(pincode="175001").order_by("pk").first()
    assert village is not None
    return registry_families.register_family(
        registry_families.Address(
            district=district, tehsil=tehsil, village=village, pincode=village.pincode, house="3"
        ),
        registry_members.NewMember(
            name_en="Sunil Rana",
            name_hi="सुनील राणा",
            gender=Gender.MALE,
            date_of_birth=date(1970, 3, 3),
            relation=Relation.HEAD,
            mobile="9816000021",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )


def _add_daughter(family: Family, mobile: str) -> Member:
    head = family.head()
    return registry_members.record_birth(
        family,
        registry_members.NewMember(
            name_en="Neha",
            name_hi="नेहा",
            gender=Gender.FEMALE,
            date_of_birth=date(1999, 5, 5),
            relation=Relation.DAUGHTER,
            father=head if head and head.gender == Gender.MALE else None,
            mother=head if head and head.gender == Gender.FEMALE else None,
            mobile=mobile,
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )


@pytest.fixture
def cast(personas: Personas) -> Cast:
    p = personas
    elsewhere = _family_elsewhere(p)
    families = {
        "same panchayat": p.karan_family,
        "other tehsil": elsewhere,
        "other district": p.kangra_family,
    }
    citizens = [p.asha, p.ravi, p.karan]
    heads = {p.asha_family.pk: p.asha, p.karan_family.pk: p.karan}
    for name, family in (("sunil", elsewhere), ("pushpa", p.kangra_family)):
        head = family.head()
        assert head is not None
        heads[family.pk] = make_citizen(name, head)
        citizens.append(heads[family.pk])
    for number, family in enumerate(families.values()):
        citizens.append(make_citizen(f"neha{number}", _add_daughter(family, f"981600003{number}")))
    officials = {
        "meena": p.meena,
        "vikram": p.vikram,
        "jogindar": make_official("jogindar", Role.TEHSILDAR, Level.TEHSIL, tehsil_id=JOGINDARNAGAR_TEHSIL),
        "dc_mandi": make_official("dc_mandi", Role.DEPUTY_COMMISSIONER, Level.DISTRICT, district_id=MANDI),
        "suresh": p.suresh,
        "sunita": p.sunita,
    }
    return Cast(p=p, families=families, heads=heads, officials=officials, citizens=citizens)


def readable(users: list[User]) -> dict[str, tuple[frozenset[int], frozenset[int]]]:
    """What each person can read now: the families and the members."""
    return {
        user.username: (
            frozenset(Family.objects.visible_to(user).values_list("pk", flat=True)),
            frozenset(Member.objects.visible_to(user).values_list("pk", flat=True)),
        )
        for user in users
    }


def payload_for(kind: str, cast: Cast, other: Family) -> tuple[dict[str, Any], Member | None]:
    ravi = cast.p.member(cast.p.ravi)
    if kind == ChangeRequest.Kind.MARRIAGE_OUT:
        return {"member_id": ravi.member_id, "to_family_id": other.family_id, "relation": "son_in_law"}, ravi
    if kind == ChangeRequest.Kind.MERGE:
        return {"other_family_id": other.family_id}, None
    daughter = other.members.get(relation=Relation.DAUGHTER)
    return {
        "from_member_id": daughter.member_id,
        "relation": "daughter_in_law",
        "spouse": ravi.member_id,
    }, None


def file(kind: str, cast: Cast, other: Family, filer: User) -> ChangeRequest:
    payload, member = payload_for(kind, cast, other)
    return registry_filing.file_change_request(
        cast.p.asha_family, kind, payload, requested_by=filer, member=member
    )


def in_area(official: User, family: Family) -> bool:
    return Family.objects.visible_to(official).filter(pk=family.pk).exists()


KINDS = [ChangeRequest.Kind.MARRIAGE_OUT, ChangeRequest.Kind.MARRIAGE_IN, ChangeRequest.Kind.MERGE]
WHERE = ["same panchayat", "other tehsil", "other district"]
FILERS = ["asha", "ravi", "suresh"]


@pytest.mark.parametrize("filer_name", FILERS)
@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_of_a_family_is_readable_before_it_agrees_and_its_area_approves(
    cast: Cast, kind: str, where: str, filer_name: str
) -> None:
    p = cast.p
    other = cast.families[where]
    filer = {"asha": p.asha, "ravi": p.ravi, "suresh": p.suresh}[filer_name]
    before = readable(cast.everyone())
    changes_before = RegisterChange.objects.count()

    try:
        request = file(kind, cast, other, filer)
    except ValidationError:
        # Merging across districts is refused outright: nothing is written.
        assert kind == ChangeRequest.Kind.MERGE and where == "other district"
        assert not ChangeRequest.objects.filter(kind=kind).exists()
        assert not ChangeRequestParty.objects.exists()
        assert readable(cast.everyone()) == before
        return

    parties = {party.family_id: party for party in request.parties.all()}
    assert set(parties) == {p.asha_family.pk, other.pk}
    assert all(party.consent_required for party in parties.values())
    # The head filing for her own family is her family's consent; nobody else's filing is.
    asha_consented = parties[p.asha_family.pk].decisions.filter(kind=PartyDecision.Kind.CONSENTED).exists()
    assert asha_consented == (filer_name == "asha")
    assert not parties[other.pk].decisions.exists()

    def unchanged() -> None:
        assert readable(cast.everyone()) == before
        assert RegisterChange.objects.count() == changes_before
        assert ChangeRequest.objects.get(pk=request.pk).status == ChangeRequest.Status.PENDING

    unchanged()
    # Nobody approves before each family has agreed.
    for official in cast.officials.values():
        if official == filer:
            continue
        with pytest.raises((PermissionDenied, ValidationError)):
            deciding.approve_change_request(request, acting_user=official)
    unchanged()
    # Nobody answers for a family that is not theirs: the filer, the other family's members, officials.
    other_head = cast.heads[other.pk]
    for user in cast.everyone():
        if user in (other_head, p.asha):
            continue
        with pytest.raises(PermissionDenied):
            registry_consent.answer_for_family(request, agree=True, acting_user=user)
    unchanged()

    # Each head agrees for their own family.
    registry_consent.answer_for_family(request, agree=True, acting_user=other_head)
    if filer_name != "asha":
        registry_consent.answer_for_family(request, agree=True, acting_user=p.asha)
    with pytest.raises(PermissionDenied):  # an answer is given once
        registry_consent.answer_for_family(request, agree=False, acting_user=other_head)
    unchanged()

    # Officials approve for the families of their own area; the request applies when every family is.
    approvers = [o for o in cast.officials.values() if o != filer and access.can_decide(o, request)]
    for official in cast.officials.values():
        if official not in approvers:
            with pytest.raises(PermissionDenied):
                deciding.approve_change_request(request, acting_user=official)
    covers_both = [o for o in approvers if in_area(o, other) and in_area(o, p.asha_family)]
    if covers_both:
        deciding.approve_change_request(request, acting_user=covers_both[0])
    else:
        first = next(o for o in approvers if in_area(o, p.asha_family))
        deciding.approve_change_request(request, acting_user=first)
        unchanged()  # half approved: still nothing moves
        with pytest.raises(Conflict):
            deciding.approve_change_request(request, acting_user=first)
        second = next(o for o in approvers if in_area(o, other))
        deciding.approve_change_request(request, acting_user=second)
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.APPROVED

    after = readable(cast.everyone())
    for user in cast.everyone():
        families_before, _members = before[user.username]
        families_after, _members = after[user.username]
        gained = families_after - families_before
        if user.is_official:
            assert not gained, f"{user.username} gained {gained}"
            continue
        # A citizen gains only the family their own record moved into, with that family's consent.
        own = set(Member.objects.filter(citizen_links__user=user).values_list("family_id", flat=True))
        assert gained <= own, f"{user.username} gained {gained}"
        for family_pk in gained:
            assert (
                request.parties.get(family_id=family_pk)
                .decisions.filter(kind=PartyDecision.Kind.CONSENTED)
                .exists()
            )


def test_a_refusal_ends_the_request_and_nothing_moves(cast: Cast) -> None:
    p = cast.p
    other = cast.families["other district"]
    request = file(ChangeRequest.Kind.MARRIAGE_OUT, cast, other, p.asha)
    registry_consent.answer_for_family(request, agree=False, acting_user=cast.heads[other.pk])
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.REJECTED
    assert p.member(p.ravi).family == p.asha_family
    with pytest.raises(Conflict):
        deciding.approve_change_request(request, acting_user=p.vikram)


def test_a_family_without_a_head_number_cannot_be_asked_so_nothing_is_filed(cast: Cast) -> None:
    p = cast.p
    other = cast.families["other tehsil"]
    head = other.head()
    assert head is not None
    corrections.correct_member(head, {"mobile": ""}, acting_user=None, source=Source.OFFICIAL)
    with pytest.raises(ValidationError) as refused:
        file(ChangeRequest.Kind.MARRIAGE_OUT, cast, other, p.asha)
    assert "no_head_to_consent" in str(refused.value.error_list[0].code)
    assert not ChangeRequest.objects.filter(Q(other_family=other) | Q(parties__family=other)).exists()


def test_a_person_who_left_the_family_that_agreed_is_not_taken_from_another(cast: Cast) -> None:
    """Neha's family agreed to let her go; she then set up her own household: approval moves nobody."""
    p = cast.p
    kangra = cast.families["other district"]
    neha = kangra.members.get(relation=Relation.DAUGHTER)
    request = file(ChangeRequest.Kind.MARRIAGE_IN, cast, kangra, p.asha)
    registry_consent.answer_for_family(request, agree=True, acting_user=cast.heads[kangra.pk])
    deciding.approve_change_request(request, acting_user=p.meena)  # Mandi's half
    households.split_family(
        kangra, [neha], new_head=neha, relations={}, acting_user=p.vikram, source=Source.OFFICIAL
    )
    with pytest.raises(ValidationError) as refused:
        deciding.approve_change_request(request, acting_user=p.vikram)
    assert refused.value.error_list[0].code == "left_giving_family"
    neha.refresh_from_db()
    request.refresh_from_db()
    assert neha.family != p.asha_family and request.status == ChangeRequest.Status.PENDING
    deciding.reject_change_request(request, reason="She has her own household now", acting_user=p.vikram)
