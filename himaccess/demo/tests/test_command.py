"""`himaccess demo` prepares a usable installation and tells people how to log in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from himaccess.accounts.models import User
from himaccess.registry.models import Family

pytestmark = pytest.mark.django_db


def test_demo_seeds_once_and_creates_officials_with_their_own_passwords() -> None:
    out = StringIO()
    call_command("demo", families=60, no_serve=True, activity=False, stdout=out)
    text = out.getvalue()
    assert Family.objects.count() == 60
    meena = User.objects.get(username="meena.tehsildar")
    assert meena.is_official and meena.active_posting is not None
    assert meena.active_posting.tehsil_id == 133
    password = next(
        line.split()[1] for line in text.splitlines() if line.strip().startswith("meena.tehsildar")
    )
    assert meena.check_password(password)
    welfare_posting = User.objects.get(username="welfare.mandi").active_posting
    assert welfare_posting is not None and welfare_posting.department_code == "social_justice"
    assert "sms.log" in text
    assert "Activity:" not in text

    again = StringIO()
    call_command("demo", families=60, no_serve=True, stdout=again)
    assert Family.objects.count() == 60  # seeded once
    assert "meena.tehsildar" not in again.getvalue()  # passwords are shown once
    assert "Activity:" not in again.getvalue()  # activity is made only with the seed
