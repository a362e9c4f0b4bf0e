"""The duplicate-person model: Splink (Fellegi-Sunter) over linkage records, on DuckDB.

Each comparison is a list of levels, each an SQL condition on the two
records (``_l`` and ``_r``). The same conditions build the Splink settings
for the batch run and the list check, and score one new person against a
handful of candidates (``score_pairs``) without starting Splink, so all three
answer with one model.

Training needs no labels: u-probabilities from random pairs (counted from
the values for identifiers), then expectation maximisation on three blocking
passes where a re-entered person is common (one village and birthday; one
name and father's record; one name and birthday), as Splink documents for
unlabelled data (``train``; decisions 1170 and 1232).

Siblings, twins and namesakes: a twin or a sibling shares parents, village
and often the family's mobile, so every field but the given name agrees. The
given-name comparison therefore has levels of their own for "another given
name, one father's record" and "another given name, one birthday and father"
whose m-probability is fixed near zero: a clerk who re-enters a person may
misspell or abbreviate their name, or write it in the other script, but does
not give them a different one while copying their father exactly. A namesake
of another generation in one household (a father and his son) is kept apart
by the date level "a generation apart".
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import math
import os
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from himaccess.linkage.records import COLUMNS, LinkageRecord

# Splink narrates every step at INFO; the batch run reports its own progress.
logging.getLogger("splink").setLevel(logging.WARNING)

# --- Comparisons -----------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    is_null: bool = False
    fixed_m: float | None = None
    # Term-frequency adjustment: an agreement on a common value is weaker evidence.
    tf_column: str | None = None
    # An exact agreement on identifiers (a mobile, a linked relative's record): too rare for
    # random pairs to meet, so its u-probability is counted from the values (``counted_u``).
    counted_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]


def _null(*columns: str) -> str:
    return " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)


# Siblings: another given name with one father's record and not one known birthday; twins:
# another given name with one birthday and fathers of one initial (a list names the father,
# the register links him).
_SIBLINGS = (
    "given_key_l <> given_key_r AND father_ref_l = father_ref_r AND NOT coalesce(dob_l = dob_r, FALSE)"
)
_TWINS = "dob_l = dob_r AND (father_ref_l = father_ref_r OR left(father_key_l, 1) = left(father_key_r, 1))"

GIVEN_NAME = Comparison(
    "given_name",
    "Given name (phonetic key, either script)",
    (
        Level("null", _null("given_key"), is_null=True),
        Level("same key", "given_key_l = given_key_r", tf_column="given_key"),
        # Before the near-spelling levels: siblings are often named alike (Aman, Amar).
        Level("another name, a sibling's", _SIBLINGS, fixed_m=1e-20),
        # A typo keeps the first letter far more often than not, and Sonu and Monu are twins.
        Level(
            "one letter apart",
            "given_initial_l = given_initial_r"
            " AND (damerau_levenshtein(given_spelling_l, given_spelling_r) <= 1"
            " OR levenshtein(given_key_l, given_key_r) <= 1)",
        ),
        Level("similar (Jaro-Winkler >= 0.88)", "jaro_winkler_similarity(given_key_l, given_key_r) >= 0.88"),
        Level(
            "initial",
            "(length(given_key_l) = 1 OR length(given_key_r) = 1) AND given_initial_l = given_initial_r",
        ),
        Level("another name, a twin's", _TWINS, fixed_m=1e-20),
        Level("different", "TRUE"),
    ),
)

SURNAME = Comparison(
    "surname",
    "Surname (phonetic key, either script)",
    (
        Level("null", _null("surname_key"), is_null=True),
        Level("same key", "surname_key_l = surname_key_r", tf_column="surname_key"),
        Level("one edit", "levenshtein(surname_key_l, surname_key_r) <= 1"),
        Level(
            "similar (Jaro-Winkler >= 0.88)", "jaro_winkler_similarity(surname_key_l, surname_key_r) >= 0.88"
        ),
        Level("different", "TRUE"),
    ),
)

DATE_OF_BIRTH = Comparison(
    "date_of_birth",
    "Date of birth",
    (
        Level("null", _null("dob_year"), is_null=True),
        Level("same date", "dob_l = dob_r"),
        Level(
            "day and month swapped",
            "dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r",
        ),
        Level(
            "same year, one known by year only", "(year_only_l OR year_only_r) AND dob_year_l = dob_year_r"
        ),
        Level(
            "year off by one",
            "abs(dob_year_l - dob_year_r) = 1 AND ((dob_month_l = dob_month_r AND dob_day_l = dob_day_r)"
            " OR year_only_l OR year_only_r)",
        ),
        Level("same year and month", "dob_year_l = dob_year_r AND dob_month_l = dob_month_r"),
        Level("within two years", "abs(dob_year_l - dob_year_r) <= 2"),
        Level("3 to 14 years apart", "abs(dob_year_l - dob_year_r) < 15"),
        # A clerk gets a year wrong, not a generation: a father and his namesake son, a
        # grandmother and her granddaughter share a name, a family's mobile and its village.
        Level("a generation apart", "TRUE", fixed_m=1e-6),
    ),
)

RELATIVE = Comparison(
    "relative",
    "Father's or spouse's given name (initials allowed)",
    (
        Level(
            "null",
            "(father_key_l IS NULL OR father_key_r IS NULL)"
            " AND (spouse_key_l IS NULL OR spouse_key_r IS NULL)",
            is_null=True,
        ),
        # The register links relatives: one father's record is the same father; one name may
        # be two fathers (a state has a few hundred fathers' given names).
        Level(
            "same person linked",
            "father_ref_l = father_ref_r OR spouse_ref_l = spouse_ref_r",
            counted_on=("father_ref", "spouse_ref"),
        ),
        Level("same name", "father_key_l = father_key_r OR spouse_key_l = spouse_key_r"),
        Level(
            "similar",
            "jaro_winkler_similarity(father_key_l, father_key_r) >= 0.88"
            " OR jaro_winkler_similarity(spouse_key_l, spouse_key_r) >= 0.88",
        ),
        Level(
            "initial",
            "((length(father_key_l) = 1 OR length(father_key_r) = 1)"
            " AND left(father_key_l, 1) = left(father_key_r, 1))"
            " OR ((length(spouse_key_l) = 1 OR length(spouse_key_r) = 1)"
            " AND left(spouse_key_l, 1) = left(spouse_key_r, 1))",
        ),
        Level("different", "TRUE"),
    ),
)

# The mobile and the place are one comparison: a family shares its number and its village,
# so counted apart they would count one household twice (two namesakes of one family, a
# grandmother and a granddaughter, scored as one person).
PLACE = Comparison(
    "place",
    "Mobile number, village, district",
    (
        Level(
            "null",
            "(district_l IS NULL OR district_r IS NULL)"
            " AND (mobile_l IS NULL OR mobile_r IS NULL OR mobile_l <> mobile_r)",
            is_null=True,
        ),
        Level("same mobile", "mobile_l = mobile_r", counted_on=("mobile",)),
        Level("same village", "village_l = village_r"),
        Level("same district", "district_l = district_r"),
        Level("different", "TRUE"),
    ),
)

GENDER = Comparison(
    "gender",
    "Gender",
    (
        Level("null", _null("gender"), is_null=True),
        Level("same", "gender_l = gender_r"),
        Level("different", "TRUE"),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (GIVEN_NAME, SURNAME, DATE_OF_BIRTH, RELATIVE, PLACE, GENDER)

# Candidate pairs are generated only where one of these holds (an OR of them). Every rule
# is tied to something two records of one person share and two strangers of the state
# rarely do: the district (a person is re-entered near where they live), the mobile, or the
# father (his record, or his name with the person's name and year of birth). Rules on names
# and dates alone pair every same-named, same-born stranger of 7.6 million people. Within
# those anchors each rule meets a kind of error, and each is narrow: a rule's pairs cost
# time whether or not they are ever a match (decision 1171).
BLOCKING_RULES: tuple[str, ...] = (
    # Exact date: a typo in the given name (past its first letter, as the given-name levels
    # expect), the other script, a swapped date that is no other date (13/05), a clean copy.
    "l.district = r.district AND l.surname_key = r.surname_key AND l.dob = r.dob"
    " AND l.given_initial = r.given_initial",
    # Exact date, surname changed at marriage or mistyped.
    "l.district = r.district AND l.given_key = r.given_key AND l.dob = r.dob",
    # Day and month kept: the year off by one.
    "l.district = r.district AND l.given_key = r.given_key AND l.surname_key = r.surname_key"
    " AND l.dob_month = r.dob_month AND l.dob_day = r.dob_day",
    # Year kept, the rest not: day and month swapped, or only the year known.
    "l.district = r.district AND l.given_key = r.given_key AND l.surname_key = r.surname_key"
    " AND l.dob_year = r.dob_year"
    " AND (l.year_only OR r.year_only OR (l.dob_month = r.dob_day AND l.dob_day = r.dob_month))",
    # Anywhere in the state: her own mobile, her father's record, or her father's name.
    "l.given_key = r.given_key AND l.mobile = r.mobile",
    "l.father_ref = r.father_ref AND l.given_initial = r.given_initial",
    # (A list names the father; in the register two records linked to other fathers of one
    # name are two people.)
    "l.given_key = r.given_key AND l.surname_key = r.surname_key AND l.father_key = r.father_key"
    " AND abs(l.dob_year - r.dob_year) <= 1 AND (l.father_ref IS NULL OR r.father_ref IS NULL)",
)


# Where EM starts: what a re-entered person's record looks like. On a register with many
# namesakes (a state drawn from few name lists), EM started from Splink's defaults on the
# same-name block settles on "same family" instead of "same person"; started here it
# stays with the person. Order: the non-null levels of each comparison.
STARTING_M: dict[str, tuple[float, ...]] = {
    "given_name": (0.85, 1e-20, 0.08, 0.03, 0.02, 1e-20, 0.02),
    "surname": (0.85, 0.05, 0.03, 0.07),
    "date_of_birth": (0.815, 0.04, 0.04, 0.04, 0.03, 0.03, 0.005, 1e-6),
    "relative": (0.7, 0.1, 0.08, 0.07, 0.05),
    "place": (0.3, 0.35, 0.25, 0.1),
    "gender": (0.98, 0.02),
}


# Splink adjusts the "same key" levels of the names by how common the name is: the exact
# match's u-probability is replaced by the name's share of the records, so "Ajay Sharma,
# same birthday" counts for less than a rare name with the same birthday. The shares
# are computed by Splink from the table it scores; ``train`` also stores them in the
# model's JSON (``term_frequencies``) so ``score_pairs`` adjusts the same way.
TERM_FREQUENCIES = True


# The level conditions are written for DuckDB; on Spark, Splink's similarity functions are
# the UDFs of its jar (``similarity_jar_location``), one of them under another name.
_SPARK_NAMES = {"jaro_winkler_similarity(": "jaro_winkler("}


def _in_dialect(sql: str, dialect: str) -> str:
    if dialect == "spark":
        for duckdb_name, spark_name in _SPARK_NAMES.items():
            sql = sql.replace(duckdb_name, spark_name)
    return sql


def settings(model: dict[str, Any] | None = None, *, dialect: str = "duckdb") -> dict[str, Any]:
    """Splink settings; with ``model`` (a trained model's JSON) its probabilities are kept.

    ``dialect`` is "duckdb" or "spark": the same levels and blocking rules for
    Splink's ``DuckDBAPI`` or ``SparkAPI``.
    """
    trained: dict[str, list[dict[str, Any]]] = {}
    if model is not None:
        trained = {c["output_column_name"]: c["comparison_levels"] for c in model["comparisons"]}
    comparisons = []
    for comparison in COMPARISONS:
        levels = []
        for index, level in enumerate(comparison.levels):
            entry: dict[str, Any] = {
                "sql_condition": _in_dialect(level.sql, dialect),
                "label_for_charts": level.label,
                "is_null_level": level.is_null,
            }
            if level.tf_column is not None and TERM_FREQUENCIES:
                entry["tf_adjustment_column"] = level.tf_column
                entry["tf_adjustment_weight"] = 1.0
            if level.fixed_m is not None:
                entry["m_probability"] = level.fixed_m
                entry["fix_m_probability"] = True
            if model is None and not level.is_null and level.fixed_m is None:
                entry["m_probability"] = STARTING_M[comparison.name][index - 1]
            known = trained.get(comparison.name)
            if known is not None and not level.is_null:
                for key in ("m_probability", "u_probability"):
                    if key in known[index]:
                        entry[key] = known[index][key]
            levels.append(entry)
        comparisons.append(
            {
                "output_column_name": comparison.name,
                "comparison_description": comparison.description,
                "comparison_levels": levels,
            }
        )
    result: dict[str, Any] = {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": dialect} for rule in BLOCKING_RULES
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "max_iterations": 20,
        "em_convergence": 0.001,
    }
    if model is not None:
        result["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return result


# --- Tables ---------------------------------------------------------------------------

_TYPES = {
    "unique_id": "VARCHAR", "given_key": "VARCHAR", "surname_key": "VARCHAR", "given_initial": "VARCHAR",
    "given_spelling": "VARCHAR", "father_key": "VARCHAR", "spouse_key": "VARCHAR", "father_ref": "VARCHAR",
    "spouse_ref": "VARCHAR", "dob": "VARCHAR", "dob_year": "INTEGER",
    "dob_month": "INTEGER", "dob_day": "INTEGER", "year_only": "BOOLEAN", "gender": "VARCHAR",
    "district": "INTEGER", "village": "VARCHAR", "mobile": "VARCHAR",
}  # fmt: skip


def create_table(
    con: duckdb.DuckDBPyConnection, name: str, records: Iterable[LinkageRecord], *, chunk: int = 100_000
) -> int:
    """Load ``records`` into table ``name`` a chunk at a time; returns how many were loaded."""
    import pandas as pd

    columns = ", ".join(f"{c} {_TYPES[c]}" for c in COLUMNS)
    # ``name`` is one of this package's table names, never input.
    con.execute(f"CREATE OR REPLACE TABLE {name} ({columns})").fetchall()
    loaded = 0
    iterator = iter(records)
    while batch := [record.as_row() for record in itertools.islice(iterator, chunk)]:
        frame = pd.DataFrame.from_records(batch, columns=list(COLUMNS))
        con.register("_incoming", frame)
        casts = ", ".join(f"CAST({c} AS {_TYPES[c]})" for c in COLUMNS)
        con.execute(f"INSERT INTO {name} SELECT {casts} FROM _incoming").fetchall()  # noqa: S608
        con.unregister("_incoming")
        loaded += len(batch)
    return loaded


def records_of(con: duckdb.DuckDBPyConnection, table: str, ids: Collection[str]) -> dict[str, LinkageRecord]:
    """The records of ``ids`` in ``table``, by ID."""
    if not ids:
        return {}
    rows = con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM {table} WHERE unique_id IN (SELECT unnest(?))",  # noqa: S608
        [list(ids)],
    ).fetchall()
    return {row[0]: LinkageRecord(*row) for row in rows}


# --- Training and prediction with Splink ----------------------------------------------


def _linker(con: duckdb.DuckDBPyConnection, table: str, settings_dict: dict[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    return Linker(table, settings_dict, DuckDBAPI(connection=con), set_up_basic_logging=False)


def train(
    con: duckdb.DuckDBPyConnection, table: str, *, max_pairs: float = 2e6, seed: int = 1
) -> dict[str, Any]:
    """Train the model on the records in ``table`` without labels; returns the model's JSON.

    1. The prior: pairs that agree on the names, the date and the district, on the name and
       the father's record, or on the name and the mobile, taken as PRIOR_RECALL of all the
       register's duplicates.
    2. u-probabilities from random pairs; those of identifiers counted from their values.
    3. Three EM passes, each on a block where a re-entered person is common among the pairs
       and learning what the block does not fix (Splink leaves out a comparison that reads a
       blocking column):
       a. one village and one birthday: the names, the relative, the gender;
       b. one name and one father's record (the father's name and the village in a list,
          which links nobody): the date of birth (and the place, in the register);
       c. one name and one birthday, anywhere: the relative and the place.
    """
    linker = _linker(con, table, settings())
    linker.training.estimate_probability_two_random_records_match(list(PRIOR_RULES), recall=PRIOR_RECALL)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    em = linker.training.estimate_parameters_using_expectation_maximisation
    em(
        "l.village = r.village AND l.dob_year = r.dob_year AND l.dob_month = r.dob_month"
        " AND l.dob_day = r.dob_day",
        estimate_without_term_frequencies=True,
    )
    # Table names are this package's, never input.
    links = con.execute(f"SELECT count(father_ref) FROM {table}").fetchall()[0][0]  # noqa: S608
    em(
        "l.given_key = r.given_key AND l.surname_key = r.surname_key AND l.father_ref = r.father_ref"
        if links
        else "l.given_key = r.given_key AND l.surname_key = r.surname_key AND l.father_key = r.father_key"
        " AND l.village = r.village",
        estimate_without_term_frequencies=True,
    )
    em(
        "l.given_key = r.given_key AND l.surname_key = r.surname_key AND l.dob_year = r.dob_year"
        " AND l.dob_month = r.dob_month AND l.dob_day = r.dob_day",
        estimate_without_term_frequencies=True,
    )
    model: dict[str, Any] = linker.misc.save_model_to_json()
    model["term_frequencies"] = term_frequencies(con, table)
    counted_u(con, table, model)
    return with_floor(model)


# Pairs almost surely one person, and the share of all duplicates they are taken to be (on
# the synthetic state they are 0.80 of the planted pairs: 1174).
PRIOR_RULES = (
    "l.given_key = r.given_key AND l.surname_key = r.surname_key AND l.dob = r.dob"
    " AND l.district = r.district",
    "l.given_key = r.given_key AND l.father_ref = r.father_ref",
    "l.given_key = r.given_key AND l.mobile = r.mobile",
)
PRIOR_RECALL = 0.8


def counted_u(con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any]) -> None:
    """Set the u-probability of identifier levels from their values: the share of pairs that share one."""
    # Table and column names are this package's, never input.
    records = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608
    pairs = max(records * (records - 1), 1)
    for comparison, stored in zip(COMPARISONS, model["comparisons"], strict=True):
        for level, values in zip(comparison.levels, stored["comparison_levels"], strict=True):
            if not level.counted_on:
                continue
            same = 0
            for column in level.counted_on:
                same += con.execute(
                    f"SELECT coalesce(sum(n * (n - 1)), 0) FROM"  # noqa: S608
                    f" (SELECT count(*) AS n FROM {table} WHERE {column} IS NOT NULL GROUP BY {column})"
                ).fetchall()[0][0]
            if same:  # a list carries no identifiers of relatives: nothing to count
                values["u_probability"] = same / pairs


def tf_columns() -> tuple[str, ...]:
    return tuple(level.tf_column for c in COMPARISONS for level in c.levels if level.tf_column)


def term_frequencies(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, dict[str, float]]:
    """Each tf-adjusted column's values and their share of the records (as Splink computes it)."""
    shares: dict[str, dict[str, float]] = {}
    for column in tf_columns():
        # ``column`` and ``table`` are this package's names, never input.
        rows = con.execute(
            f"SELECT {column}, count(*) / sum(count(*)) OVER () FROM {table}"  # noqa: S608
            f" WHERE {column} IS NOT NULL GROUP BY {column}"
        ).fetchall()
        shares[column] = {str(value): float(share) for value, share in rows}
    return shares


# EM on a register with few errors of some kind learns an m-probability near zero for it
# (no surname typos seen: a surname typo then "proves" two people differ). No level of a
# real register is that certain, so m is kept at or above this floor.
M_FLOOR = 0.002
U_UNSEEN = 0.001


def with_floor(model: dict[str, Any]) -> dict[str, Any]:
    fixed = {(c.name, level.label) for c in COMPARISONS for level in c.levels if level.fixed_m is not None}
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            if not level.get("u_probability"):
                # A level never met among random pairs (an initial, siblings): rare by chance.
                level["u_probability"] = U_UNSEEN
            if (comparison["output_column_name"], level["label_for_charts"]) not in fixed:
                level["m_probability"] = max(float(level.get("m_probability") or M_FLOOR), M_FLOOR)
    return model


def predict(
    con: duckdb.DuckDBPyConnection, table: str, model: dict[str, Any], *, threshold: float
) -> tuple[Any, str]:
    """Score the candidate pairs of ``table``; returns (Splink's frame, its table name in ``con``)."""
    linker = _linker(con, table, settings(model))
    # Splink turns a probability of 1 into an infinite match weight it cannot compare with;
    # callers filter at their own threshold anyway.
    frame = linker.inference.predict(threshold_match_probability=min(threshold, 0.999999))
    return frame, frame.physical_name


# --- One person against a few candidates, without Splink -------------------------------


@dataclass(frozen=True)
class Evidence:
    comparison: str
    level: str
    weight: float  # log2 Bayes factor; 0 for a missing value


@dataclass(frozen=True)
class Score:
    unique_id_l: str
    unique_id_r: str
    match_probability: float
    evidence: tuple[Evidence, ...]


def _bayes_factors(model: dict[str, Any]) -> dict[str, list[float]]:
    factors: dict[str, list[float]] = {}
    for comparison in model["comparisons"]:
        values = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                values.append(1.0)
                continue
            # Not clamped like u: the lookalike levels fix m at 1e-20, and Splink scores with it.
            m = max(float(level.get("m_probability") or 0.0), 1e-300)
            u = max(float(level.get("u_probability") or 1e-9), 1e-9)
            values.append(m / u)
        factors[comparison["output_column_name"]] = values
    return factors


def _exact_u(model: dict[str, Any]) -> dict[str, float]:
    """Each tf-adjusted comparison's u-probability of its exact level."""
    found: dict[str, float] = {}
    for comparison, stored in zip(COMPARISONS, model["comparisons"], strict=True):
        for level, values in zip(comparison.levels, stored["comparison_levels"], strict=True):
            if level.tf_column is not None:
                found[comparison.name] = max(float(values.get("u_probability") or 1e-9), 1e-9)
    return found


def _gamma_sql(comparison: Comparison) -> str:
    whens = " ".join(f"WHEN {level.sql} THEN {index}" for index, level in enumerate(comparison.levels))
    return f"CASE {whens} END AS {comparison.name}"


_SCORING: tuple[int, duckdb.DuckDBPyConnection] | None = None
_SCORING_LOCK = threading.Lock()


def _scoring_database() -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB for scoring one person: opening one costs 30-70 ms.

    Each call takes its own cursor (a cursor is one thread's). A process forked from one
    that had opened it opens its own: DuckDB's threads do not survive a fork.
    """
    global _SCORING
    with _SCORING_LOCK:
        if _SCORING is None or _SCORING[0] != os.getpid():
            # One thread: a few hundred rows, and the web workers share the cores.
            _SCORING = (os.getpid(), duckdb.connect(config={"threads": 1}))
        return _SCORING[1]


def _tf_sql() -> str:
    """The term-frequency columns of both records, after the levels (``_scores``)."""
    return ", ".join(f"{c}_l, {c}_r" for c in tf_columns())


def _scores(rows: Iterable[Sequence[Any]], model: dict[str, Any]) -> list[Score]:
    """Scores of rows (ID left, ID right, the level of each comparison, ``_tf_sql`` values)."""
    factors = _bayes_factors(model)
    exact_u = _exact_u(model)
    shares: dict[str, dict[str, float]] = model.get("term_frequencies") or {}
    tf_at = {column: 2 + len(COMPARISONS) + 2 * i for i, column in enumerate(tf_columns())}
    prior = float(model["probability_two_random_records_match"])
    scores = []
    for row in rows:
        odds = prior / (1 - prior)
        evidence = []
        for comparison, gamma in zip(COMPARISONS, row[2 : 2 + len(COMPARISONS)], strict=True):
            factor = factors[comparison.name][gamma]
            column = comparison.levels[gamma].tf_column
            if TERM_FREQUENCIES and column is not None and column in shares:
                # Splink's adjustment: the exact level's u over the value's share (the larger
                # of the two records'); none when the value was not in the training data.
                known = [
                    shares[column][value]
                    for value in row[tf_at[column] : tf_at[column] + 2]
                    if value is not None and value in shares[column]
                ]
                if known:
                    factor *= exact_u[comparison.name] / max(known)
            odds *= factor
            evidence.append(Evidence(comparison.name, comparison.levels[gamma].label, math.log2(factor)))
        scores.append(Score(row[0], row[1], odds / (1 + odds), tuple(evidence)))
    return scores


def score_pairs(
    left: LinkageRecord, candidates: Sequence[LinkageRecord], model: dict[str, Any]
) -> list[Score]:
    """Score ``left`` against each candidate with the model's levels and probabilities.

    Uses the level conditions Splink uses, evaluated by DuckDB, so the answer
    is the one the batch run would give for the same pair.
    """
    if not candidates:
        return []
    # Rows go in as query parameters: no table to create, a few milliseconds for 200 candidates.
    one = "(" + ", ".join("?" for _ in COLUMNS) + ")"
    casts = ", ".join(f"CAST({c} AS {_TYPES[c]}) AS {c}" for c in COLUMNS)
    names = ", ".join(COLUMNS)
    pairs = ", ".join([f"l.{c} AS {c}_l" for c in COLUMNS] + [f"r.{c} AS {c}_r" for c in COLUMNS])
    gammas = ", ".join(_gamma_sql(c) for c in COMPARISONS)
    sql = (
        f"WITH l AS (SELECT {casts} FROM (VALUES {one}) v({names})), "  # noqa: S608 - fixed SQL, bound values
        f"r AS (SELECT {casts} FROM (VALUES {', '.join(one for _ in candidates)}) v({names})), "
        f"pairs AS (SELECT {pairs} FROM l CROSS JOIN r) "
        f"SELECT unique_id_l, unique_id_r, {gammas}, {_tf_sql()} FROM pairs"
    )
    params = [*left.as_row(), *(value for record in candidates for value in record.as_row())]
    con = _scoring_database().cursor()
    try:
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    return _scores(rows, model)


def score_table_pairs(
    con: duckdb.DuckDBPyConnection, table: str, pairs: str, model: dict[str, Any], *, chunk: int = 10_000
) -> Iterator[list[Score]]:
    """Score the pairs of table ``pairs`` (``unique_id_l``, ``unique_id_r``) of records in ``table``.

    The batch run's evidence: the levels of every pair in one query, as ``score_pairs``
    gives them one pair at a time; yields the scores a chunk at a time.
    """
    joined = ", ".join([f"l.{c} AS {c}_l" for c in COLUMNS] + [f"r.{c} AS {c}_r" for c in COLUMNS])
    gammas = ", ".join(_gamma_sql(c) for c in COMPARISONS)
    # ``table`` and ``pairs`` are this package's and Splink's table names, never input.
    result = con.execute(
        f"WITH pairs AS (SELECT {joined} FROM {pairs} p"  # noqa: S608
        f" JOIN {table} l ON l.unique_id = p.unique_id_l JOIN {table} r ON r.unique_id = p.unique_id_r)"
        f" SELECT unique_id_l, unique_id_r, {gammas}, {_tf_sql()} FROM pairs"
    )
    while rows := result.fetchmany(chunk):
        yield _scores(rows, model)


# Trained the same way on a lookalike list (``bench/linkage_lookalikes.py --save``): in force
# until a model trained on the register passes the check (``acceptance``).
SHIPPED = Path(__file__).resolve().parent / "data" / "model.json"


@functools.cache
def _shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def shipped() -> dict[str, Any]:
    """The model shipped with the code; a fresh copy each call (callers may change theirs)."""
    loaded: dict[str, Any] = json.loads(_shipped_text())
    return loaded


def fits(model: dict[str, Any]) -> bool:
    """Whether ``model`` was trained with this code's comparisons and levels (else it cannot be scored)."""
    stored = [
        (
            c.get("output_column_name"),
            [level.get("label_for_charts") for level in c.get("comparison_levels", [])],
        )
        for c in model.get("comparisons", [])
    ]
    return stored == [(c.name, [level.label for level in c.levels]) for c in COMPARISONS]


def level_labels() -> dict[str, list[str]]:
    return {c.name: [level.label for level in c.levels] for c in COMPARISONS}


# --- The evidence as officials read it -------------------------------------------------

# The level labels are the model's keys (Splink's settings, the stored models, the evidence
# kept with each pair, ``fits``), so they stay as they are; the review page shows these, in
# the reader's language. A test holds that every level has one.
COMPARISON_TITLES: dict[str, Promise] = {
    "given_name": pgettext_lazy("duplicate evidence", "Given name"),
    "surname": pgettext_lazy("duplicate evidence", "Surname"),
    "date_of_birth": pgettext_lazy("duplicate evidence", "Date of birth"),
    "relative": pgettext_lazy("duplicate evidence", "Father's or spouse's name"),
    "place": pgettext_lazy("duplicate evidence", "Mobile number and place"),
    "gender": pgettext_lazy("duplicate evidence", "Gender"),
}
LEVEL_TITLES: dict[str, Promise] = {
    "null": pgettext_lazy("duplicate evidence", "not recorded on one of them"),
    "same key": pgettext_lazy("duplicate evidence", "same (as pronounced, either script)"),
    "another name, a sibling's": pgettext_lazy(
        "duplicate evidence", "another name, with the same father: a brother or sister"
    ),
    "one letter apart": pgettext_lazy("duplicate evidence", "one letter apart"),
    "similar (Jaro-Winkler >= 0.88)": pgettext_lazy("duplicate evidence", "similar spelling"),
    "initial": pgettext_lazy("duplicate evidence", "only an initial, the same letter"),
    "another name, a twin's": pgettext_lazy(
        "duplicate evidence", "another name, with the same birthday and father: a twin"
    ),
    "different": pgettext_lazy("duplicate evidence", "different"),
    "one edit": pgettext_lazy("duplicate evidence", "one letter apart"),
    "same date": pgettext_lazy("duplicate evidence", "the same date"),
    "day and month swapped": pgettext_lazy("duplicate evidence", "day and month swapped"),
    "same year, one known by year only": pgettext_lazy(
        "duplicate evidence", "the same year, one record gives only the year"
    ),
    "year off by one": pgettext_lazy("duplicate evidence", "the year one apart, day and month the same"),
    "same year and month": pgettext_lazy("duplicate evidence", "the same year and month"),
    "within two years": pgettext_lazy("duplicate evidence", "within two years"),
    "3 to 14 years apart": pgettext_lazy("duplicate evidence", "3 to 14 years apart"),
    "a generation apart": pgettext_lazy("duplicate evidence", "15 or more years apart: another generation"),
    "same person linked": pgettext_lazy("duplicate evidence", "the same father's or spouse's record"),
    "same name": pgettext_lazy("duplicate evidence", "the same name"),
    "similar": pgettext_lazy("duplicate evidence", "similar name"),
    "same mobile": pgettext_lazy("duplicate evidence", "the same mobile number"),
    "same village": pgettext_lazy("duplicate evidence", "the same village or town"),
    "same district": pgettext_lazy("duplicate evidence", "the same district, another village"),
    "same": pgettext_lazy("duplicate evidence", "the same"),
}


@dataclass(frozen=True)
class EvidenceRow:
    comparison: str
    level: str
    weight: float


def evidence_rows(evidence: Iterable[Mapping[str, Any]]) -> list[EvidenceRow]:
    """A pair's stored evidence worded for the reader, in the active language.

    A label this code no longer has (evidence kept from an older model) is shown as stored.
    """
    rows = []
    for item in evidence:
        comparison, level = str(item.get("comparison", "")), str(item.get("level", ""))
        rows.append(
            EvidenceRow(
                comparison=str(COMPARISON_TITLES.get(comparison, comparison)),
                level=str(LEVEL_TITLES.get(level, level)),
                weight=float(item.get("weight") or 0.0),
            )
        )
    return rows
