"""Posting milk collections: through the API and as a CSV file, all rows or none, in the caller's language."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from himaccess.audit.models import AuditEntry
from himaccess.milkfed import actions
from himaccess.milkfed.models import Collection, Society, Upload
from himaccess.milkfed.tests.conftest import Dairy, row

pytestmark = pytest.mark.django_db

URL = "/api/v1/milkfed/societies/{code}/collections"


def post(client: Client, code: str, rows: Any, language: str = "en") -> Any:
    return client.post(
        URL.format(code=code),
        json.dumps(rows),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_secretary_posts_both_shifts_and_the_same_batch_again_writes_nothing(dairy: Dairy) -> None:
    today = timezone.localdate()
    client = dairy.client(dairy.sita)
    rows = [row(dairy.asha, today), row(dairy.asha, today, shift="evening", litres=7.25, fat=4.1, snf=8.7)]
    first = post(client, "MND-001", rows)
    assert first.status_code == 201, first.content
    assert first.json()["written"] == 2
    again = post(client, "MND-001", rows)
    assert again.status_code == 201
    assert again.json() == {**again.json(), "written": 0, "unchanged": 2}
    evening = Collection.objects.get(shift="evening")
    assert (evening.litres_x100, evening.fat_x100, evening.snf_x100) == (725, 410, 870)
    assert Collection.objects.count() == 2
    assert AuditEntry.objects.filter(action="milkfed.collections_posted").count() == 2


def test_one_bad_row_refuses_the_whole_batch_with_row_numbers_in_hindi(dairy: Dairy) -> None:
    today = timezone.localdate()
    rows = [
        row(dairy.asha, today),
        row(dairy.asha, today, shift="evening", litres=900),
        row(dairy.asha, today, shift="night"),
    ]
    answer = post(dairy.client(dairy.sita), "MND-001", rows, language="hi")
    assert answer.status_code == 422
    body = answer.json()
    assert [e["loc"][1] for e in body["errors"]] == [2, 3]
    assert "कुछ भी दर्ज नहीं" in body["detail"]
    assert Collection.objects.count() == 0
    assert Upload.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"litres": "12.5"}, "litres"),  # text where a number belongs
        ({"litres": True}, "litres"),
        ({"fat": 0.5}, "fat"),  # implausible
        ({"snf": 14}, "snf"),
        ({"litres": 0}, "litres"),
        ({"litres": 10.123}, "litres"),  # more than two decimals
        ({"date": "2025-02-30"}, "date"),
        ({"date": 20250101}, "date"),
        ({"animal": "camel"}, "animal"),
        ({"member_id": "M12345678901"}, "member_id"),  # fails its check digit
        ({"member_id": ["M"]}, "member_id"),
        ({"colour": "white"}, "colour"),
    ],
)
def test_bad_values_are_refused_by_field(dairy: Dairy, change: dict[str, Any], field: str) -> None:
    answer = post(dairy.client(dairy.sita), "MND-001", [row(dairy.asha, timezone.localdate(), **change)])
    assert answer.status_code == 422, answer.content
    assert field in [e["loc"][2] for e in answer.json()["errors"]]
    assert not Collection.objects.exists()


def test_future_and_old_dates_are_refused(dairy: Dairy) -> None:
    today = timezone.localdate()
    client = dairy.client(dairy.sita)
    assert post(client, "MND-001", [row(dairy.asha, today + timedelta(days=1))]).status_code == 422
    assert post(client, "MND-001", [row(dairy.asha, today - timedelta(days=100))]).status_code == 422


def test_duplicate_rows_in_one_batch_are_refused(dairy: Dairy) -> None:
    today = timezone.localdate()
    answer = post(dairy.client(dairy.sita), "MND-001", [row(dairy.asha, today), row(dairy.asha, today)])
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"][1] == 2
    assert not Collection.objects.exists()


def test_a_row_contradicting_recorded_milk_is_a_409_and_writes_nothing(dairy: Dairy) -> None:
    today = timezone.localdate()
    client = dairy.client(dairy.sita)
    assert post(client, "MND-001", [row(dairy.asha, today)]).status_code == 201
    answer = post(
        client, "MND-001", [row(dairy.asha, today, shift="evening"), row(dairy.asha, today, litres=11)]
    )
    assert answer.status_code == 409
    assert Collection.objects.count() == 1


def test_unknown_farmer_and_another_societys_farmer_are_refused(dairy: Dairy) -> None:
    today = timezone.localdate()
    client = dairy.client(dairy.sita)
    ravi = dairy.member(dairy.p.ravi)  # a member, but not a dairy farmer
    unknown = post(client, "MND-001", [{**row(dairy.asha, today), "member_id": ravi.member_id}])
    assert unknown.status_code == 422
    assert "No dairy farmer" in unknown.json()["errors"][0]["msg"]
    # Society A's secretary posting for society B's farmer, through A's own address.
    other = post(client, "MND-001", [row(dairy.karan, today)])
    assert other.status_code == 422
    assert "not a member of this society" in other.json()["errors"][0]["msg"]
    assert not Collection.objects.exists()


def test_wrong_person_cannot_post_for_another_society(dairy: Dairy) -> None:
    today = timezone.localdate()
    # Society A's secretary at society B's address: it does not exist for her.
    assert post(dairy.client(dairy.sita), "MND-002", [row(dairy.karan, today)]).status_code == 404
    # Mandi's Milkfed official in Kangra.
    assert post(dairy.client(dairy.mohan), "KGR-001", [row(dairy.pushpa, today)]).status_code == 404
    # A citizen, and a tehsildar of the area.
    assert post(dairy.client(dairy.p.asha), "MND-001", [row(dairy.asha, today)]).status_code == 404
    assert post(dairy.client(dairy.p.meena), "MND-001", [row(dairy.asha, today)]).status_code == 404
    assert post(Client(), "MND-001", [row(dairy.asha, today)]).status_code == 401
    assert not Collection.objects.exists()


def test_district_official_posts_for_a_society_of_the_district(dairy: Dairy) -> None:
    answer = post(dairy.client(dairy.mohan), "MND-002", [row(dairy.karan, timezone.localdate())])
    assert answer.status_code == 201


def test_closed_society_records_nothing(dairy: Dairy) -> None:
    actions.set_society_status(dairy.rewalsar, Society.Status.CLOSED, acting_user=dairy.mohan)
    answer = post(dairy.client(dairy.sita), "MND-001", [row(dairy.asha, timezone.localdate())], language="hi")
    assert answer.status_code == 409
    assert answer.json()["code"] == "society_closed"
    assert "बंद" in answer.json()["detail"]
    assert not Collection.objects.exists()


def test_wrong_body_shapes(dairy: Dairy) -> None:
    client = dairy.client(dairy.sita)
    url = URL.format(code="MND-001")
    assert client.post(url, "{not json", content_type="application/json").status_code == 400
    assert post(client, "MND-001", {"rows": []}).status_code == 422
    assert post(client, "MND-001", []).status_code == 422
    assert post(client, "MND-001", ["a row"]).status_code == 422
    assert client.post(url, "member_id=1", content_type="text/plain").status_code == 415
    assert not Collection.objects.exists()


def test_control_characters_are_refused(dairy: Dairy) -> None:
    client = dairy.client(dairy.sita)
    answer = post(client, "MND-001", [row(dairy.asha, timezone.localdate(), shift="morn\x00ing")])
    assert 400 <= answer.status_code < 500
    assert not Collection.objects.exists()


def _csv(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("day.csv", ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def test_csv_upload_records_all_rows(dairy: Dairy) -> None:
    today = timezone.localdate().isoformat()
    member = dairy.asha.member.member_id
    lines = [
        "member_id,date,shift,animal,litres,fat,snf",
        f"{member},{today},morning,cow,10.5,3.6,8.5",
        f"{member},{today},evening,buffalo,4,6.5,9.1",
    ]
    answer = dairy.client(dairy.sita).post(
        "/departments/milkfed/societies/MND-001/upload/", {"file": _csv(lines)}
    )
    assert answer.status_code == 302
    assert Collection.objects.count() == 2
    assert Upload.objects.get().via == Upload.Via.CSV


def test_csv_upload_with_a_bad_row_shows_its_number_and_records_nothing(dairy: Dairy) -> None:
    today = timezone.localdate().isoformat()
    member = dairy.asha.member.member_id
    lines = [
        "member_id,date,shift,animal,litres,fat,snf",
        f"{member},{today},morning,cow,10.5,3.6,8.5",
        f"{member},{today},evening,cow,ten,3.6,8.5",
    ]
    client = dairy.client(dairy.sita)
    client.cookies["django_language"] = "hi"
    answer = client.post("/departments/milkfed/societies/MND-001/upload/", {"file": _csv(lines)})
    assert answer.status_code == 422
    page = answer.content.decode()
    assert re.search(r"<td[^>]*>2</td><td[^>]*>litres</td>", page)
    assert "अधिकतम दो दशमलव" in page
    assert not Collection.objects.exists()


def test_csv_with_control_character_or_wrong_header_is_refused(dairy: Dairy) -> None:
    client = dairy.client(dairy.sita)
    bad = _csv(["member_id,date,shift,animal,litres,fat,snf", "M1,2025-01-01,morn\x07ing,cow,1,3,8"])
    assert client.post("/departments/milkfed/societies/MND-001/upload/", {"file": bad}).status_code == 422
    header = _csv(["who,when", "a,b"])
    assert client.post("/departments/milkfed/societies/MND-001/upload/", {"file": header}).status_code == 422
    binary = SimpleUploadedFile("x.csv", b"\xff\xfe\x00", content_type="text/csv")
    assert client.post("/departments/milkfed/societies/MND-001/upload/", {"file": binary}).status_code == 422
    assert not Collection.objects.exists()


def test_csv_upload_by_another_societys_secretary_is_refused(dairy: Dairy) -> None:
    today = timezone.localdate().isoformat()
    lines = [
        "member_id,date,shift,animal,litres,fat,snf",
        f"{dairy.karan.member.member_id},{today},morning,cow,5,3.6,8.5",
    ]
    answer = dairy.client(dairy.sita).post(
        "/departments/milkfed/societies/MND-002/upload/", {"file": _csv(lines)}
    )
    assert answer.status_code == 404
    assert not Collection.objects.exists()
