from __future__ import annotations

import pytest
from django.test import Client

from himaccess.geography.models import Village

pytestmark = pytest.mark.django_db

BASE = "/api/v1/geography"


def test_districts_are_listed_in_both_scripts(client: Client, geography: dict[str, int]) -> None:
    response = client.get(f"{BASE}/districts")
    assert response.status_code == 200
    mandi = next(d for d in response.json() if d["code"] == 22)
    assert (mandi["name_en"], mandi["name_hi"], mandi["name"]) == ("Mandi", "मण्डी", "Mandi")
    assert len(response.json()) == 12


def test_name_follows_the_request_language(client: Client, geography: dict[str, int]) -> None:
    response = client.get(f"{BASE}/districts/22", headers={"accept-language": "hi"})
    assert response.json()["name"] == "मण्डी"


def test_tehsils_blocks_and_urban_bodies_of_a_district(client: Client, geography: dict[str, int]) -> None:
    tehsils = client.get(f"{BASE}/districts/15/tehsils").json()
    blocks = client.get(f"{BASE}/districts/15/blocks").json()
    bodies = client.get(f"{BASE}/districts/23/urban-bodies").json()
    assert "Bilaspur Sadar" in {t["name_en"] for t in tehsils}
    assert "Bilaspur Sadar" in {b["name_en"] for b in blocks}
    shimla = next(b for b in bodies if b["code"] == 248248)
    assert (shimla["kind"], shimla["tehsil_code"]) == ("municipal_corporation", 182)


def test_villages_of_a_district_can_be_narrowed_by_name(client: Client, geography: dict[str, int]) -> None:
    everything = client.get(f"{BASE}/districts/15/villages").json()
    narrowed = client.get(f"{BASE}/districts/15/villages", {"q": "bam"}).json()
    assert len(everything) == Village.objects.filter(district_id=15).count()
    assert [v["name_en"] for v in narrowed] == ["Bamta"]
    assert narrowed[0]["source"] == "post_office"


def test_panchayats_of_a_district_are_empty_before_an_import(
    client: Client, geography: dict[str, int]
) -> None:
    response = client.get(f"{BASE}/districts/22/panchayats")
    assert (response.status_code, response.json()) == (200, [])


@pytest.mark.parametrize("suffix", ["", "/tehsils", "/blocks", "/urban-bodies", "/panchayats", "/villages"])
def test_unknown_district_code_is_404_with_a_message(
    client: Client, geography: dict[str, int], suffix: str
) -> None:
    response = client.get(f"{BASE}/districts/999{suffix}")
    assert response.status_code == 404
    assert "999" in response.json()["detail"]


def test_unknown_district_message_is_in_hindi_for_hindi_readers(
    client: Client, geography: dict[str, int]
) -> None:
    response = client.get(f"{BASE}/districts/999", headers={"accept-language": "hi"})
    assert response.status_code == 404
    assert "ज़िला" in response.json()["detail"]


def test_non_numeric_district_code_is_a_client_error(client: Client, geography: dict[str, int]) -> None:
    assert client.get(f"{BASE}/districts/mandi").status_code in (404, 422)


def test_pincode_lookup_names_its_district(client: Client, geography: dict[str, int]) -> None:
    response = client.get(f"{BASE}/pincodes/175001")
    assert response.status_code == 200
    assert [d["name_en"] for d in response.json()["districts"]] == ["Mandi"]
    assert response.json()["post_offices"]


def test_pincode_serving_two_districts_names_both(client: Client, geography: dict[str, int]) -> None:
    response = client.get(f"{BASE}/pincodes/175106")
    assert {d["name_en"] for d in response.json()["districts"]} == {"Kullu", "Mandi"}


def test_unknown_pincode_is_404(client: Client, geography: dict[str, int]) -> None:
    response = client.get(f"{BASE}/pincodes/177999")
    assert response.status_code == 404
    assert "177999" in response.json()["detail"]


@pytest.mark.parametrize("value", ["17500", "abcdef", "110001"])
def test_malformed_or_foreign_pincode_is_400(client: Client, geography: dict[str, int], value: str) -> None:
    response = client.get(f"{BASE}/pincodes/{value}")
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "address",
    [
        "/districts/22/panchayats?block=-15222729390150286544207872",
        "/districts/22/panchayats?block=0",
        "/districts/99999999999999999999/tehsils",
        "/districts/22/villages?tehsil=2147483648",
        "/districts/22/villages?panchayat=-1",
    ],
)
def test_absurd_lgd_codes_are_422_not_an_overflow(
    client: Client, geography: dict[str, int], address: str
) -> None:
    response = client.get(f"{BASE}{address}", headers={"accept-language": "hi"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
