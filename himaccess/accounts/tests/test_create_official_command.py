from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from himaccess.accounts.models import User


def test_creates_an_official_from_a_password_file(db: Any, tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("Rhododendron-2024-Shimla\n")
    call_command(
        "create_official",
        "patwari.sadar",
        "--role",
        "patwari",
        "--level",
        "tehsil",
        "--tehsil",
        "133",
        "--password-file",
        str(secret),
    )
    user = User.objects.get(username="patwari.sadar")
    assert user.is_official and user.check_password("Rhododendron-2024-Shimla")
    assert user.active_posting is not None and user.active_posting.district_id == 22
    assert not hasattr(user, "totp_device")


def test_refuses_a_weak_password(db: Any, tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("password\n")
    with pytest.raises(CommandError):
        call_command(
            "create_official", "weak", "--role", "patwari", "--level", "state", "--password-file", str(secret)
        )
    assert not User.objects.filter(username="weak").exists()


def test_refuses_an_area_that_does_not_exist(db: Any, tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("Rhododendron-2024-Shimla\n")
    with pytest.raises(CommandError):
        call_command(
            "create_official",
            "lost",
            "--role",
            "patwari",
            "--level",
            "tehsil",
            "--tehsil",
            "999999",
            "--password-file",
            str(secret),
        )
    assert not User.objects.filter(username="lost").exists()


def test_there_are_no_default_accounts(db: Any) -> None:
    assert not User.objects.exists()
