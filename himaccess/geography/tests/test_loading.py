from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from himaccess.geography.loading import DATA_DIR, load_reference_geography, locality_name, title_case
from himaccess.geography.models import Block, District, PostOffice, Tehsil, UrbanBody, Village

pytestmark = pytest.mark.django_db


def _rows(name: str) -> int:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_counts_match_the_shipped_files(geography: dict[str, int]) -> None:
    assert District.objects.count() == _rows("hp_lgd_districts.csv") == 12
    assert Tehsil.objects.count() == _rows("hp_lgd_subdistricts_tehsils.csv") == 177
    assert Block.objects.count() == _rows("hp_lgd_blocks.csv") == 87
    assert UrbanBody.objects.count() == _rows("hp_lgd_urban_local_bodies.csv") == 68
    assert PostOffice.objects.count() == _rows("hp_post_offices_pincodes.csv") == 2811
    assert geography["post_offices_placed_by_pincode"] == 4
    assert geography["post_offices_skipped"] == 0
    assert geography["villages"] == Village.objects.filter(source=Village.Source.POST_OFFICE).count()


def test_running_twice_creates_nothing_new(geography: dict[str, int]) -> None:
    before = {
        m.__name__: m.objects.count() for m in (District, Tehsil, Block, UrbanBody, PostOffice, Village)
    }
    again = load_reference_geography()
    after = {m.__name__: m.objects.count() for m in (District, Tehsil, Block, UrbanBody, PostOffice, Village)}
    assert again == geography
    assert after == before


def test_second_run_restores_edited_names(geography: dict[str, int]) -> None:
    Tehsil.objects.filter(pk=156).update(name_en="wrong")
    District.objects.filter(pk=22).update(name_hi="")
    load_reference_geography()
    assert Tehsil.objects.get(pk=156).name_en == "Bilaspur Sadar"
    assert District.objects.get(pk=22).name_hi == "मण्डी"


def test_districts_carry_hindi_names_and_census_population(geography: dict[str, int]) -> None:
    mandi = District.objects.get(pk=22)
    assert (mandi.name_en, mandi.name_hi, mandi.population_2011) == ("Mandi", "मण्डी", 999777)
    assert sum(District.objects.values_list("population_2011", flat=True)) == 6864602


def test_names_are_title_cased(geography: dict[str, int]) -> None:
    assert Block.objects.get(pk=135).name_en == "Bilaspur Sadar"
    assert Tehsil.objects.get(pk=156).name_en == "Bilaspur Sadar"
    assert Tehsil.objects.get(pk=182).name_en == "Shimla (Urban)"
    assert District.objects.get(pk=21).name_en == "Lahul and Spiti"


def test_urban_bodies_get_district_tehsil_and_himachal_kind(geography: dict[str, int]) -> None:
    shimla = UrbanBody.objects.get(pk=248248)
    assert (shimla.district_id, shimla.tehsil_id, shimla.kind) == (23, 182, "municipal_corporation")
    assert UrbanBody.objects.get(pk=248242).kind == UrbanBody.Kind.MUNICIPAL_COUNCIL  # LGD "Municipality"
    assert UrbanBody.objects.get(pk=297009).kind == UrbanBody.Kind.NAGAR_PANCHAYAT  # LGD "Town Panchayat"


def test_post_office_without_district_is_placed_by_its_pincode(geography: dict[str, int]) -> None:
    assert PostOffice.objects.get(name="Panjoh", pincode="176314").district_id == 16


def test_stand_in_villages_are_named_after_localities(geography: dict[str, int]) -> None:
    village = Village.objects.get(district_id=15, name_en="Bamta")
    assert (village.source, village.pincode, village.lgd_code) == (Village.Source.POST_OFFICE, "174001", None)
    assert not Village.objects.filter(name_en__endswith=" BO").exists()


def test_urban_body_missing_from_coverage_is_placed_by_tehsil_name(tmp_path: Path) -> None:
    for source in DATA_DIR.glob("*.csv"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    coverage = tmp_path / "hp_lgd_ulb_coverage.csv"
    lines = coverage.read_text(encoding="utf-8").splitlines(keepends=True)
    coverage.write_text("".join(line for line in lines if not line.startswith("248240,")), encoding="utf-8")

    counts = load_reference_geography(tmp_path)

    arki = UrbanBody.objects.get(pk=248240)
    assert counts["urban_bodies_placed_by_name"] == 1
    assert (arki.district_id, arki.tehsil_id) == (25, 158)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("BILASPUR SADAR", "Bilaspur Sadar"),
        ("Shimla ( Rural )", "Shimla (Rural)"),
        ("LAHUL AND SPITI", "Lahul and Spiti"),
        ("Baijnath-paprola", "Baijnath-Paprola"),
    ],
)
def test_title_case(raw: str, expected: str) -> None:
    assert title_case(raw) == expected


@pytest.mark.parametrize(
    ("office", "expected"),
    [
        ("Bamta BO", "Bamta"),
        ("Kalol SO Bilaspur HP", "Kalol"),
        ("Karian B.O", "Karian"),
        ("BaragBO", "Barag"),
        ("Barog RSBO", "Barog"),
        ("KEYLONG", "Keylong"),
        ("Dalhousie cantt", "Dalhousie cantt"),
        ("AIIMS Bilaspur SO", "AIIMS Bilaspur"),
    ],
)
def test_locality_name_drops_office_suffix(office: str, expected: str) -> None:
    assert locality_name(office) == expected


def test_load_geography_command_prints_counts(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_geography")
    assert "tehsils: 177" in capsys.readouterr().out
