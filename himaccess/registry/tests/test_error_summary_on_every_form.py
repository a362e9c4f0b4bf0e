"""Every form of the register and of the login pages, refused, starts with an error summary.

The summary comes before the form, in the page's language, links each problem to its field (the
link's target exists on the page), and the page keeps what was typed. Too many attempts at a login
code are said there too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from himaccess.accounts import actions as accounts
from himaccess.accounts import otp
from himaccess.accounts.testing import ADDRESS, last_code_sent_to
from himaccess.conftest import Personas
from himaccess.registry.change_requests import filing
from himaccess.registry.models import ChangeRequest

pytestmark = pytest.mark.django_db

OFFICIAL_PASSWORD = "Deodar-Kullu-2024!"
PROBLEM = {"en": "There is a problem", "hi": "एक समस्या है"}


@dataclass
class Refusal:
    """A form posted wrong: where, by whom, what was sent, and what the page must keep."""

    client: Client
    url: str
    data: dict[str, str]
    kept: str = ""


def _confirm(client: Client, mobile: str, purpose: str, next_url: str) -> None:
    confirm = reverse("accounts:confirm_code")
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        client.post(confirm, {"purpose": purpose, "next": next_url, "send": "1"})
    response = client.post(confirm, {"purpose": purpose, "next": next_url, "code": last_code_sent_to(mobile)})
    assert response.status_code == 302


def _birth(personas: Personas) -> Refusal:
    url = reverse("registry:new_change_request", args=[personas.asha_family.family_id, "birth"])
    return Refusal(personas.client_for(personas.asha), url, {"name_en": "Anu Thakur"}, "Anu Thakur")


def _contact(personas: Personas) -> Refusal:
    ravi = personas.member(personas.ravi)
    url = reverse("registry:change_contact", args=[ravi.member_id])
    client = personas.client_for(personas.ravi)
    _confirm(client, ravi.mobile, "sensitive_change", url)
    return Refusal(client, url, {"mobile": "12345"}, "12345")


def _choose(personas: Personas) -> Refusal:
    return Refusal(personas.client_for(personas.karan), reverse("registry:choose_member"), {"member": ""})


def _search(personas: Personas) -> Refusal:
    # A search is a GET form: its "data" goes in the query string.
    return Refusal(personas.client_for(personas.meena), reverse("registry:search") + "?q=a", {}, 'value="a"')


def _decide(personas: Personas) -> Refusal:
    change = filing.file_change_request(
        personas.asha_family,
        ChangeRequest.Kind.CORRECTION,
        {"member_id": personas.member(personas.ravi).member_id, "field": "occupation", "new_value": "labour"},
        requested_by=personas.asha,
    )
    url = reverse("registry:decide", args=[change.reference])
    return Refusal(personas.client_for(personas.meena), url, {"decision": "reject"})


def _answer(personas: Personas) -> Refusal:
    ravi = personas.member(personas.ravi)
    change = filing.file_change_request(
        personas.asha_family,
        ChangeRequest.Kind.MARRIAGE_OUT,
        {
            "member_id": ravi.member_id,
            "to_family_id": personas.karan_family.family_id,
            "relation": "son_in_law",
        },
        requested_by=personas.asha,
    )
    url = reverse("registry:answer", args=[change.reference])
    client = personas.client_for(personas.karan)
    _confirm(client, personas.karan.mobile, "consent", url)
    return Refusal(client, url, {})


def _citizen_login(personas: Personas) -> Refusal:
    return Refusal(Client(), reverse("accounts:citizen_login"), {"mobile": "12345"}, "12345")


def _citizen_code(personas: Personas) -> Refusal:
    client = Client()
    otp.reset_limits(personas.asha.mobile, ADDRESS)
    with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("accounts:citizen_login"), {"mobile": personas.asha.mobile})
    return Refusal(client, reverse("accounts:citizen_verify"), {"code": "12ab56"}, "12ab56")


def _confirm_code(personas: Personas) -> Refusal:
    url = reverse("accounts:confirm_code")
    return Refusal(
        personas.client_for(personas.asha),
        url,
        {"purpose": "consent", "next": "/", "code": "12"},
        'value="12"',
    )


def _official(personas: Personas) -> Client:
    official = accounts.create_official("dinesh", OFFICIAL_PASSWORD, acting_user=None)
    client = Client()
    login = {"username": official.username, "password": OFFICIAL_PASSWORD}
    assert client.post(reverse("accounts:official_login"), login).status_code == 302
    return client


def _official_login(personas: Personas) -> Refusal:
    data = {"username": "dinesh.thakur", "password": "not-the-password"}
    return Refusal(Client(), reverse("accounts:official_login"), data, 'value="dinesh.thakur"')


def _totp_enrol(personas: Personas) -> Refusal:
    client = _official(personas)
    return Refusal(client, reverse("accounts:totp_enrol"), {"code": "000000"}, 'value="000000"')


FORMS: dict[str, Callable[[Personas], Refusal]] = {
    "birth": _birth,
    "change_contact": _contact,
    "choose_member": _choose,
    "family_search": _search,
    "decision": _decide,
    "family_answer": _answer,
    "citizen_login": _citizen_login,
    "citizen_code": _citizen_code,
    "confirm_code": _confirm_code,
    "official_login": _official_login,
    "totp_enrol": _totp_enrol,
}


@pytest.mark.parametrize("language", ["en", "hi"])
@pytest.mark.parametrize("name", list(FORMS))
def test_a_refused_form_starts_with_a_summary_linked_to_its_fields(
    personas: Personas, name: str, language: str
) -> None:
    refusal = FORMS[name](personas)
    refusal.client.cookies["django_language"] = language
    if refusal.data:
        response = refusal.client.post(refusal.url, refusal.data, HTTP_ACCEPT_LANGUAGE=language)
    else:
        response = refusal.client.get(refusal.url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code == 200:  # a page whose form is posted empty
            response = refusal.client.post(refusal.url, {}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400, name
    html = response.content.decode()
    main = html[html.index('<main id="main"') :]
    assert 'class="govuk-error-summary"' in main, name
    assert PROBLEM[language] in main
    assert main.index('class="govuk-error-summary"') < main.index("<form"), "the summary comes first"
    start = main.index('class="govuk-error-summary"')
    summary = main[start : main.index("</div>", start)]
    for target in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{target}"' in main, (name, target)
    if refusal.kept:
        assert refusal.kept in main, name


def test_too_many_codes_are_said_in_the_summary(personas: Personas) -> None:
    client = Client()
    for _ in range(5):
        with override_settings(SMS_BACKEND="memory"), TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(reverse("accounts:citizen_login"), {"mobile": personas.asha.mobile})
    assert response.status_code == 429
    html = response.content.decode()
    summary = html[html.index('class="govuk-error-summary"') :]
    assert "Too many attempts" in summary[: summary.index("</div>")]
