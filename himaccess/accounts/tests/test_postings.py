from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from himaccess.accounts import actions
from himaccess.accounts.models import Level, Posting, Role, User, UserSession
from himaccess.accounts.testing import login_official
from himaccess.audit.models import AuditEntry
from himaccess.geography.models import Tehsil
from himaccess.registry.models import Family

from .conftest import PASSWORD

KANGRA_TEHSIL = 100


def _logged_in(user: User) -> Client:
    client = Client()
    login_official(client, user, PASSWORD)
    assert client.get(reverse("accounts:login")).wsgi_request.user == user
    return client


def test_transfer_ends_every_session_and_moves_the_scope(
    tehsildar: User, state_admin: User, personas: Any
) -> None:
    first, second = _logged_in(tehsildar), _logged_in(tehsildar)
    assert UserSession.objects.filter(user=tehsildar).count() == 2
    actions.transfer_official(
        tehsildar,
        role=Role.TEHSILDAR,
        level=Level.TEHSIL,
        tehsil=Tehsil.objects.get(pk=KANGRA_TEHSIL),
        acting_user=state_admin,
    )
    for client in (first, second):
        assert client.get(reverse("accounts:login")).wsgi_request.user.is_anonymous
    assert list(Family.objects.visible_to(tehsildar)) == [personas.kangra_family]
    rows = Posting.objects.filter(user=tehsildar).order_by("started_at", "id")
    assert [(p.tehsil_id, p.ended_at is not None) for p in rows] == [(133, True), (KANGRA_TEHSIL, False)]
    entry = AuditEntry.objects.filter(action="official.transferred").get()
    assert '"tehsil":133' in entry.before and f'"tehsil":{KANGRA_TEHSIL}' in entry.after


def test_suspension_ends_sessions_and_the_official_can_act_nowhere(
    tehsildar: User, state_admin: User, personas: Any
) -> None:
    client = _logged_in(tehsildar)
    actions.suspend_official(tehsildar, reason="inquiry", acting_user=state_admin)
    assert client.get(reverse("accounts:login")).wsgi_request.user.is_anonymous
    tehsildar = User.objects.get(pk=tehsildar.pk)
    assert tehsildar.active_posting is None
    assert not Family.objects.visible_to(tehsildar).exists()
    again = Client()
    again.post(reverse("accounts:official_login"), {"username": tehsildar.username, "password": PASSWORD})
    from himaccess.accounts.testing import current_totp

    response = again.post(reverse("accounts:official_totp"), {"code": current_totp(tehsildar)})
    assert response.status_code == 403
    assert "_auth_user_id" not in again.session
    assert AuditEntry.objects.filter(action="official.suspended").exists()


def test_reinstatement_restores_the_same_posting(tehsildar: User, state_admin: User, personas: Any) -> None:
    actions.suspend_official(tehsildar, reason="inquiry", acting_user=state_admin)
    actions.reinstate_official(tehsildar, acting_user=state_admin)
    tehsildar = User.objects.get(pk=tehsildar.pk)
    assert tehsildar.active_posting is not None and tehsildar.active_posting.tehsil_id == 133
    assert Family.objects.visible_to(tehsildar).filter(pk=personas.asha_family.pk).exists()
    assert Posting.objects.filter(user=tehsildar).count() == 3


def test_only_a_state_administrator_changes_postings(tehsildar: User, personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.suspend_official(personas.vikram, reason="x", acting_user=tehsildar)
    with pytest.raises(PermissionDenied):
        actions.transfer_official(
            personas.vikram, role=Role.SDM, level=Level.STATE, acting_user=personas.asha
        )
    assert personas.vikram.active_posting is not None


def test_a_posted_official_is_transferred_not_posted_again(tehsildar: User, state_admin: User) -> None:
    with pytest.raises(ValidationError):
        actions.post_official(tehsildar, role=Role.SDM, level=Level.STATE, acting_user=state_admin)
    with pytest.raises(ValidationError):
        actions.transfer_official(tehsildar, role=Role.TEHSILDAR, level=Level.TEHSIL, acting_user=state_admin)
