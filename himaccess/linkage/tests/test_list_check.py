"""``himaccess linkage pairs``: candidate duplicate pairs of a CSV list, bad rows reported by line."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

HEADER = "record_id,name,father_or_spouse_name,gender,date_of_birth,district,village,mobile\n"
GOOD = (
    "A1,Rakesh Sharma,Mohan Lal Sharma,M,1980-06-14,22,Bhiuli,9816011111\n"
    "A2,राकेश शर्मा,M. L. Sharma,पुरुष,14/06/1980,मंडी,bhiuli,\n"  # the same man: other script, initials
    "B1,Sunita Devi,Ram Chand,F,1975-03-02,Kangra,Dharamshala,9816022222\n"
    "B2,Sunita Devi,Ram Chand,female,1975-02-03,18,Dharamshala,9816022222\n"  # day and month swapped
    "C1,Anil Kumar,Prem Singh,M,1999-09-09,Shimla,Theog,9816033333\n"
    "C2,Sunil Kumar,Prem Singh,M,1999-09-09,Shimla,Theog,9816033333\n"  # his twin
    "D1,Vijay Thakur,Hari Ram,M,1960,Una,Amb,\n"
    "D2,Vijay Thakur,Hari Ram,M,1960-08-15,26,Amb,9816044444\n"  # year only
    "E1,Pawan Kumar,Des Raj,M,1990-01-15,Mandi,Sundernagar,9816055555\n"
    "E2,Pawan Kumar,Roshan Lal,M,1984-11-30,Mandi,Gohar,9816066666\n"  # a namesake
)


def _run(tmp_path: Path, text: str, *args: str) -> tuple[list[dict[str, str]], str, str]:
    source = tmp_path / "people.csv"
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "pairs.csv"
    out, err = StringIO(), StringIO()
    call_command(
        "linkage", "pairs", "--input", str(source), "--output", str(target), *args, stdout=out, stderr=err
    )
    with target.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle)), out.getvalue(), err.getvalue()


def _pairs(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {
        (r["record_id_l"], r["record_id_r"])
        if r["record_id_l"] < r["record_id_r"]
        else (r["record_id_r"], r["record_id_l"])
        for r in rows
    }


def test_duplicates_found_twins_and_namesakes_kept_apart(tmp_path: Path, db: Any) -> None:
    rows, out, err = _run(tmp_path, HEADER + GOOD)
    assert _pairs(rows) == {("A1", "A2"), ("B1", "B2"), ("D1", "D2")}
    assert all(float(r["match_probability"]) >= 0.5 for r in rows)
    assert "10 people read, 0 rows skipped, 3 pairs written" in out
    assert err == ""


def test_threshold_is_respected(tmp_path: Path, db: Any) -> None:
    rows, _, _ = _run(tmp_path, HEADER + GOOD, "--threshold", "1")
    assert all(float(r["match_probability"]) >= 1 for r in rows)


def test_bad_rows_reported_by_line_and_the_rest_scored(tmp_path: Path, db: Any) -> None:
    bad = (
        "X1,,Ram,M,1980-01-02,22,a,\n"  # line 12: empty name
        "X2,Ram Lal,Shyam,M,2023-02-30,22,a,\n"  # impossible date
        "X3,Ram Lal,Shyam,M,2990-01-01,22,a,\n"  # future
        "X4,Ram Lal,Shyam,Q,1980-01-02,22,a,\n"  # unknown gender
        "X5,Ram Lal,Shyam,M,1980-01-02,Atlantis,a,\n"  # unknown district
        "X6,Ram Lal,Shyam,M,1980-01-02,22\n"  # too few fields
        "X7,Ram\x00Lal,Shyam,M,1980-01-02,22,a,\n"  # control character
        "X8,Ram Lal,Shyam,M,1980-01-02,22,a,12345\n"  # not a mobile
        "A1,Ram Lal,Shyam,M,1980-01-02,22,a,\n"  # repeated id
        '"X9,Ram Lal,Shyam,M,1980-01-02,22,a,\n'  # unterminated quote
    )
    rows, _out, err = _run(tmp_path, HEADER + GOOD + bad)
    assert _pairs(rows) == {("A1", "A2"), ("B1", "B2"), ("D1", "D2")}
    for line, reason in [
        (12, "empty name"),
        (13, "impossible date"),
        (14, "future"),
        (15, "unknown gender"),
        (16, "unknown district"),
        (17, "6 fields, expected 8"),
        (18, "control characters"),
        (19, "mobile"),
        (20, "repeated"),
    ]:
        assert f"line {line} skipped" in err and reason in err, (line, reason, err)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the file is empty"), ("record_id,name\nA,B\n", "missing columns")],
)
def test_unusable_files_say_why(tmp_path: Path, db: Any, text: str, message: str) -> None:
    rows, _, err = _run(tmp_path, text)
    assert rows == []
    assert message in err


def test_not_utf8_and_missing_file_are_command_errors(tmp_path: Path, db: Any) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes(HEADER.encode() + "A1,Jos\xe9,x,M,1980-01-02,22,a,\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("linkage", "pairs", "--input", str(source), "--output", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "linkage", "pairs", "--input", str(tmp_path / "none.csv"), "--output", str(tmp_path / "o.csv")
        )


@pytest.mark.parametrize("threshold", ["0", "1.5", "high", "-1"])
def test_absurd_threshold_refused(tmp_path: Path, db: Any, threshold: str) -> None:
    source = tmp_path / "people.csv"
    source.write_text(HEADER + GOOD, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "linkage",
            "pairs",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "o.csv"),
            "--threshold",
            threshold,
        )
