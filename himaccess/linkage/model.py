"""The duplicate-person model: Splink (Fellegi-Sunter) over linkage records, on DuckDB.

Each comparison is a list of levels, each an SQL condition on the two
records (``_l`` and ``_r``). The same conditions build the Splink settings
for the batch run and the list check, and score one new person against a
handful of candidates (``score_pairs``) without starting Splink, so all three
answer with one model.

Training needs no labels: u-probabilities from random pairs, then
expectation maximisation on two blocking passes inside one district (same
date of birth: learns the name, relative, place and mobile levels; same
names and father's name: learns the date levels), as Splink documents for
unlabelled data. Inside a district, because state-wide both blocks are
swamped by same-named strangers (decision 1170).

Twins and namesakes: a twin shares parents, birthday, village and often the
family's mobile with their sibling, so every field but the given name agrees.
The given-name comparison therefore has a level of its own for "another
given name, same date of birth and same father" whose m-probability is fixed
near zero: a clerk who re-enters a person may misspell or abbreviate their
name, or write it in the other script, but does not give them a different
one while copying their father and birthday exactly.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

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


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]


def _null(*columns: str) -> str:
    return " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)


GIVEN_NAME = Comparison(
    "given_name",
    "Given name (phonetic key, either script)",
    (
        Level("null", _null("given_key"), is_null=True),
        Level("same key", "given_key_l = given_key_r", tf_column="given_key"),
        Level("one edit", "levenshtein(given_key_l, given_key_r) <= 1"),
        Level("similar (Jaro-Winkler >= 0.88)", "jaro_winkler_similarity(given_key_l, given_key_r) >= 0.88"),
        Level(
            "initial",
            "(length(given_key_l) = 1 OR length(given_key_r) = 1) AND given_initial_l = given_initial_r",
        ),
        Level(
            "other name, same birthday and father",
            "dob_l = dob_r AND left(father_key_l, 1) = left(father_key_r, 1)",
            fixed_m=1e-20,
        ),
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
        Level("different", "TRUE"),
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
        Level("same", "father_key_l = father_key_r OR spouse_key_l = spouse_key_r"),
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

PLACE = Comparison(
    "place",
    "District and village",
    (
        Level("null", _null("district"), is_null=True),
        Level("same village", "village_l = village_r"),
        Level("same district", "district_l = district_r"),
        Level("different", "TRUE"),
    ),
)


def _same_or_not(column: str, label: str) -> Comparison:
    """A column that either agrees or does not: nothing in between is evidence."""
    return Comparison(
        column,
        label,
        (
            Level("null", _null(column), is_null=True),
            Level("same", f"{column}_l = {column}_r"),
            Level("different", "TRUE"),
        ),
    )


MOBILE = _same_or_not("mobile", "Mobile number")
GENDER = _same_or_not("gender", "Gender")

COMPARISONS: tuple[Comparison, ...] = (GIVEN_NAME, SURNAME, DATE_OF_BIRTH, RELATIVE, PLACE, MOBILE, GENDER)

# Candidate pairs are generated only where one of these holds (an OR of them). Every rule
# is tied to something two records of one person share and two strangers of the state
# rarely do: the district (a person is re-entered near where they live), the mobile, or the
# father's key. Rules on names and dates alone pair every same-named, same-born stranger of
# 7.6 million people; across the state they are what swamped both recall and training.
# Within those anchors the rules still meet every planted kind of error: typos (one name
# key agrees), the other script (keys agree), swapped or year-only dates and years off by
# one (names agree), a changed surname after marriage (given name and date).
BLOCKING_RULES: tuple[str, ...] = (
    "l.district = r.district AND l.given_key = r.given_key AND l.surname_key = r.surname_key"
    " AND l.dob_year = r.dob_year",
    "l.district = r.district AND l.surname_key = r.surname_key AND l.dob = r.dob",
    "l.district = r.district AND l.given_key = r.given_key AND l.dob = r.dob",
    "l.district = r.district AND l.given_key = r.given_key AND l.surname_key = r.surname_key"
    " AND l.dob_month = r.dob_month AND l.dob_day = r.dob_day",
    "l.district = r.district AND l.surname_key = r.surname_key AND l.dob_year = r.dob_year"
    " AND l.dob_month = r.dob_day AND l.dob_day = r.dob_month",
    "l.village = r.village AND l.given_initial = r.given_initial AND l.dob_year = r.dob_year",
    "l.given_key = r.given_key AND l.mobile = r.mobile",
    "l.given_key = r.given_key AND l.father_key = r.father_key AND l.surname_key = r.surname_key",
)


# Where EM starts: what a re-entered person's record looks like. On a register with many
# namesakes (a state drawn from few name lists), EM started from Splink's defaults on the
# same-name block settles on "same family" instead of "same person"; started here it
# stays with the person. Order: the non-null levels of each comparison.
STARTING_M: dict[str, tuple[float, ...]] = {
    "given_name": (0.85, 0.08, 0.03, 0.02, 1e-20, 0.02),
    "surname": (0.85, 0.05, 0.03, 0.07),
    "date_of_birth": (0.815, 0.04, 0.04, 0.04, 0.03, 0.03, 0.005),
    "relative": (0.8, 0.08, 0.07, 0.05),
    "place": (0.6, 0.3, 0.1),
    "mobile": (0.6, 0.4),
    "gender": (0.98, 0.02),
}


# Splink adjusts the "same key" levels of the names by how common the name is: the exact
# match's u-probability is replaced by the name's share of the records, so "Ajay Sharma,
# same birthday" counts for less than a rare name with the same birthday. The shares
# are computed by Splink from the table it scores; ``train`` also stores them in the
# model's JSON (``term_frequencies``) so ``score_pairs`` adjusts the same way.
TERM_FREQUENCIES = True


def settings(model: dict[str, Any] | None = None) -> dict[str, Any]:
    """Splink settings; with ``model`` (a trained model's JSON) its probabilities are kept."""
    trained: dict[str, list[dict[str, Any]]] = {}
    if model is not None:
        trained = {c["output_column_name"]: c["comparison_levels"] for c in model["comparisons"]}
    comparisons = []
    for comparison in COMPARISONS:
        levels = []
        for index, level in enumerate(comparison.levels):
            entry: dict[str, Any] = {
                "sql_condition": level.sql,
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
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in BLOCKING_RULES
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
    "father_key": "VARCHAR", "spouse_key": "VARCHAR", "dob": "VARCHAR", "dob_year": "INTEGER",
    "dob_month": "INTEGER", "dob_day": "INTEGER", "year_only": "BOOLEAN", "gender": "VARCHAR",
    "district": "INTEGER", "village": "VARCHAR", "mobile": "VARCHAR",
}  # fmt: skip


def create_table(con: duckdb.DuckDBPyConnection, name: str, records: Sequence[LinkageRecord]) -> None:
    import pandas as pd

    frame = pd.DataFrame.from_records([r.as_row() for r in records], columns=list(COLUMNS))
    casts = ", ".join(f"CAST({c} AS {_TYPES[c]}) AS {c}" for c in COLUMNS)
    con.register("_incoming", frame)
    # ``name`` is one of this package's table names, never input.
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {casts} FROM _incoming").fetchall()  # noqa: S608
    con.unregister("_incoming")


# --- Training and prediction with Splink ----------------------------------------------


def _linker(con: duckdb.DuckDBPyConnection, table: str, settings_dict: dict[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    return Linker(table, settings_dict, DuckDBAPI(connection=con), set_up_basic_logging=False)


def train(
    con: duckdb.DuckDBPyConnection, table: str, *, max_pairs: float = 2e6, seed: int = 1
) -> dict[str, Any]:
    """Train the model on the records in ``table`` without labels; returns the model's JSON."""
    from splink import block_on

    linker = _linker(con, table, settings())
    linker.training.estimate_probability_two_random_records_match(
        ["l.given_key = r.given_key AND l.surname_key = r.surname_key AND l.dob = r.dob"], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    # The date's parts, not ``dob`` itself: the given-name comparison reads ``dob`` (its twin
    # level), and Splink does not train a comparison on a block of one of its own columns.
    # Within a district: state-wide, same-birthday pairs are nearly all strangers with the
    # few common names, and EM then reads the names as noise (decision 1174).
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("district", "dob_year", "dob_month", "dob_day"), estimate_without_term_frequencies=True
    )
    # The date levels from pairs of one district with one name and one father's name:
    # few strangers share all four, so EM sees how re-entered people's dates differ.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("district", "given_key", "surname_key", "father_key"), estimate_without_term_frequencies=True
    )
    model: dict[str, Any] = linker.misc.save_model_to_json()
    model["term_frequencies"] = term_frequencies(con, table)
    return with_floor(model)


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
            if (
                level.get("is_null_level")
                or (comparison["output_column_name"], level["label_for_charts"]) in fixed
            ):
                continue
            level["m_probability"] = max(float(level.get("m_probability") or M_FLOOR), M_FLOOR)
            if not level.get("u_probability"):
                # A level never met among random pairs (an initial): rare by chance.
                level["u_probability"] = U_UNSEEN
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
            m = max(float(level.get("m_probability") or 1e-9), 1e-9)
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
        f"SELECT unique_id_l, unique_id_r, {gammas} FROM pairs"
    )
    params = [*left.as_row(), *(value for record in candidates for value in record.as_row())]
    con = duckdb.connect()
    try:
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    factors = _bayes_factors(model)
    exact_u = _exact_u(model)
    shares: dict[str, dict[str, float]] = model.get("term_frequencies") or {}
    by_id = {record.unique_id: record for record in (left, *candidates)}
    prior = float(model["probability_two_random_records_match"])
    scores = []
    for row in rows:
        odds = prior / (1 - prior)
        evidence = []
        for comparison, gamma in zip(COMPARISONS, row[2:], strict=True):
            factor = factors[comparison.name][gamma]
            column = comparison.levels[gamma].tf_column
            if TERM_FREQUENCIES and column is not None and column in shares:
                # Splink's adjustment: the exact level's u over the value's share (the larger
                # of the two records'); none when the value was not in the training data.
                known = [
                    shares[column][value]
                    for value in (getattr(by_id[row[0]], column), getattr(by_id[row[1]], column))
                    if value is not None and value in shares[column]
                ]
                if known:
                    factor *= exact_u[comparison.name] / max(known)
            odds *= factor
            evidence.append(Evidence(comparison.name, comparison.levels[gamma].label, math.log2(factor)))
        scores.append(Score(row[0], row[1], odds / (1 + odds), tuple(evidence)))
    return scores


def level_labels() -> dict[str, list[str]]:
    return {c.name: [level.label for level in c.levels] for c in COMPARISONS}
