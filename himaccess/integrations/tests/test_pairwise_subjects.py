"""Each sector sees its own sub for a person; the public sub only for a client registered so with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from himaccess.accounts import actions as accounts
from himaccess.accounts.testing import login_official
from himaccess.audit.models import AuditEntry
from himaccess.integrations import actions
from himaccess.integrations.models import DepartmentApp, Subject, SubjectType
from himaccess.integrations.tests.conftest import Flow, claims_of

pytestmark = pytest.mark.django_db

FARMING_URI = "https://farming.example.gov.in/cb"
PASSWORD = "Chinar-valley-2024"


def register(name: str, redirect_uri: str, **extra: Any) -> actions.RegisteredClient:
    return actions.register_client(
        name=name,
        department="Agriculture",
        redirect_uris=[redirect_uri],
        allowed_scopes=["openid", "member_id"],
        purpose="Subsidy for natural farming",
        acting_user=None,
        **extra,
    )


def sub_for(personas: Any, user: Any, registered: actions.RegisteredClient, redirect_uri: str) -> str:
    flow = Flow(browser=personas.client_for(user), registered=registered, redirect_uri=redirect_uri)
    tokens = flow.sign_in(scope="openid")
    sub: str = claims_of(tokens["id_token"])["sub"]
    userinfo = Client(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").get("/o/userinfo/").json()
    assert userinfo["sub"] == sub
    return sub


def test_two_departments_see_different_subs_for_one_citizen(personas: Any, pension_app: Any) -> None:
    farming = register("Natural Farming", FARMING_URI)
    pension_sub = sub_for(
        personas, personas.asha, pension_app, "https://pension.example.gov.in/oidc/callback"
    )
    farming_sub = sub_for(personas, personas.asha, farming, FARMING_URI)
    assert pension_sub != farming_sub
    public = Subject.objects.get(user=personas.asha).sub
    assert public not in (pension_sub, farming_sub)
    assert str(personas.asha.pk) != pension_sub and len(pension_sub) == 64


def test_the_pairwise_sub_is_stable_and_differs_between_citizens(personas: Any) -> None:
    farming = register("Natural Farming", FARMING_URI)
    first = sub_for(personas, personas.asha, farming, FARMING_URI)
    assert sub_for(personas, personas.asha, farming, FARMING_URI) == first
    assert sub_for(personas, personas.karan, farming, FARMING_URI) != first


def test_clients_of_one_sector_share_the_sub(personas: Any) -> None:
    web = register("Farming portal", FARMING_URI, sector_identifier="Farming.example.gov.in")
    mobile_uri = "https://m.farming.example.gov.in/cb"
    mobile = register("Farming app", mobile_uri, sector_identifier="farming.example.gov.in")
    assert sub_for(personas, personas.asha, web, FARMING_URI) == sub_for(
        personas, personas.asha, mobile, mobile_uri
    )


def test_the_pairwise_sub_depends_on_the_server_key(personas: Any, settings: Any) -> None:
    farming = register("Natural Farming", FARMING_URI)
    first = sub_for(personas, personas.asha, farming, FARMING_URI)
    settings.OIDC_PAIRWISE_KEY = "another-server-key-of-enough-length"
    assert sub_for(personas, personas.asha, farming, FARMING_URI) != first


def test_a_public_subject_client_sees_the_public_sub(personas: Any) -> None:
    registry = register(
        "State resident registry mirror",
        FARMING_URI,
        subject_type=SubjectType.PUBLIC,
        public_subject_reason="Keeps the state's copy of the register; joins by design under the Act.",
    )
    assert (
        sub_for(personas, personas.asha, registry, FARMING_URI) == Subject.objects.get(user=personas.asha).sub
    )
    entry = AuditEntry.objects.filter(action="oidc.client_registered").latest("pk")
    assert "joins by design" in entry.after


@pytest.mark.parametrize("reason", ["", "   "])
def test_public_subject_without_a_reason_is_refused(reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        register("No reason", FARMING_URI, subject_type=SubjectType.PUBLIC, public_subject_reason=reason)
    assert "public_subject_reason" in refused.value.message_dict
    assert not DepartmentApp.objects.exists()


def test_the_database_refuses_a_public_subject_without_a_reason(pension_app: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DepartmentApp.objects.filter(pk=pension_app.app.pk).update(subject_type=SubjectType.PUBLIC)


def test_redirect_hosts_of_two_sectors_need_a_named_sector() -> None:
    with pytest.raises(ValidationError) as refused:
        actions.register_client(
            name="Two hosts",
            department="Tourism",
            redirect_uris=["https://a.example.gov.in/cb", "https://b.example.gov.in/cb"],
            allowed_scopes=["openid"],
            purpose="Permits",
            acting_user=None,
        )
    assert "sector_identifier" in refused.value.message_dict


@pytest.fixture
def admin_browser(db: Any) -> Client:
    keeper = accounts.create_official("state.keeper", PASSWORD, staff=True, acting_user=None)
    keeper.is_superuser = True
    keeper.save()
    browser = Client()
    login_official(browser, keeper, PASSWORD)
    return browser


def admin_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "Natural Farming",
        "name_hi": "",
        "department": "Agriculture",
        "purpose": "Subsidy for natural farming",
        "purpose_hi": "",
        "redirect_uris": FARMING_URI,
        "post_logout_redirect_uris": "",
        "scopes": ["openid"],
        "confidential": "on",
        "subject_type": "pairwise",
        "public_subject_reason": "",
        "sector_identifier": "",
        "launch_url": "",
    }
    form.update(changes)
    return form


def test_admin_refuses_a_public_subject_without_a_reason(admin_browser: Client) -> None:
    page = admin_browser.post("/admin/integrations/departmentapp/add/", admin_form(subject_type="public"))
    assert page.status_code == 200
    assert "Say why this application needs the public subject identifier." in page.content.decode()
    assert not DepartmentApp.objects.exists()


def test_admin_registers_a_public_subject_client_and_shows_its_reason(admin_browser: Client) -> None:
    reason = "Keeps the State copy of the register."
    answer = admin_browser.post(
        "/admin/integrations/departmentapp/add/",
        admin_form(
            subject_type="public", public_subject_reason=reason, post_logout_redirect_uris=FARMING_URI
        ),
    )
    assert answer.status_code == 200, answer.content[:300]
    app = DepartmentApp.objects.get()
    assert (app.subject_type, app.public_subject_reason) == (SubjectType.PUBLIC, reason)
    assert app.application.post_logout_redirect_uris == FARMING_URI
    page = admin_browser.get(f"/admin/integrations/departmentapp/{app.pk}/change/")
    assert reason in page.content.decode()
    assert 'name="subject_type"' not in page.content.decode()  # settled at registration
