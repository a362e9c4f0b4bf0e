"""Shared test fixtures: the reference geography and the named personas.

The personas encode permissions, and every test that checks access uses them:

- Asha: citizen, head of a family in Mandi (Mandi tehsil, Mandi Sadar block).
- Ravi: Asha's son, in the same family, with his own login.
- Karan: citizen of another family in Mandi; must see nothing of Asha's.
- Meena: tehsildar of Mandi tehsil; decides the register's change requests there.
- Suresh: panchayat secretary of Asha's gram panchayat; files requests for families there.
- Vikram: tehsildar of Kangra tehsil; must not act in Mandi.
- Sunita: helpline agent for the whole state.

State is made through the real actions, never by writing rows by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeAlias

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from himaccess.accounts.models import Level, Posting, Role, User
from himaccess.geography import places
from himaccess.geography.models import Block, District, Panchayat, Tehsil, Village
from himaccess.registry import models as registry_models
from himaccess.registry.actions import families as registry_families
from himaccess.registry.actions import members
from himaccess.registry.models import CitizenLink, Family, Gender, MaritalStatus, Member, Relation, Source

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytest_plugins = ["himaccess.browser", "himaccess.audit.tests.log_scan"]

# What the test client's requests return: a response with the request, templates, context and
# json() added (django-stubs names that type privately).
ClientResponse: TypeAlias = "_MonkeyPatchedWSGIResponse"

MANDI, KANGRA = 22, 18
MANDI_TEHSIL, KANGRA_TEHSIL = 133, 100
MANDI_SADAR_BLOCK = 182
# Not in the shipped LGD snapshot (panchayats are imported); made here the
# way `himaccess import_lgd` would.
ASHA_PANCHAYAT = 900001


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests (live server, browser) flush the database when they
    end; have each restore what the migrations shipped (departments, SMS
    templates, the service catalogue, complaint categories, schemes) first."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        names = getattr(item, "fixturenames", ())
        transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
            {"live_server", "transactional_db"} & set(names)
        )
        if transactional:
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from django.db import connections

    from himaccess.geography.loading import load_reference_geography

    with django_db_blocker.unblock():
        load_reference_geography()
    # Django keeps the rows to restore after a flush on the connection object.
    # Playwright's greenlets give tests that drive a browser their own
    # connection object, which would not have them: keep them on the class.
    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            setattr(type(connection), "_test_serialized_contents", contents)  # noqa: B010


@pytest.fixture(autouse=True)
def _quiet_sms_and_media(settings: Any, tmp_path: Any) -> None:
    # Rate limits and lookups live in the cache; each test starts without them.
    cache.clear()
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_KEY_DIR = tmp_path / "keys"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _process_state_left_by_a_test_is_reset() -> Iterator[None]:
    yield
    # The locale middleware leaves the last request's language active in the thread: a test that
    # asked in Hindi would otherwise make the next test in this process speak Hindi.
    translation.deactivate()
    registry_models.forget_known_sequences()
    # Places read in a test's transaction are gone with its rollback.
    places.forget()


def mandi_address(**overrides: Any) -> registry_families.Address:
    district = District.objects.get(pk=MANDI)
    values: dict[str, Any] = {
        "district": district,
        "tehsil": Tehsil.objects.get(pk=MANDI_TEHSIL),
        "block": Block.objects.get(pk=MANDI_SADAR_BLOCK),
        "panchayat": Panchayat.objects.get_or_create(
            lgd_code=ASHA_PANCHAYAT,
            defaults={
                "district": district,
                "block_id": MANDI_SADAR_BLOCK,
                "name_en": "Bhiuli",
                "name_hi": "भ्यूली",
            },
        )[0],
        "village": Village.objects.filter(district=district, pincode="175001").order_by("name_en").first(),
        "pincode": "175001",
        "house": "12",
    }
    values.update(overrides)
    return registry_families.Address(**values)


def kangra_address() -> registry_families.Address:
    district = District.objects.get(pk=KANGRA)
    return registry_families.Address(
        district=district,
        tehsil=Tehsil.objects.get(pk=KANGRA_TEHSIL),
        village=Village.objects.filter(district=district, pincode="176001").order_by("name_en").first(),
        pincode="176001",
        house="7",
    )


def make_citizen(username: str, member: Member) -> User:
    user = User.objects.create_user(username=username, kind=User.Kind.CITIZEN, mobile=member.mobile)
    CitizenLink.objects.create(user=user, member=member)
    return user


def make_official(username: str, role: str, level: str, **area: Any) -> User:
    user = User.objects.create_user(username=username, kind=User.Kind.OFFICIAL, password="x-unused-password")
    Posting.objects.create(user=user, role=role, level=level, **area)
    return user


@dataclass
class Personas:
    asha: User
    ravi: User
    karan: User
    meena: User
    suresh: User
    vikram: User
    sunita: User
    asha_family: Family
    karan_family: Family
    kangra_family: Family

    def member(self, user: User) -> Member:
        return user.member_links.get().member

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def personas(db: Any) -> Personas:
    if not District.objects.exists():  # a transactional test (live server) flushed it
        from himaccess.geography.loading import load_reference_geography

        load_reference_geography()
    asha_family = registry_families.register_family(
        mandi_address(),
        members.NewMember(
            name_en="Asha Devi",
            name_hi="आशा देवी",
            gender=Gender.FEMALE,
            date_of_birth=date(1978, 4, 12),
            relation=Relation.HEAD,
            marital_status=MaritalStatus.WIDOWED,
            social_category="general",
            mobile="9816000001",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    asha_member = asha_family.head()
    assert asha_member is not None
    ravi_member = members.record_birth(
        asha_family,
        members.NewMember(
            name_en="Ravi Kumar",
            name_hi="रवि कुमार",
            gender=Gender.MALE,
            date_of_birth=date(2001, 9, 3),
            relation=Relation.SON,
            mother=asha_member,
            mobile="9816000002",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    karan_family = registry_families.register_family(
        mandi_address(house="44"),
        members.NewMember(
            name_en="Karan Thakur",
            name_hi="करण ठाकुर",
            gender=Gender.MALE,
            date_of_birth=date(1985, 1, 20),
            relation=Relation.HEAD,
            mobile="9816000003",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    kangra_family = registry_families.register_family(
        kangra_address(),
        members.NewMember(
            name_en="Pushpa Katoch",
            name_hi="पुष्पा कटोच",
            gender=Gender.FEMALE,
            date_of_birth=date(1960, 6, 1),
            relation=Relation.HEAD,
            mobile="9816000004",
        ),
        acting_user=None,
        source=Source.PANCHAYAT,
    )
    return Personas(
        asha=make_citizen("asha", asha_member),
        ravi=make_citizen("ravi", ravi_member),
        karan=make_citizen("karan", karan_family.head()),  # type: ignore[arg-type]
        meena=make_official("meena", Role.TEHSILDAR, Level.TEHSIL, tehsil_id=MANDI_TEHSIL),
        suresh=make_official(
            "suresh", Role.PANCHAYAT_SECRETARY, Level.PANCHAYAT, panchayat_id=ASHA_PANCHAYAT
        ),
        vikram=make_official("vikram", Role.TEHSILDAR, Level.TEHSIL, tehsil_id=KANGRA_TEHSIL),
        sunita=make_official("sunita", Role.HELPLINE_AGENT, Level.STATE),
        asha_family=asha_family,
        karan_family=karan_family,
        kangra_family=kangra_family,
    )
