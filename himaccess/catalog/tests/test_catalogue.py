"""The shipped catalogue, search in three ways of writing, and definitions as versioned data."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from django.urls import reverse

from himaccess.catalog import actions, definitions, search, shipped
from himaccess.catalog.models import Service

pytestmark = pytest.mark.django_db


def test_all_notified_services_ship_with_a_valid_definition() -> None:
    codes = {row["service_id"] for row in shipped.catalogue_rows()}
    assert len(codes) == 36
    assert set(Service.objects.offered().values_list("code", flat=True)) == codes
    income = Service.objects.get(code="CERT-02").current_version
    assert income is not None
    assert income.definition["time_limit_hours"] == 24
    assert income.definition["designated_officer_role"] == "tehsildar"
    assert income.definition["first_appeal"]["role"] == "sdm"
    assert {f["prefill"] for f in income.form_fields} >= {
        "member.name_en",
        "member.father_or_husband_name",
        "family.address_en",
        "member.date_of_birth",
    }


@pytest.mark.parametrize("query", ["aay praman patra", "आय प्रमाण पत्र", "income certificate", "Income"])
def test_income_certificate_is_found_in_hindi_english_and_romanised_hindi(query: str) -> None:
    assert search.find(query)[0].code == "CERT-02"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("jati", "CERT-03"),
        ("जाति प्रमाण पत्र", "CERT-03"),
        ("charitra", "CERT-05"),
        ("intkal", "REV-04"),
        ("बोनाफाइड", "CERT-01"),
    ],
)
def test_other_services_by_their_common_names(query: str, code: str) -> None:
    assert code in [s.code for s in search.find(query)[:3]]


def test_browse_by_department_and_life_situation(client: Any) -> None:
    assert {s.department_id for s in search.find("", department="panchayati_raj")} == {"panchayati_raj"}
    births = {s.code for s in search.find("", situation="birth_death")}
    assert {"PR-01", "UD-01", "CERT-07"} <= births
    page = client.get(reverse("catalog:index"), {"situation": "birth_death"})
    assert page.status_code == 200 and "PR-01" in page.content.decode()
    assert client.get(reverse("catalog:service", args=["CERT-02"])).status_code == 200
    assert client.get(reverse("catalog:service", args=["NOPE-1"])).status_code == 404


def test_search_api_is_public_and_filters(client: Any) -> None:
    found = client.get("/api/v1/services/catalogue", {"q": "jati"}).json()
    assert found[0]["code"] == "CERT-03"


def test_a_changed_definition_is_a_new_version_and_old_applications_keep_theirs(personas: Any) -> None:
    from himaccess.applications.actions.drafts import start_draft

    service = Service.objects.get(code="CERT-05")
    first = service.current_version
    assert first is not None
    draft = start_draft(service, personas.member(personas.ravi), acting_user=personas.asha)
    changed = yaml.safe_load(actions.export(first))
    changed["time_limit_hours"] = 48
    second = actions.publish(changed, acting_user=None, note="longer limit")
    assert second.number == first.number + 1
    draft.refresh_from_db()
    assert draft.service_version_id == first.pk
    assert actions.publish(changed, acting_user=None) == second  # unchanged: no new version


def test_json_export_imports_back() -> None:
    version = Service.objects.get(code="PR-01").current_version
    assert version is not None
    data = actions.parse_file(actions.export(version, "json").encode(), "PR-01.json")
    assert definitions.validate(data, department_codes=None) == version.definition


def test_a_bad_definition_lists_every_problem_and_publishes_nothing() -> None:
    bad = {
        "code": "bad code",
        "name_en": "",
        "department": "nowhere",
        "category": "Certificates!",
        "designated_officer_role": "king",
        "time_limit_hours": 0,
        "form": [{"name": "x", "type": "colour", "prefill": "member.shoe_size"}],
        "workflow": [
            {"stage": "one", "role": "patwari", "name_en": "a", "name_hi": "b", "actions": ["verify"]}
        ],
        "output": {
            "kind": "certificate",
            "title_en": "T",
            "title_hi": "T",
            "statement_en": "{missing}",
            "statement_hi": "x",
        },
    }
    with pytest.raises(definitions.DefinitionError) as caught:
        actions.publish(bad, acting_user=None)
    text = "\n".join(caught.value.problems)
    for expected in (
        "code:",
        "name_en: is required",
        "unknown department",
        "form[0].type",
        "form[0].prefill",
        "last stage must allow approve",
        "placeholder {missing}",
        "time_limit_hours",
    ):
        assert expected in text
    assert not Service.objects.filter(code="bad code").exists()


def test_unreadable_file_is_a_clear_error() -> None:
    with pytest.raises(definitions.DefinitionError):
        actions.parse_file(b"code: [unclosed", "x.yaml")
    with pytest.raises(definitions.DefinitionError):
        actions.parse_file(json.dumps([1, 2]).encode() + b"}", "x.json")


def test_admin_imports_a_definition_file(client: Any) -> None:
    from himaccess.accounts.models import User
    from himaccess.accounts.testing import login_official

    admin = User.objects.create_superuser(
        "stateadmin", password="a-long-admin-password-1", kind=User.Kind.OFFICIAL
    )
    login_official(client, admin, "a-long-admin-password-1")
    version = Service.objects.get(code="AGR-01").current_version
    assert version is not None
    data = yaml.safe_load(actions.export(version))
    data["code"], data["name_en"] = "AGR-02", "Seed sample testing"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("agr-02.yaml", yaml.safe_dump(data, allow_unicode=True).encode())
    response = client.post(reverse("admin:catalog_service_import"), {"file": upload, "note": "new service"})
    assert response.status_code == 302
    version = Service.objects.get(code="AGR-02").current_version
    assert version is not None and version.number == 1
    data["time_limit_hours"] = "soon"
    upload = SimpleUploadedFile("agr-02.yaml", yaml.safe_dump(data, allow_unicode=True).encode())
    response = client.post(reverse("admin:catalog_service_import"), {"file": upload})
    assert response.status_code == 400
    assert "time_limit_hours: must be a whole number" in response.content.decode()
    exported = client.get(reverse("admin:catalog_service_export", args=["AGR-02", "json"]))
    assert json.loads(exported.content)["name_en"] == "Seed sample testing"
