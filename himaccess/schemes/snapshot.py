"""Population runs on DuckDB: a columnar snapshot of the register, and list checks from a CSV.

Both build the same ``people`` relation (one row per living person, the
family attributes joined from a per-family aggregate) and evaluate the rules
compiled by ``vocabulary.to_duck``: one pass over the data for all schemes.

1. ``export_snapshot(path)`` writes the living members of the register to a
   Parquet file (PostgreSQL streams them out with COPY; SQLite is read in
   chunks), with department facts and sanctioned pensions already joined.
2. ``counts(snapshot, versions, on)`` counts eligible people per scheme and
   district.
3. ``evaluate_csv(input, output, versions, on)`` checks a list of people who
   are not in the register (``himaccess schemes evaluate``); bad rows are
   reported by line and the rest are evaluated.
"""

# ruff: noqa: S608
# DuckDB and export SQL is assembled here from validated rule trees only: literals pass through
# vocabulary._sql_literal (integers, booleans, dates, and codes of letters, digits and "_"), file
# paths through _quote, and no text from a CSV or a user ever reaches a query string.
from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from django.db import connection
from django.utils.translation import gettext as _

from himaccess.geography.names import district_code
from himaccess.lib import rules
from himaccess.lib.progress import NOWHERE, Progress
from himaccess.registry.models import MaritalStatus, Member, Occupation
from himaccess.registry.validators import gender_code
from himaccess.schemes import eligibility
from himaccess.schemes.models import Enrolment, MemberFact, RuleVersion, Scheme
from himaccess.schemes.vocabulary import Context, to_duck

# The base columns every people relation has, with their DuckDB types.
BASE_COLUMNS = {
    "line": "BIGINT",
    "person_id": "VARCHAR",
    "family_id": "VARCHAR",
    "district": "INTEGER",
    "gender": "VARCHAR",
    "date_of_birth": "DATE",
    "marital_status": "VARCHAR",
    "disability_percent": "INTEGER",
    "bpl": "BOOLEAN",
    "annual_income": "BIGINT",
    "annual_family_income": "BIGINT",
    "govt_employee": "BOOLEAN",
    "govt_pensioner": "BOOLEAN",
    "income_tax_payer": "BOOLEAN",
    "leprosy": "BOOLEAN",
    "child_of_the_state": "BOOLEAN",
    "pension_schemes": "VARCHAR",  # '|'-separated scheme ids of sanctioned social-security pensions
}

PEOPLE_VIEW = """
CREATE OR REPLACE TEMP VIEW people AS
SELECT b.*,
       list_filter(string_split(coalesce(b.pension_schemes, ''), '|'), lambda x: x <> '') AS pension_list,
       f.family_income, f.family_has_govt_pensioner, f.family_has_govt_employee_or_pensioner
FROM base b JOIN (
    SELECT family_id,
           coalesce(max(annual_family_income), sum(annual_income)) AS family_income,
           bool_or(govt_pensioner) AS family_has_govt_pensioner,
           bool_or(govt_employee OR govt_pensioner) AS family_has_govt_employee_or_pensioner
    FROM base GROUP BY family_id
) f USING (family_id)
"""


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _people_sql(con: duckdb.DuckDBPyConnection, source_sql: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP VIEW base AS {source_sql}")
    con.execute(PEOPLE_VIEW)


def condition(version: RuleVersion, on: date) -> str:
    scheme = version.scheme
    ctx = Context(on=on, scheme_pk=scheme.pk, scheme_id=scheme.scheme_id)
    return to_duck(version.rule, ctx)


# --------------------------------------------------------------- snapshot


def _export_query() -> str:
    member = Member._meta.db_table
    family = "registry_family"
    fact = MemberFact._meta.db_table
    enrolment = Enrolment._meta.db_table
    scheme = Scheme._meta.db_table
    concat = (
        "string_agg(s.scheme_id, '|')"
        if connection.vendor == "postgresql"
        else "group_concat(s.scheme_id, '|')"
    )
    true, false = ("TRUE", "FALSE") if connection.vendor == "postgresql" else ("1", "0")
    return f"""
SELECT m.id, m.member_id, f.family_id, f.district_id, m.gender, m.date_of_birth, m.marital_status,
       m.disability_percent, m.is_bpl, m.annual_income,
       CASE WHEN m.occupation = '{Occupation.GOVERNMENT_JOB}' THEN {true} ELSE {false} END,
       CASE WHEN m.occupation = '{Occupation.PENSIONER}' THEN {true} ELSE {false} END,
       CASE WHEN fx.income_tax_payer > 0 THEN {true} ELSE {false} END,
       CASE WHEN fx.leprosy > 0 THEN {true} ELSE {false} END,
       CASE WHEN fx.child_of_the_state > 0 THEN {true} ELSE {false} END,
       p.schemes
FROM {member} m
JOIN {family} f ON f.id = m.family_id
LEFT JOIN (
    SELECT member_id,
           MAX(CASE WHEN attribute = 'income_tax_payer' AND value THEN 1 ELSE 0 END) AS income_tax_payer,
           MAX(CASE WHEN attribute = 'leprosy' AND value THEN 1 ELSE 0 END) AS leprosy,
           MAX(CASE WHEN attribute = 'child_of_the_state' AND value THEN 1 ELSE 0 END) AS child_of_the_state
    FROM {fact} GROUP BY member_id
) fx ON fx.member_id = m.id
LEFT JOIN (
    SELECT e.member_id, {concat} AS schemes
    FROM {enrolment} e JOIN {scheme} s ON s.id = e.scheme_id
    WHERE e.status = 'sanctioned' AND s.is_social_security_pension
    GROUP BY e.member_id
) p ON p.member_id = m.id
WHERE m.life_status = 'living'
"""


SNAPSHOT_COLUMNS = [c for c in BASE_COLUMNS if c != "annual_family_income"]


def export_snapshot(path: Path, *, threads: int | None = None) -> int:
    """Write the living members to ``path`` (Parquet); returns the number of rows."""
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "members.csv"
        query = _export_query()
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor, open(staging, "wb") as out:
                raw = cursor.cursor  # psycopg 3 cursor: COPY streams without building rows in Python
                with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                    for block in copy:
                        out.write(block)
        else:
            with connection.cursor() as cursor, open(staging, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                cursor.execute(query)
                while rows := cursor.fetchmany(50_000):
                    writer.writerows(rows)
        con = connect(threads)
        columns = {name: BASE_COLUMNS[name] for name in SNAPSHOT_COLUMNS}
        spec = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
        con.execute(
            f"COPY (SELECT * FROM read_csv('{_quote(staging)}', header=false, "
            f"columns={{{spec}}}, nullstr='')) TO '{_quote(path)}' (FORMAT parquet)"
        )
        count = con.execute(f"SELECT count(*) FROM '{_quote(path)}'").fetchone()
        con.close()
    return int(count[0]) if count else 0


def _quote(path: Path | str) -> str:
    return str(path).replace("'", "''")


def open_snapshot(path: Path, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    con = connect(threads)
    _people_sql(con, f"SELECT *, NULL::BIGINT AS annual_family_income FROM read_parquet('{_quote(path)}')")
    return con


def counts(
    con: duckdb.DuckDBPyConnection, versions: Sequence[RuleVersion], on: date
) -> dict[str, dict[int, int]]:
    """Eligible people per scheme and district, all schemes in one pass."""
    if not versions:
        return {}
    columns = ", ".join(f"count(*) FILTER (WHERE {condition(v, on)}) AS s{i}" for i, v in enumerate(versions))
    rows = con.execute(f"SELECT district, {columns} FROM people GROUP BY district").fetchall()
    found: dict[str, dict[int, int]] = {v.scheme.scheme_id: {} for v in versions}
    for row in rows:
        for i, version in enumerate(versions):
            if row[i + 1]:
                found[version.scheme.scheme_id][row[0]] = row[i + 1]
    return found


def eligible_ids(con: duckdb.DuckDBPyConnection, version: RuleVersion, on: date) -> set[str]:
    return {
        r[0] for r in con.execute(f"SELECT person_id FROM people WHERE {condition(version, on)}").fetchall()
    }


# ---------------------------------------------------------------- CSV


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


REQUIRED = (
    "person_id",
    "family_id",
    "gender",
    "date_of_birth",
    "marital_status",
    "disability_percent",
    "bpl",
    "annual_family_income",
    "income_tax_payer",
    "govt_employee",
    "govt_pensioner",
    "receives_social_pension",
    "leprosy",
    "district",
)
OPTIONAL = ("child_of_the_state",)
YES = {"yes", "y", "true", "1", "हाँ"}
NO = {"no", "n", "false", "0", "नहीं", ""}


# Control characters (tab, line breaks and NUL among them) have no place inside a cell of the list.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class BadHeader(ValueError):
    pass


class NoValidRows(ValueError):
    """Every row of the list was bad, or it had none: nothing to evaluate, nothing written."""

    def __init__(self, errors: list[RowError]) -> None:
        if errors:
            super().__init__(_("No row of the list could be evaluated."))
        else:
            super().__init__(_("The list has no rows under its header."))
        self.errors = errors


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(_("%(column)s must be yes or no, not %(value)s") % {"column": name, "value": raw[:20]})


def _clean(row: dict[str, str], on: date) -> list[Any]:
    """A CSV row as the base columns, or ValueError naming the first bad column."""
    person_id = (row.get("person_id") or "").strip()
    family_id = (row.get("family_id") or "").strip()
    if not person_id or len(person_id) > 64:
        raise ValueError(_("person_id is required (at most 64 characters)"))
    if not family_id or len(family_id) > 64:
        raise ValueError(_("family_id is required (at most 64 characters)"))
    gender = gender_code(row["gender"])
    try:
        born = date.fromisoformat(row["date_of_birth"].strip())
    except ValueError:
        raise ValueError(
            _("date_of_birth must be a real date as YYYY-MM-DD, not %(value)s")
            % {"value": row["date_of_birth"][:20]}
        ) from None
    if born > on or born.year < on.year - 130:
        raise ValueError(_("date_of_birth %(value)s is impossible on %(on)s") % {"value": born, "on": on})
    marital = row["marital_status"].strip().lower()
    if marital not in MaritalStatus.values:
        raise ValueError(
            _("marital_status must be one of %(choices)s") % {"choices": ", ".join(MaritalStatus.values)}
        )
    disability = _int(row, "disability_percent", 0, 100)
    income = _int(row, "annual_family_income", 0, 10**10)
    district = district_code(row["district"])
    pension = _flag("receives_social_pension", row["receives_social_pension"])
    return [
        0,
        person_id,
        family_id,
        district,
        gender,
        born,
        marital,
        disability,
        _flag("bpl", row["bpl"]),
        0,
        income,
        _flag("govt_employee", row["govt_employee"]),
        _flag("govt_pensioner", row["govt_pensioner"]),
        _flag("income_tax_payer", row["income_tax_payer"]),
        _flag("leprosy", row["leprosy"]),
        _flag("child_of_the_state", row.get("child_of_the_state") or ""),
        "external" if pension else "",
    ]


def _int(row: dict[str, str], name: str, low: int, high: int) -> int:
    raw = row[name].strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or not low <= int(raw) <= high:
        raise ValueError(
            _("%(column)s must be a whole number from %(low)s to %(high)s, not %(value)s")
            % {"column": name, "low": low, "high": high, "value": raw[:20]}
        )
    return int(raw)


def _records(reader: csv.DictReader[str], errors: list[RowError]) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row with the number of the line it ends on; a line the CSV reader cannot parse is an error."""
    while True:
        before = reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(before + 1, _("not a well-formed CSV row (%(reason)s)") % {"reason": exc}))
            continue
        yield reader.line_num, row


def _clean_rows(
    reader: csv.DictReader[str], on: date, errors: list[RowError], progress: Progress
) -> Iterator[list[Any]]:
    for line, row in _records(reader, errors):
        progress.advance(line - 1 - progress.done)
        if None in row or any(v is None for v in row.values()):
            errors.append(RowError(line, _("wrong number of columns")))
            continue
        bad = next((name for name, value in row.items() if CONTROL.search(value.strip())), None)
        if bad is not None:
            errors.append(RowError(line, _("%(column)s holds control characters") % {"column": bad}))
            continue
        try:
            values = _clean(row, on)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            continue
        values[0] = line
        yield values


def describe(node: rules.Rule) -> str:
    """A rule part in words, negations said positively, as the explanation page says them.

    For reasons computed in SQL, where the person's values are not at hand.
    """
    return _words(eligibility.positive(eligibility.unevaluated(node)), nested=False)


def _words(clause: rules.Clause, *, nested: bool) -> str:
    if clause.kind == "compare":
        return eligibility.sentence(clause)
    if len(clause.parts) == 1:
        return _words(clause.parts[0], nested=nested)
    parts = [_words(part, nested=True) for part in clause.parts]
    if clause.kind == "all":
        text = "; ".join(parts) or _("always")
    else:
        text = _("at least one of these: %(parts)s") % {"parts": " | ".join(parts)}
    return f"({text})" if nested else text


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reason_sql(version: RuleVersion, on: date) -> str:
    scheme = version.scheme
    ctx = Context(on=on, scheme_pk=scheme.pk, scheme_id=scheme.scheme_id)
    parts = version.rule.get("all", [version.rule])
    # The messages are looked up outside the f-strings, where makemessages finds them.
    not_met = _("Not met: %(condition)s")
    cases = " ".join(
        f"WHEN NOT {to_duck(p, ctx)} THEN {_sql_text(not_met % {'condition': describe(p)})}" for p in parts
    )
    all_met = _("All conditions are met.")
    return f"CASE {cases} ELSE {_sql_text(all_met)} END"


def _amount_sql(version: RuleVersion, on: date, eligible_sql: str) -> str:
    scheme = version.scheme
    ctx = Context(on=on, scheme_pk=scheme.pk, scheme_id=scheme.scheme_id)
    bands = " ".join(f"WHEN {to_duck(b['when'], ctx)} THEN {int(b['amount'])}" for b in version.bands)
    return f"CASE WHEN NOT {eligible_sql} THEN NULL {bands} ELSE NULL END"


def _lines(source: Path) -> int:
    with open(source, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _header(reader: csv.DictReader[str]) -> None:
    """Check the header and name its columns as the rows are read: trimmed, in lower case."""
    try:
        names = reader.fieldnames
    except csv.Error as exc:
        raise BadHeader(
            _("The header is not a well-formed CSV line (%(reason)s)") % {"reason": exc}
        ) from None
    if not names or not any(name.strip() for name in names):
        raise BadHeader(_("The file is empty: it needs a header line and a row per person."))
    normal = [name.strip().lower() for name in names]
    twice = sorted({name for name in normal if name and normal.count(name) > 1})
    if twice:
        raise BadHeader(
            _("The header names these columns more than once: %(columns)s") % {"columns": ", ".join(twice)}
        )
    missing = [c for c in REQUIRED if c not in normal]
    if missing:
        raise BadHeader(_("The header lacks these columns: %(columns)s") % {"columns": ", ".join(missing)})
    reader.fieldnames = normal


def evaluate_csv(
    source: Path,
    output: Path,
    versions: Sequence[RuleVersion],
    on: date,
    *,
    threads: int | None = None,
    stream: object = NOWHERE,
) -> tuple[int, list[RowError]]:
    """Evaluate every valid row for every scheme; returns (people evaluated, bad rows).

    The output is written to a temporary file beside ``output`` and renamed at
    the end, so a failure never leaves half a file. Reading the list, then
    evaluating it, show their progress on ``stream``.
    """
    errors: list[RowError] = []
    output = Path(output)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "people.csv"
        with (
            open(source, newline="", encoding="utf-8-sig") as handle,
            open(staging, "w", newline="", encoding="utf-8") as out,
        ):
            reader = csv.DictReader(handle)
            _header(reader)
            writer = csv.writer(out)
            written = 0
            with Progress(_("Lines checked"), max(0, _lines(source) - 1), stream=stream) as progress:
                for values in _clean_rows(reader, on, errors, progress):
                    writer.writerow(
                        ["" if v is None else (str(v).lower() if isinstance(v, bool) else v) for v in values]
                    )
                    written += 1
        if not written:
            raise NoValidRows(errors)
        evaluating = Progress(_("People evaluated"), written, stream=stream)
        con = connect(threads)
        # A list check shares the machine with the web service: spill to disk beyond this.
        con.execute("SET memory_limit = '1GB'")
        spec = ", ".join(f"'{name}': '{kind}'" for name, kind in BASE_COLUMNS.items())
        _people_sql(
            con, f"SELECT * FROM read_csv('{_quote(staging)}', header=false, columns={{{spec}}}, nullstr='')"
        )
        structs = []
        for version in versions:
            cond = condition(version, on)
            structs.append(
                f"struct_pack(scheme_id := {_sql_text(version.scheme.scheme_id)}, eligible := {cond}, "
                f"monthly_amount := {_amount_sql(version, on, cond)}, reason := {_reason_sql(version, on)})"
            )
        partial = output.with_name(output.name + ".partial")
        query = (
            "SELECT person_id, d.scheme_id, d.eligible, d.monthly_amount, d.reason FROM ("
            # Sorting the people (not the 12x longer output) keeps memory low; DuckDB keeps
            # the order of a sorted subquery through the projection.
            f"SELECT person_id, unnest([{', '.join(structs)}]) AS d "
            "FROM (SELECT * FROM people ORDER BY line))"
        )
        if not structs:
            query = (
                "SELECT NULL AS person_id, NULL AS scheme_id, NULL AS eligible, "
                "NULL AS monthly_amount, NULL AS reason LIMIT 0"
            )
        try:
            con.execute(f"COPY ({query}) TO '{_quote(partial)}' (FORMAT csv, HEADER)")
        except duckdb.IOException as exc:
            raise OSError(
                _("Cannot write the decisions beside %(path)s: %(reason)s")
                % {
                    "path": output,
                    "reason": exc,
                }
            ) from None
        evaluated = con.execute("SELECT count(*) FROM base").fetchone()
        con.close()
        os.replace(partial, output)
        evaluating.advance(written)
        evaluating.finish()
    return (int(evaluated[0]) if evaluated else 0), errors
