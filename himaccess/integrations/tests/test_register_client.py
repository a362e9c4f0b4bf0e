"""Registering a departmental application: by command, with its scopes checked and audited."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from oauth2_provider.models import Application

from himaccess.audit.models import AuditEntry
from himaccess.integrations.models import DepartmentApp

pytestmark = pytest.mark.django_db


def test_command_registers_a_client_and_shows_the_secret_once() -> None:
    out = StringIO()
    call_command(
        "register_client",
        "Natural Farming",
        "--department",
        "Agriculture",
        "--redirect-uri",
        "https://farming.example.gov.in/cb",
        "--scopes",
        "member_id name",
        "--purpose",
        "Enrolling farmers",
        "--launch-url",
        "https://farming.example.gov.in/",
        "--listed",
        stdout=out,
    )
    application = Application.objects.get(name="Natural Farming")
    secret = out.getvalue().split("client_secret: ")[1].split()[0]
    assert application.client_secret != secret  # only the hash is kept
    assert DepartmentApp.objects.get(application=application).scope_list() == ["openid", "member_id", "name"]
    entry = AuditEntry.objects.get(action="oidc.client_registered")
    assert secret not in entry.after


def test_unknown_scope_is_refused() -> None:
    with pytest.raises(CommandError, match="Unknown scopes: aadhaar"):
        call_command(
            "register_client",
            "X",
            "--department",
            "Y",
            "--redirect-uri",
            "https://x.example/cb",
            "--scopes",
            "openid aadhaar",
            "--purpose",
            "z",
        )
    assert not Application.objects.exists()


def test_listed_app_needs_a_launch_address(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command(
            "register_client",
            "X",
            "--department",
            "Y",
            "--redirect-uri",
            "https://x.example/cb",
            "--scopes",
            "openid",
            "--purpose",
            "z",
            "--listed",
        )
