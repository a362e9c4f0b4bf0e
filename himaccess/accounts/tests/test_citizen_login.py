from __future__ import annotations

import re
from typing import Any

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from himaccess.accounts.models import OneTimeCode, User, UserSession
from himaccess.accounts.testing import last_code_sent_to, login_citizen
from himaccess.notifications import sms

UNKNOWN = "9999912345"


def _ask(client: Client, mobile: str, deliver: Any) -> tuple[int, str, str]:
    with deliver(execute=True):
        response = client.post(reverse("accounts:citizen_login"), {"mobile": mobile})
    page = client.get(reverse("accounts:citizen_verify"))
    return response.status_code, response["Location"], page.content.decode()


def test_known_and_unknown_numbers_get_identical_responses(personas: Any, deliver: Any) -> None:
    known = _ask(Client(), "9816000001", deliver)
    unknown = _ask(Client(), UNKNOWN, deliver)
    assert known[:2] == unknown[:2] == (302, reverse("accounts:citizen_verify"))
    # The pages differ only in the masked number each person typed.
    strip = re.compile(r"XXXXXX\d{4}|csrfmiddlewaretoken\" value=\"[^\"]+\"")
    assert strip.sub("", known[2]) == strip.sub("", unknown[2])


def test_code_is_sent_only_to_a_registered_number(personas: Any, deliver: Any) -> None:
    _ask(Client(), UNKNOWN, deliver)
    assert [m.to for m in sms.outbox] == []
    assert OneTimeCode.objects.filter(mobile=UNKNOWN).count() == 1  # the same work is done
    _ask(Client(), "9816000001", deliver)
    assert [m.to for m in sms.outbox] == ["9816000001"]


def test_malformed_number_is_refused_with_a_message(db: Any) -> None:
    response = Client().post(reverse("accounts:citizen_login"), {"mobile": "12345"})
    assert response.status_code == 400
    assert "10-digit mobile number" in response.content.decode()


def test_first_login_creates_the_citizen(personas: Any, deliver: Any) -> None:
    from himaccess.registry.models import Member

    member = Member.objects.get(mobile="9816000004")  # Pushpa in Kangra has never logged in
    assert not User.objects.filter(mobile=member.mobile).exists()
    client = Client()
    _ask(client, member.mobile, deliver)
    response = client.post(reverse("accounts:citizen_verify"), {"code": last_code_sent_to(member.mobile)})
    assert response.status_code == 302
    user = User.objects.get(mobile=member.mobile)
    assert user.kind == User.Kind.CITIZEN and not user.has_usable_password()
    assert list(user.member_links.values_list("member__member_id", flat=True)) == [member.member_id]


def test_session_key_rotates_at_login(personas: Any, deliver: Any) -> None:
    client = Client()
    _ask(client, personas.asha.mobile, deliver)
    before = client.session.session_key
    client.post(reverse("accounts:citizen_verify"), {"code": last_code_sent_to(personas.asha.mobile)})
    after = client.session.session_key
    assert before and after and before != after
    assert not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.filter(user=personas.asha, session_key=after).exists()


def test_logout_ends_the_session_on_the_server(personas: Any) -> None:
    client = Client()
    login_citizen(client, personas.asha)
    key = client.session.session_key
    assert key is not None
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get(reverse("accounts:not_enrolled")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert stolen.get(reverse("accounts:not_enrolled")).status_code == 302  # back to the login page


def test_logout_needs_post(personas: Any) -> None:
    client = Client()
    login_citizen(client, personas.asha)
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_wrong_code_shows_an_error_and_logs_nobody_in(personas: Any, deliver: Any) -> None:
    client = Client()
    _ask(client, personas.asha.mobile, deliver)
    right = last_code_sent_to(personas.asha.mobile)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = client.post(reverse("accounts:citizen_verify"), {"code": wrong})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_code_comes_in_the_language_of_the_page(personas: Any, deliver: Any) -> None:
    """Asha asks for her code on the Hindi page: the SMS is in Hindi; on the English page, English."""
    hindi = Client()
    hindi.cookies["django_language"] = "hi"
    _ask(hindi, "9816000001", deliver)
    english = Client()
    _ask(english, "9816000002", deliver)
    texts = {m.to: m.text for m in sms.outbox}
    assert "लॉग इन कोड" in texts["9816000001"]
    assert "login code" in texts["9816000002"]
