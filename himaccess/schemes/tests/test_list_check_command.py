"""``himaccess schemes evaluate`` checks a CSV list without loading it into the register."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

HEADER = (
    "person_id,family_id,gender,date_of_birth,marital_status,disability_percent,bpl,annual_family_income,"
    "income_tax_payer,govt_employee,govt_pensioner,receives_social_pension,leprosy,district\n"
)
ROWS = [
    "p1,f1,F,1950-01-01,widowed,0,yes,40000,no,no,no,no,no,22",
    "p2,f1,M,1990-07-01,married,0,yes,40000,no,yes,no,no,no,22",
    "p3,f2,F,1985-02-30,married,0,no,0,no,no,no,no,no,22",  # impossible date
    "p4,f3,X,1985-01-01,married,0,no,0,no,no,no,no,no,22",  # bad gender
    "p5,f4,F,1995-03-03,married,0,no,0,no,no,no,no,no,21",
    "p6,f4",  # too few columns
]


def _run(tmp_path: Path, rows: list[str], *extra: str) -> tuple[list[dict[str, str]], str, str]:
    source = tmp_path / "people.csv"
    source.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    output = tmp_path / "decisions.csv"
    err = io.StringIO()
    out = io.StringIO()
    call_command(
        "schemes",
        "evaluate",
        "--input",
        str(source),
        "--output",
        str(output),
        "--on",
        "2025-06-15",
        *extra,
        stdout=out,
        stderr=err,
    )
    return list(csv.DictReader(output.open(encoding="utf-8"))), err.getvalue(), out.getvalue()


def test_good_rows_evaluated_bad_rows_reported_by_line(db: None, tmp_path: Path) -> None:
    rows, errors, summary = _run(tmp_path, ROWS)
    assert "line 4:" in errors and "date_of_birth" in errors
    assert "line 5:" in errors and "gender" in errors
    assert "line 7:" in errors
    people = {r["person_id"] for r in rows}
    assert people == {"p1", "p2", "p5"}
    assert len(rows) == 3 * 12
    p1 = {r["scheme_id"]: r for r in rows if r["person_id"] == "p1"}
    assert p1["old_age_pension_state"]["eligible"] == "true"
    assert p1["old_age_pension_state"]["monthly_amount"] == "1700"
    assert p1["ignoaps"]["eligible"] == "true"
    p2 = {r["scheme_id"]: r for r in rows if r["person_id"] == "p2"}
    assert p2["old_age_pension_state"]["eligible"] == "false"
    assert "Age" in p2["old_age_pension_state"]["reason"]
    # p5's family has no government employee: Pyari Behna holds for her
    p5 = {r["scheme_id"]: r for r in rows if r["person_id"] == "p5"}
    assert p5["pyari_behna_sukh_samman_nidhi"]["eligible"] == "true"
    assert p5["women_pension_1500"]["eligible"] == "true"  # Lahaul and Spiti
    assert "3 people evaluated" in summary


def test_family_attributes_come_from_rows_of_the_same_family(db: None, tmp_path: Path) -> None:
    rows, _errors, _summary = _run(
        tmp_path,
        [
            "a,fam,F,1990-01-01,married,0,no,0,no,no,no,no,no,22",
            "b,fam,M,1960-01-01,married,0,no,0,no,no,yes,no,no,22",
        ],
    )
    a = {r["scheme_id"]: r for r in rows if r["person_id"] == "a"}
    assert a["pyari_behna_sukh_samman_nidhi"]["eligible"] == "false"


def test_unknown_scheme_and_bad_header_are_refused_without_output(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="unknown scheme"):
        _run(tmp_path, ROWS[:1], "--scheme", "nope")
    assert not (tmp_path / "decisions.csv").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("person_id,gender\n1,F\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lacks these columns"):
        call_command("schemes", "evaluate", "--input", str(bad), "--output", str(tmp_path / "o.csv"))
    assert not (tmp_path / "o.csv").exists()
    with pytest.raises(CommandError, match="real date"):
        call_command(
            "schemes",
            "evaluate",
            "--input",
            str(bad),
            "--output",
            str(tmp_path / "o.csv"),
            "--on",
            "2025-02-30",
        )


def test_districts_and_genders_as_people_write_them(db: None, tmp_path: Path) -> None:
    """District names in English or Hindi in any case, or LGD codes; gender as codes or words."""
    rows, errors, _summary = _run(
        tmp_path,
        [
            "a,f1,female,1950-01-01,widowed,0,yes,40000,no,no,no,no,no,MANDI",
            "b,f2,महिला,1950-01-01,widowed,0,yes,40000,no,no,no,no,no,मण्डी",
            "c,f3,Male,1950-01-01,married,0,yes,40000,no,no,no,no,no,मंडी",
            "d,f4,पुरुष,1950-01-01,married,0,yes,40000,no,no,no,no,no,Lahaul & Spiti",
            "e,f5,T,1950-01-01,married,0,yes,40000,no,no,no,no,no,लाहौल और स्पीति",
            "f,f6,transgender,1950-01-01,married,0,yes,40000,no,no,no,no,no,kangra",
            "g,f7,F,1950-01-01,widowed,0,yes,40000,no,no,no,no,no,Atlantis",
        ],
        "--scheme",
        "old_age_pension_state",
    )
    assert {r["person_id"] for r in rows} == {"a", "b", "c", "d", "e", "f"}
    assert "line 8:" in errors and "Atlantis" in errors
    assert errors.count("line ") == 1


def test_a_list_with_no_good_row_says_so_and_writes_nothing(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No row of the list could be evaluated"):
        _run(tmp_path, ["x,f1,X,1950-01-01,widowed,0,yes,40000,no,no,no,no,no,99", "y,f2"])
    assert not (tmp_path / "decisions.csv").exists()


def test_reasons_say_what_is_not_met_in_sentences(db: None, tmp_path: Path) -> None:
    """A "not" in the rule reads positively in the list's reasons too: no "not:", no "Does not hold"."""
    rows, _errors, _summary = _run(
        tmp_path,
        ["p,f1,F,1950-01-01,widowed,0,yes,40000,no,no,no,yes,no,22"],
        "--scheme",
        "old_age_pension_state",
    )
    assert [r["reason"] for r in rows] == ["Not met: Does not receive another social-security pension"]
    met, _errors, _summary = _run(tmp_path, [ROWS[0]], "--scheme", "old_age_pension_state")
    assert [r["reason"] for r in met] == ["All conditions are met."]


def _refused(tmp_path: Path, content: bytes, match: str) -> str:
    """Run on raw bytes expecting a refusal (status 1, no output file); returns what went to stderr."""
    source = tmp_path / "people.csv"
    source.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError, match=match) as refused:
        call_command(
            "schemes",
            "evaluate",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "decisions.csv"),
            "--on",
            "2025-06-15",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert refused.value.returncode == 1
    assert not (tmp_path / "decisions.csv").exists()
    assert not list(tmp_path.glob("*.partial"))
    return err.getvalue()


def test_stray_spaces_and_any_case_in_header_district_and_gender(db: None, tmp_path: Path) -> None:
    header = " Person_ID ," + HEADER.split(",", 1)[1].replace("district", "DISTRICT ")
    source = tmp_path / "people.csv"
    source.write_text(
        header
        + "a,f1, f ,1950-01-01,widowed,0,yes,40000,no,no,no,no,no,  mandi \n"
        + "b,f2,M,1950-01-01,married,0,yes,40000,no,no,no,no,no,Lahaul   and  Spiti\n"
        + "c,f3, पुरुष ,1950-01-01,married,0,yes,40000,no,no,no,no,no, 22 \n"
        + "d,f4,t,1950-01-01,married,0,yes,40000,no,no,no,no,no,KANGRA\n"
        + "e,f5,FEMALE,1950-01-01,married,0,yes,40000,no,no,no,no,no,कांगड़ा\n",
        encoding="utf-8",
    )
    output = tmp_path / "decisions.csv"
    err = io.StringIO()
    call_command(
        "schemes", "evaluate", "--input", str(source), "--output", str(output),
        "--scheme", "old_age_pension_state", stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    assert {r["person_id"] for r in csv.DictReader(output.open(encoding="utf-8"))} == {
        "a",
        "b",
        "c",
        "d",
        "e",
    }
    assert "line " not in err.getvalue()


def test_an_empty_file_is_refused_as_empty(db: None, tmp_path: Path) -> None:
    _refused(tmp_path, b"", "The file is empty")
    _refused(tmp_path, b"\n\n", "The file is empty")


def test_a_header_without_rows_says_the_list_has_none(db: None, tmp_path: Path) -> None:
    _refused(tmp_path, HEADER.encode(), "no rows under its header")


def test_a_header_naming_a_column_twice_is_refused(db: None, tmp_path: Path) -> None:
    _refused(
        tmp_path, (HEADER.strip() + ",District\n" + ROWS[0] + ",23\n").encode(), "more than once: district"
    )


def test_a_wrong_header_names_what_it_lacks(db: None, tmp_path: Path) -> None:
    _refused(tmp_path, b"name,age\nAsha,47\n", "lacks these columns: person_id, family_id")


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "cp1252"])
def test_a_list_not_in_utf8_is_refused(db: None, tmp_path: Path, encoding: str) -> None:
    text = HEADER + ROWS[0].replace("22", "Mandé") + "\n"
    _refused(tmp_path, text.encode(encoding), "not UTF-8")


def test_control_characters_are_reported_by_line(db: None, tmp_path: Path) -> None:
    rows = [
        ROWS[0].replace("p1", "p\x001"),  # NUL
        ROWS[0].replace("p1", "p\x07x").replace("f1", "f9"),
        '"p\r3",f3,F,1950-01-01,widowed,0,yes,40000,no,no,no,no,no,22',  # a line break inside quotes
    ]
    errors = _refused(tmp_path, (HEADER + "\n".join(rows) + "\n").encode(), "Bad rows: 3")
    assert "line 2: person_id holds control characters" in errors
    assert "line 3: person_id holds control characters" in errors
    assert "line 5: person_id holds control characters" in errors  # the quoted row ends on line 5


def test_a_malformed_csv_line_is_reported_and_the_rest_evaluated(db: None, tmp_path: Path) -> None:
    rows, errors, summary = _run(
        tmp_path, ["x" * 200_000 + ",f1,F,1950-01-01,widowed,0,no,0,no,no,no,no,no,22", ROWS[0]]
    )
    assert "line 2: not a well-formed CSV row" in errors
    assert {r["person_id"] for r in rows} == {"p1"}
    assert "1 people evaluated" in summary


def test_absurd_dates_and_numbers_are_reported_by_line(db: None, tmp_path: Path) -> None:
    rows, errors, _summary = _run(
        tmp_path,
        [
            "a,f1,F,99999-01-01,widowed,0,yes,40000,no,no,no,no,no,22",
            "b,f1,F,0001-01-01,widowed,0,yes,40000,no,no,no,no,no,22",
            "c,f1,F,1e400,widowed,0,yes,40000,no,no,no,no,no,22",
            "d,f1,F,2999-01-01,widowed,0,yes,40000,no,no,no,no,no,22",
            "e,f1,F,1950-01-01,widowed,²,yes,40000,no,no,no,no,no,22",
            "f,f1,F,1950-01-01,widowed,0,yes,99999999999999999999,no,no,no,no,no,22",
            ROWS[0],
        ],
        "--scheme",
        "old_age_pension_state",
    )
    assert "line 2: date_of_birth must be a real date" in errors
    assert "line 3: date_of_birth 0001-01-01 is impossible" in errors
    assert "line 4: date_of_birth must be a real date" in errors
    assert "line 5: date_of_birth 2999-01-01 is impossible" in errors
    assert "line 6: disability_percent must be a whole number" in errors
    assert "line 7: annual_family_income must be a whole number" in errors
    assert {r["person_id"] for r in rows} == {"p1"}


def test_blank_lines_do_not_shift_the_line_numbers(db: None, tmp_path: Path) -> None:
    _rows, errors, _summary = _run(tmp_path, ["", ROWS[0], "", ROWS[3]])
    assert errors.count("line ") == 1 and "line 5:" in errors  # header, blank, good, blank, bad


def test_a_folder_or_a_missing_output_folder_is_refused(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("schemes", "evaluate", "--input", str(tmp_path), "--output", str(tmp_path / "o.csv"))
    source = tmp_path / "people.csv"
    source.write_text(HEADER + ROWS[0] + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="existing directory"):
        call_command(
            "schemes", "evaluate", "--input", str(source), "--output", str(tmp_path / "no" / "o.csv")
        )
    with pytest.raises(CommandError, match="existing directory"):
        call_command("schemes", "evaluate", "--input", str(source), "--output", str(tmp_path))


def test_progress_is_reported_off_a_terminal_as_final_lines(db: None, tmp_path: Path) -> None:
    _rows, errors, _summary = _run(tmp_path, ROWS[:2])
    assert "Lines checked: 2 in " in errors
    assert "People evaluated: 2 in " in errors
