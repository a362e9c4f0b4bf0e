from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from himaccess.geography.lgd_import import ImportRejected, import_lgd
from himaccess.geography.models import Panchayat, Village

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PANCHAYATS = FIXTURES / "lgd_pri_local_bodies.csv"
VILLAGES = FIXTURES / "lgd_villages.csv"
VILLAGE_HEADER = VILLAGES.read_text(encoding="utf-8").splitlines()[0]


def _villages_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "villages.csv"
    path.write_text("\n".join([VILLAGE_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_import_creates_himachal_panchayats_and_villages_only(geography: dict[str, int]) -> None:
    report = import_lgd(panchayats=PANCHAYATS, villages=VILLAGES)

    assert (report.panchayats_created, report.villages_created) == (3, 4)
    assert report.other_state_rows == 3
    kotli = Panchayat.objects.get(pk=250101)
    assert (kotli.name_en, kotli.name_hi, kotli.district_id, kotli.block_id) == ("Kotli", "कोटली", 22, 182)
    village = Village.objects.get(lgd_code=900103)
    assert (village.name_en, village.source, village.tehsil_id, village.district_id) == (
        "Ner Chowk",
        "lgd",
        6947,
        22,
    )
    assert not Village.objects.filter(lgd_code=37001).exists()


def test_stand_ins_of_covered_districts_are_superseded_not_deleted(geography: dict[str, int]) -> None:
    stand_ins_before = Village.objects.filter(source=Village.Source.POST_OFFICE).count()
    report = import_lgd(villages=VILLAGES)

    covered = Village.objects.filter(source=Village.Source.POST_OFFICE, district_id__in=[15, 22])
    assert Village.objects.filter(source=Village.Source.POST_OFFICE).count() == stand_ins_before
    assert report.stand_ins_superseded == covered.count() > 0
    assert not covered.filter(superseded=False).exists()
    assert set(Village.objects.current().filter(district_id=22).values_list("source", flat=True)) == {"lgd"}
    assert Village.objects.current().filter(district_id=18, source=Village.Source.POST_OFFICE).exists()


def test_reference_reload_does_not_bring_stand_ins_back(geography: dict[str, int]) -> None:
    from himaccess.geography.loading import load_reference_geography

    import_lgd(villages=VILLAGES)
    load_reference_geography()
    assert not Village.objects.current().filter(district_id=22, source=Village.Source.POST_OFFICE).exists()


def test_importing_twice_updates_in_place(geography: dict[str, int]) -> None:
    import_lgd(panchayats=PANCHAYATS, villages=VILLAGES)
    again = import_lgd(panchayats=PANCHAYATS, villages=VILLAGES)
    assert (again.panchayats_created, again.panchayats_updated) == (0, 3)
    assert (again.villages_created, again.villages_updated) == (0, 4)
    assert Village.objects.filter(source=Village.Source.LGD).count() == 4


def test_bad_rows_are_reported_by_line_and_nothing_is_written(
    geography: dict[str, int], tmp_path: Path
) -> None:
    path = _villages_file(
        tmp_path,
        "2,HIMACHAL PRADESH,22,MANDI,133,Mandi,900101,1,KOTLI,,Rural,Inhabitant,,",
        "2,HIMACHAL PRADESH,22,MANDI,156,Bilaspur Sadar,900102,1,WRONG TEHSIL,,Rural,Inhabitant,,",
        "2,HIMACHAL PRADESH,99,NOWHERE,133,Mandi,900103,1,NO DISTRICT,,Rural,Inhabitant,,",
        "2,HIMACHAL PRADESH,22,MANDI,133,Mandi,abc,1,BAD CODE,,Rural,Inhabitant,,",
        "2,HIMACHAL PRADESH,22,MANDI,133,Mandi,900101,1,TWICE,,Rural,Inhabitant,,",
        "2,HIMACHAL PRADESH,22,MANDI,133,Mandi,900105,1,,,Rural,Inhabitant,,",
    )
    with pytest.raises(ImportRejected) as rejected:
        import_lgd(villages=path)

    assert [e.line for e in rejected.value.errors] == [3, 4, 5, 6, 7]
    assert "156" in rejected.value.errors[0].reason
    assert "99" in rejected.value.errors[1].reason
    assert "twice" in rejected.value.errors[3].reason
    assert not Village.objects.filter(source=Village.Source.LGD).exists()
    assert not Village.objects.filter(superseded=True).exists()


def test_command_prints_per_row_errors_and_fails(geography: dict[str, int], tmp_path: Path) -> None:
    path = _villages_file(
        tmp_path, "2,HIMACHAL PRADESH,22,MANDI,999,Nowhere,900101,1,KOTLI,,Rural,Inhabitant,,"
    )
    stderr = StringIO()
    with pytest.raises(CommandError, match="1 invalid rows"):
        call_command("import_lgd", "--villages", str(path), stderr=stderr)
    assert "villages.csv line 2:" in stderr.getvalue()
    assert not Village.objects.filter(source=Village.Source.LGD).exists()


def test_skip_invalid_imports_the_valid_rows(geography: dict[str, int], tmp_path: Path) -> None:
    path = _villages_file(
        tmp_path,
        "2,HIMACHAL PRADESH,22,MANDI,133,Mandi,900101,1,KOTLI,,Rural,Inhabitant,,",
        "2,HIMACHAL PRADESH,22,MANDI,999,Nowhere,900102,1,BAD,,Rural,Inhabitant,,",
    )
    stdout, stderr = StringIO(), StringIO()
    call_command("import_lgd", "--villages", str(path), "--skip-invalid", stdout=stdout, stderr=stderr)
    assert list(Village.objects.filter(source=Village.Source.LGD).values_list("lgd_code", flat=True)) == [
        900101
    ]
    assert "line 3" in stderr.getvalue()
    assert "1 created" in stdout.getvalue()


def test_panchayat_whose_district_panchayat_is_missing_is_rejected(
    geography: dict[str, int], tmp_path: Path
) -> None:
    lines = PANCHAYATS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "pri.csv"
    path.write_text("\n".join([lines[0], lines[5]]) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_lgd(panchayats=path)
    assert rejected.value.errors[0].line == 2
    assert not Panchayat.objects.exists()


def test_file_without_the_lgd_header_is_rejected(geography: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,code\nKotli,1\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_lgd(villages=path)
    assert "villagecode" in rejected.value.errors[0].reason


def test_command_needs_at_least_one_file(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("import_lgd")


def test_command_rejects_a_missing_file(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not a readable file"):
        call_command("import_lgd", "--villages", str(tmp_path / "absent.csv"))


def test_command_shows_reading_and_writing_progress_off_a_terminal(
    geography: dict[str, int], tmp_path: Path
) -> None:
    """Off a terminal (a log, a pipe) each stage ends with one line of its count, time and rate."""
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "import_lgd",
        "--panchayats",
        str(PANCHAYATS),
        "--villages",
        str(VILLAGES),
        stdout=stdout,
        stderr=stderr,
    )
    lines = stderr.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Lines read from lgd_pri_local_bodies.csv",
        "Lines read from lgd_villages.csv",
        "Panchayats written",
        "Villages written",
    ]
    assert "Villages written: 4 in " in stderr.getvalue()
    assert "\r" not in stderr.getvalue()
