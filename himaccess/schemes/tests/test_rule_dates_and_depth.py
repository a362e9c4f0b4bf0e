"""A rule's effective date is a date that can be, and its JSON cannot nest past the parser's limits."""

from __future__ import annotations

import json
from datetime import date

import time_machine

from himaccess.schemes.models import RuleVersion
from himaccess.schemes.tests.conftest import SchemePeople
from himaccess.schemes.tests.test_rule_administration import _post

PENSION = "widow_destitute_ekal_nari_pension"


def _versions() -> int:
    return RuleVersion.objects.filter(scheme__scheme_id=PENSION).count()


@time_machine.travel(date(2025, 8, 10), tick=False)
def test_a_rule_effective_in_2099_or_before_1900_is_refused(people: SchemePeople) -> None:
    client = people.p.client_for(people.anil)
    before = _versions()
    for when in ("2099-01-01", "1899-12-31"):
        response = _post(client, json.dumps({"all": []}), effective_from=when)
        assert response.status_code == 400
        assert "Enter a date from 1900 to 11-08-2026." in response.content.decode()
    assert _versions() == before


@time_machine.travel(date(2025, 8, 10), tick=False)
def test_a_rule_effective_next_month_is_accepted(people: SchemePeople) -> None:
    client = people.p.client_for(people.anil)
    response = _post(client, json.dumps({"all": []}), effective_from="2025-09-01")
    assert response.status_code == 302


def test_a_rule_nested_thousands_deep_is_a_clear_400(people: SchemePeople) -> None:
    client = people.p.client_for(people.anil)
    before = _versions()
    response = _post(client, "[" * 5000 + "]" * 5000)
    assert response.status_code == 400
    assert "nested more than 64 levels deep" in response.content.decode()
    assert _versions() == before
