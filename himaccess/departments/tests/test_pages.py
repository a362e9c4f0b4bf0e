"""Department pages: the catalogue's services and the schemes of each department, plus registered sections."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client

from himaccess.accounts.models import User
from himaccess.catalog.models import Service
from himaccess.departments import pages
from himaccess.departments.models import Department

pytestmark = pytest.mark.django_db


def test_a_department_page_lists_its_catalogue_services_and_schemes(client: Client) -> None:
    service = Service.objects.offered().select_related("department").first()
    assert service is not None, "the catalogue ships services"
    page = client.get(f"/departments/{service.department.code}/")
    assert page.status_code == 200
    assert service.name_en in page.content.decode()
    social_justice = client.get("/departments/social_justice/").content.decode()
    assert "Old Age Pension" in social_justice or "pension" in social_justice.lower()
    assert client.get("/departments/").status_code == 200
    assert client.get("/departments/nothing-here/").status_code == 404


def test_a_section_decides_who_sees_it(client: Client) -> None:
    def only_for_logged_in(request: HttpRequest, department: Department) -> dict[str, Any] | None:
        return {"note": "inside"} if request.user.is_authenticated else None

    section = pages.Section(
        department="health", key="test-only", template="departments/index.html", context=only_for_logged_in
    )
    pages.register(section)
    try:
        assert [s.key for s in pages.sections_for("health")] == ["test-only"]
        anonymous = client.get("/departments/health/")
        assert anonymous.status_code == 200
        assert anonymous.context["sections"] == []
        client.force_login(User.objects.create_user(username="someone"))
        shown = client.get("/departments/health/").context["sections"]
        assert [(s["key"], s["data"]) for s in shown] == [("test-only", {"note": "inside"})]
    finally:
        pages._SECTIONS.pop(("health", "test-only"))
    assert pages.sections_for("health") == []
