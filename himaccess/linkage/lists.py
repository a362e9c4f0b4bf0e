"""The list check: candidate duplicate pairs in a CSV of people, without the register.

Input columns: ``record_id, name, father_or_spouse_name, gender,
date_of_birth, district, village, mobile``. Names in either script; gender as
M/F/T or a word in English or Hindi; district as an LGD code or a name in
English or Hindi; mobile may be empty. A row that cannot be read is reported
by its line number with the reason and left out; the rest are scored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import duckdb

from himaccess.geography.models import District
from himaccess.lib.mobile import is_mobile, normalise_mobile
from himaccess.lib.phonetics import name_key
from himaccess.linkage import model as linkage_model
from himaccess.linkage.records import LinkageRecord, make_record

REQUIRED = (
    "record_id",
    "name",
    "father_or_spouse_name",
    "gender",
    "date_of_birth",
    "district",
    "village",
    "mobile",
)
DEFAULT_THRESHOLD = 0.5
MAX_FIELD = 200

GENDERS = {
    "m": "M", "male": "M", "man": "M", "purush": "M", "पुरुष": "M", "पु": "M", "nar": "M",
    "f": "F", "female": "F", "woman": "F", "mahila": "F", "stri": "F", "महिला": "F", "स्त्री": "F", "म": "F",
    "t": "T", "transgender": "T", "third gender": "T", "ट्रांसजेंडर": "T", "किन्नर": "T", "तृतीय लिंग": "T",
}  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})$"),
)


@dataclass
class Problem:
    line: int
    reason: str


@dataclass
class ReadResult:
    records: list[LinkageRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _place_key(name: str) -> str:
    # मंडी and मण्डी, Chamba and चम्बा: one phonetic key.
    return "~" + name_key(re.sub(r"\s+", "", name))


def district_lookup() -> dict[str, int]:
    """District codes by LGD code, and by the phonetic key of the English and Hindi names."""
    lookup: dict[str, int] = {}
    for code, name_en, name_hi in District.objects.values_list("lgd_code", "name_en", "name_hi"):
        lookup[str(code)] = code
        for name in (name_en, name_hi):
            if name:
                lookup[_place_key(name)] = code
    return lookup


def find_district(value: str, districts: dict[str, int]) -> int | None:
    return districts.get(value) or districts.get(_place_key(value))


def parse_date(text: str, today: date) -> tuple[date | None, int | None, str]:
    """(full date, year alone, reason if impossible). A lone year is a year-only date."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        if 1900 <= year <= today.year:
            return None, year, ""
        return None, None, "impossible year"
    for pattern in _DATE_FORMATS:
        match = pattern.match(text)
        if match:
            try:
                born = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None, None, "impossible date"
            if born.year < 1900 or born > today:
                return None, None, "date before 1900 or in the future"
            return born, None, ""
    return None, None, "date not in YYYY-MM-DD, DD/MM/YYYY or YYYY form"


def read_people(handle: IO[str], *, districts: dict[str, int], today: date) -> ReadResult:
    result = ReadResult()
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        result.problems.append(Problem(1, "the file is empty"))
        return result
    except csv.Error as exc:
        result.problems.append(Problem(1, f"unreadable header: {exc}"))
        return result
    header = [h.strip().lstrip("\ufeff").lower() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.problems.append(Problem(1, "missing columns: " + ", ".join(missing)))
        return result
    position = {c: header.index(c) for c in REQUIRED}
    seen: set[str] = set()
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.problems.append(Problem(reader.line_num, f"malformed CSV: {exc}"))
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            result.problems.append(Problem(line, f"{len(row)} fields, expected {len(header)}"))
            continue
        record, reason = _record(row, position, districts, today)
        if record is None:
            result.problems.append(Problem(line, reason))
        elif record.unique_id in seen:
            result.problems.append(Problem(line, f"record_id {record.unique_id} repeated"))
        else:
            seen.add(record.unique_id)
            result.records.append(record)
    return result


def read_rows(rows: Iterable[Mapping[str, str]], *, districts: dict[str, int], today: date) -> ReadResult:
    """Rows with the CSV's columns (``REQUIRED``), read as ``read_people`` reads the file they would make."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=REQUIRED)
    writer.writeheader()
    writer.writerows(rows)
    text.seek(0)
    return read_people(text, districts=districts, today=today)


def _record(
    row: list[str], position: dict[str, int], districts: dict[str, int], today: date
) -> tuple[LinkageRecord | None, str]:
    values = {c: row[i].strip() for c, i in position.items()}
    for column, value in values.items():
        if len(value) > MAX_FIELD:
            return None, f"{column} longer than {MAX_FIELD} characters"
        if _CONTROL.search(value):
            return None, f"{column} contains control characters"
    if not values["record_id"]:
        return None, "empty record_id"
    if not values["name"]:
        return None, "empty name"
    gender = GENDERS.get(values["gender"].lower()) if values["gender"] else ""
    if gender is None:
        return None, f"unknown gender {values['gender']!r}"
    district: int | None = None
    if values["district"]:
        district = find_district(values["district"], districts)
        if district is None:
            return None, f"unknown district {values['district']!r}"
    born, year, reason = (
        parse_date(values["date_of_birth"], today) if values["date_of_birth"] else (None, None, "")
    )
    if reason:
        return None, reason
    mobile = normalise_mobile(values["mobile"])
    if mobile and not is_mobile(mobile):
        return None, "mobile is not a 10-digit Indian mobile number"
    record = make_record(
        values["record_id"],
        name=values["name"],
        father_name=values["father_or_spouse_name"],
        gender=gender,
        born=born,
        born_year=year,
        district=district,
        village=values["village"].lower() or None,
        mobile=mobile,
    )
    if record.given_key is None:
        return None, "name has no letters"
    return record, ""


def candidate_pairs(
    records: Iterable[LinkageRecord], model: dict[str, Any], *, threshold: float
) -> Iterator[tuple[str, str, float]]:
    """(record_id_l, record_id_r, match_probability) at or above ``threshold``."""
    con = duckdb.connect()
    try:
        linkage_model.create_table(con, "people", list(records))
        if not con.execute("SELECT count(*) FROM people").fetchall()[0][0]:
            return
        _, table = linkage_model.predict(con, "people", model, threshold=threshold)
        cursor = con.execute(
            f"SELECT unique_id_l, unique_id_r, match_probability FROM {table} "  # noqa: S608 - Splink's own table
            "WHERE match_probability >= ? ORDER BY unique_id_l, unique_id_r",
            [threshold],
        )
        while batch := cursor.fetchmany(10_000):
            yield from ((str(a), str(b), float(p)) for a, b, p in batch)
    finally:
        con.close()
