"""Disputing an age asks for the date of birth, takes it as people write it, and says so when given an age.

The field's label, its help and its errors all speak of the date of birth, in English and Hindi;
day-month-year is read day first (05/03/1960 is the 5th of March), and what was claimed is shown
back as day-month-year.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from himaccess.registry.models import ChangeRequest, Member
from himaccess.schemes.models import Dispute
from himaccess.schemes.tests.conftest import SchemePeople

OLD_AGE_PENSION = "old_age_pension_state"


def _dispute(
    client: Client, member: Member, claimed: str, language: str = "en", attribute: str = "age"
) -> str:
    client.cookies["django_language"] = language
    url = f"/schemes/members/{member.member_id}/{OLD_AGE_PENSION}/"
    client.post(f"/schemes/families/{member.family.family_id}/check/")
    response = client.post(url, {"attribute": attribute, "claimed_value": claimed, "note": ""})
    if response.status_code == 302:
        return client.get(url).content.decode()
    assert response.status_code == 400
    return response.content.decode()


def test_an_age_given_for_the_date_of_birth_is_answered_with_what_to_give(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    body = _dispute(people.p.client_for(people.p.asha), asha, "64")
    summary = re.split(r'class="[^"]*error-summary[^"]*"', body, maxsplit=1)[1].split("</ul>", 1)[0]
    assert (
        '<a href="#cv-age">Correct date of birth: Give the date of birth (for example 15-08-1960)' in summary
    )
    assert "not the age: the age is worked out from it." in summary
    assert "Enter a valid date" not in body
    # The age's dispute form is open, with its label, help and error together.
    opened = re.search(r"<details[^>]* open><summary[^>]*><span[^>]*>Dispute</span></summary>", body)
    assert opened is not None
    form = body[opened.end() :].split("</details>", 1)[0]
    assert 'name="attribute" value="age"' in form
    assert re.search(r'<label[^>]* for="cv-age">Correct date of birth</label>', form)
    assert "Give it as day-month-year" in form and "not the age" in form
    assert 'aria-invalid="true"' in form
    assert not Dispute.objects.exists() and not ChangeRequest.objects.exists()


def test_the_same_in_hindi(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    body = _dispute(people.p.client_for(people.p.asha), asha, "64", "hi")
    assert "सही जन्म तिथि: आयु नहीं, जन्म तिथि दें (जैसे 15-08-1960)" in body
    assert "जन्म तिथि दिन-महीना-वर्ष के रूप में दें" in body


@pytest.mark.parametrize("typed", ["05/03/1960", "05-03-1960", "05.03.1960", "1960-03-05", " 5/3/1960 "])
def test_day_month_year_is_read_day_first(people: SchemePeople, typed: str) -> None:
    asha = people.p.member(people.p.asha)
    body = _dispute(people.p.client_for(people.p.asha), asha, typed)
    change_request = Dispute.objects.get(member=asha).change_request
    assert change_request is not None
    assert change_request.payload["field"] == "date_of_birth"
    assert change_request.payload["new_value"] == "1960-03-05"
    assert "Correct date of birth: 05-03-1960" in body  # shown back as people write it
    assert "1960-03-05" not in body.split("<main", 1)[1]


@pytest.mark.parametrize("typed", ["31-02-1960", "15-08-60", "fifteen"])
def test_a_date_that_is_no_date_says_how_to_write_one(people: SchemePeople, typed: str) -> None:
    asha = people.p.member(people.p.asha)
    body = _dispute(people.p.client_for(people.p.asha), asha, typed)
    assert "Correct date of birth: Give the date of birth as day-month-year, for example 15-08-1960." in body
    assert "Enter a valid date" not in body


def test_a_date_of_birth_in_the_future_is_refused(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    body = _dispute(people.p.client_for(people.p.asha), asha, "01-01-2999")
    assert "Correct date of birth: The date cannot be in the future." in body
    assert not Dispute.objects.exists()


def test_a_yes_no_input_held_by_a_department_takes_yes_or_no(people: SchemePeople) -> None:
    asha = people.p.member(people.p.asha)
    client = people.p.client_for(people.p.asha)
    page = _dispute(client, asha, "perhaps", attribute="income_tax_payer")
    assert "Correct value: Answer yes or no." in page
    form = page.split('<input type="hidden" name="attribute" value="income_tax_payer">', 1)[1]
    assert '<option value="yes">yes</option><option value="no">no</option>' in form.split("</select>", 1)[0]
    body = _dispute(client, asha, "no", attribute="income_tax_payer")
    assert Dispute.objects.get(member=asha).claimed_value == "no"
    assert "Is a registered income-tax payer — Correct value: no" in body
