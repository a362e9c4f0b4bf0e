"""The per-family access log: who read which member's data and why, shown to the family."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from himaccess.audit import access
from himaccess.audit.models import DataAccess

pytestmark = pytest.mark.django_db


def test_official_read_is_logged_with_purpose_and_address(personas: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    rows = access.record_read(
        family=personas.asha_family,
        members=[personas.member(personas.ravi)],
        purpose="Verifying a birth",
        user=personas.meena,
        request=request,
    )
    assert len(rows) == 1
    entry = DataAccess.objects.for_family(personas.asha_family).get()
    assert (entry.user, entry.member, entry.purpose, entry.client_address) == (
        personas.meena,
        personas.member(personas.ravi),
        "Verifying a birth",
        "10.1.2.3",
    )


def test_citizen_reading_their_own_family_is_not_a_logged_read(personas: Any) -> None:
    assert access.record_read(family=personas.asha_family, purpose="own page", user=personas.asha) == []
    assert not DataAccess.objects.exists()


def test_a_read_needs_a_reader(personas: Any) -> None:
    with pytest.raises(ValueError):
        access.record_read(family=personas.asha_family, purpose="who?")


def test_log_is_newest_first_and_only_the_familys_own(personas: Any) -> None:
    access.record_read(family=personas.asha_family, purpose="first", user=personas.meena)
    access.record_read(family=personas.asha_family, purpose="second", user=personas.meena)
    access.record_read(family=personas.karan_family, purpose="other family", user=personas.meena)
    purposes = [row.purpose for row in DataAccess.objects.for_family(personas.asha_family)]
    assert purposes == ["second", "first"]


@pytest.mark.parametrize(("language", "heading"), [("en", "Who read your family"), ("hi", "किसने")])
def test_snippet_renders_the_log_in_both_languages(personas: Any, language: str, heading: str) -> None:
    access.record_read(
        family=personas.asha_family,
        members=[personas.member(personas.asha)],
        purpose="Pension check",
        user=personas.meena,
    )
    with translation.override(language):
        html = render_to_string(
            "audit/includes/access_log.html",
            {"entries": DataAccess.objects.for_family(personas.asha_family)},
        )
    assert heading in html
    assert "Pension check" in html
    assert ("आशा देवी" if language == "hi" else "Asha Devi") in html


def test_many_page_views_read_as_one_line_with_the_officials_designation(personas: Any) -> None:
    """Meena opens Asha's family page fifty times in a morning: one line, named by her post, not her login."""
    for _ in range(50):
        access.record_read(
            family=personas.asha_family, purpose="register administration", user=personas.meena
        )
    access.record_read(family=personas.asha_family, purpose="Pension check", user=personas.meena)
    with translation.override("en"):
        html = render_to_string(
            "audit/includes/access_log.html", {"entries": DataAccess.objects.for_family(personas.asha_family)}
        )
    assert html.count('<tr class="govuk-table__row">') == 1 + 2  # the heading and two groups
    assert "50 reads" in html
    assert "Tehsildar, Mandi" in html
    assert "meena" not in html
    with translation.override("hi"):
        hindi = render_to_string(
            "audit/includes/access_log.html", {"entries": DataAccess.objects.for_family(personas.asha_family)}
        )
    assert "रजिस्टर प्रशासन" in hindi and "तहसीलदार" in hindi
