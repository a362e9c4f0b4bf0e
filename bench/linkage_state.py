"""Duplicate detection over the whole synthetic state, straight from the generator, with its truth.

Draws the population block by block with planted errors (``Context.plant_errors``:
married daughters re-entered in a second family with a typo, the other script, a
swapped or year-only date, a year off by one; pincodes of another district;
children older than a parent), turns members into linkage records in worker
processes, loads them into DuckDB, trains the model without labels, predicts, and
prints time, peak memory, and pairwise precision and recall against the truth
table (at several thresholds, and recall by kind of error), what the wrong pairs
are, and whether the one-person check scores as Splink does. PostgreSQL is read
only for the geography (districts, tehsils, villages).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/himaccess_bench \\
        .venv/bin/python bench/linkage_state.py --families 1930000 --cache /tmp/linkage-state
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")

import django

django.setup()

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from himaccess.linkage import model as linkage_model  # noqa: E402
from himaccess.linkage.records import COLUMNS, make_record  # noqa: E402
from himaccess.registry.synthetic.population import (  # noqa: E402
    BLOCK_FAMILIES,
    Context,
    generate_block,
    load_geography,
    member_offsets,
    python_values,
)

_CTX: Context | None = None
_OFFSETS: np.ndarray | None = None
EPOCH = date(1970, 1, 1)


# A member as the register holds them, before linkage reads them (the Parquet cache's columns).
RAW = (
    ("member_id", "VARCHAR"), ("name", "VARCHAR"), ("father_name", "VARCHAR"), ("father_ref", "VARCHAR"),
    ("spouse_name", "VARCHAR"), ("spouse_ref", "VARCHAR"), ("gender", "VARCHAR"), ("born", "INTEGER"),
    ("district", "INTEGER"), ("village", "VARCHAR"), ("mobile", "VARCHAR"),
)  # fmt: skip


def _raw(block: int) -> tuple[list[tuple[Any, ...]], list[tuple[str, str, str]]]:
    """The living members of one block as the register holds them, and the block's planted pairs."""
    assert _CTX is not None and _OFFSETS is not None
    b = generate_block(_CTX, block, int(_OFFSETS[block]))
    members, families = b.members, b.families
    col = {name: list(python_values(members.columns[name], members.length)) for name in
           ("id", "member_id", "family_id", "name_en", "name_hi", "gender", "father_id", "spouse_id",
            "mobile", "life_status")}  # fmt: skip
    dob = members.columns["date_of_birth"].days  # type: ignore[union-attr]
    fam = {name: list(python_values(families.columns[name], families.length)) for name in
           ("id", "district_id", "village_id", "urban_body_id")}  # fmt: skip
    place = {
        pk: (d, str(v or u or "")) for pk, d, v, u in
        zip(fam["id"], fam["district_id"], fam["village_id"], fam["urban_body_id"], strict=True)
    }  # fmt: skip
    name_of = {pk: en or hi for pk, en, hi in zip(col["id"], col["name_en"], col["name_hi"], strict=True)}
    member_id_of = dict(zip(col["id"], col["member_id"], strict=True))
    rows = []
    for i in range(members.length):
        if col["life_status"][i] != "living":
            continue
        district, village = place[col["family_id"][i]]
        father, spouse = col["father_id"][i], col["spouse_id"][i]
        rows.append((
            col["member_id"][i], col["name_en"][i] or col["name_hi"][i],
            name_of.get(father, "") or "", member_id_of.get(father),
            name_of.get(spouse, "") or "", member_id_of.get(spouse),
            col["gender"][i], int(dob[i]), district, village or None, col["mobile"][i],
        ))  # fmt: skip
    truth = [(k, v[1], v[0]) for k, v in b.planted.items() if v[0].startswith("duplicate:")]
    return rows, truth


def _records(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Linkage records of raw members, as ``actions.register_records`` makes them."""
    out = []
    for (
        member_id,
        name,
        father,
        father_ref,
        spouse,
        spouse_ref,
        gender,
        born,
        district,
        village,
        mobile,
    ) in rows:
        record = make_record(
            member_id,
            name=name,
            father_name=father or "",
            spouse_name=spouse or "",
            father_ref=father_ref,
            spouse_ref=spouse_ref,
            gender=gender,
            born=EPOCH + timedelta(days=born),
            district=district,
            village=village,
            mobile=mobile or "",
        )
        out.append(record.as_row())
    return out


def _draw(
    con: duckdb.DuckDBPyConnection, families: int, workers: int, started: float
) -> tuple[set[tuple[str, str]], dict[tuple[str, str], str]]:
    """Draw the state into table ``raw``; return the planted pairs and their kinds."""
    global _CTX, _OFFSETS
    _CTX = Context(1, families, date(2026, 12, 1), "", "bench-key", 0, 0, 0, 0, 0, load_geography(),
                   plant_errors=True)  # fmt: skip
    _OFFSETS = member_offsets(1, families)
    con.execute(f"CREATE TABLE raw ({', '.join(f'{c} {t}' for c, t in RAW)})").fetchall()
    kinds: dict[tuple[str, str], str] = {}
    batch: list[tuple[Any, ...]] = []
    blocks = -(-families // BLOCK_FAMILIES)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for done, (rows, planted) in enumerate(pool.imap(_raw, range(blocks), chunksize=4), start=1):
            batch.extend(rows)
            for a, b, kind in planted:
                kinds[(a, b) if a < b else (b, a)] = kind.removeprefix("duplicate:")
            if len(batch) >= 500_000 or done == blocks:
                frame = pd.DataFrame.from_records(batch, columns=[c for c, _ in RAW])  # noqa: F841 - read by DuckDB
                con.execute("INSERT INTO raw SELECT * FROM frame").fetchall()
                batch = []
                print(f"  {done}/{blocks} blocks, {time.perf_counter() - started:.0f} s", flush=True)
    # A planted pair whose first record is of someone dead or migrated since is not in the
    # living register: no run can find it, so it is not counted against recall.
    living = {row[0] for row in con.execute("SELECT member_id FROM raw").fetchall()}
    gone = len(kinds)
    kinds = {pair: kind for pair, kind in kinds.items() if pair[0] in living and pair[1] in living}
    print(f"{gone - len(kinds)} planted pairs left out: one record not living")
    return set(kinds), kinds


def _load_records(con: duckdb.DuckDBPyConnection, workers: int) -> None:
    """Table ``people``: the linkage records of table ``raw``, made in worker processes."""
    columns = ", ".join(f"{c} {linkage_model._TYPES[c]}" for c in COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE people ({columns})").fetchall()
    # Pool.imap reads the chunks from another thread: a connection of its own.
    reader = con.cursor()
    reader.execute("SELECT * FROM raw")
    chunks = iter(lambda: reader.fetchmany(100_000), [])
    batch: list[tuple[Any, ...]] = []
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for rows in pool.imap(_records, chunks):
            batch.extend(rows)
            if len(batch) >= 500_000:
                _insert(con, batch)
                batch = []
    _insert(con, batch)


def _insert(con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]]) -> None:
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))  # noqa: F841 - read by DuckDB
    con.execute("INSERT INTO people SELECT * FROM frame").fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="6GB")
    parser.add_argument(
        "--model", help="score with this trained model's JSON instead of training on the state"
    )
    parser.add_argument(
        "--cache",
        help="folder keeping the drawn records and truth as Parquet: drawn once, read back on later runs",
    )
    parser.add_argument(
        "--extra-rule",
        action="append",
        default=[],
        help="one more blocking rule for the prediction (Splink SQL on l. and r.), to measure it",
    )
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()}")
    if args.extra_rule:
        # ``settings`` reads the rules when it builds Splink's settings: the prediction uses them.
        linkage_model.BLOCKING_RULES = (*linkage_model.BLOCKING_RULES, *args.extra_rule)
        print(f"extra blocking rules: {args.extra_rule}")
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{args.memory_limit}'").fetchall()
    cache = Path(args.cache) / f"state-{args.families}" if args.cache else None
    if cache is not None and (cache / "truth.parquet").exists():
        con.execute(f"CREATE TABLE raw AS SELECT * FROM read_parquet('{cache / 'raw.parquet'}')").fetchall()
        kinds = {
            (a, b): k
            for a, b, k in con.execute(
                f"SELECT a, b, kind FROM read_parquet('{cache / 'truth.parquet'}')"
            ).fetchall()
        }
        truth = set(kinds)
        print(f"read from {cache}")
    else:
        truth, kinds = _draw(con, args.families, args.workers, started)
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            con.execute(f"COPY raw TO '{cache / 'raw.parquet'}' (FORMAT parquet)").fetchall()
            frame = pd.DataFrame([(a, b, k) for (a, b), k in kinds.items()], columns=["a", "b", "kind"])  # noqa: F841
            con.execute(
                f"COPY (SELECT * FROM frame) TO '{cache / 'truth.parquet'}' (FORMAT parquet)"
            ).fetchall()
    drawn = time.perf_counter() - started
    started = time.perf_counter()
    _load_records(con, args.workers)
    con.execute("DROP TABLE raw").fetchall()
    print(f"linkage records made in {time.perf_counter() - started:.0f} s")
    records = con.execute("SELECT count(*) FROM people").fetchall()[0][0]
    print(f"{records} living members, {len(truth)} planted duplicate pairs, drawn in {drawn:.0f} s")

    started = time.perf_counter()
    if args.model:
        model = json.loads(Path(args.model).read_text(encoding="utf-8"))
    else:
        model = linkage_model.train(con, "people")
    trained = time.perf_counter() - started
    print(f"trained in {trained:.0f} s")
    started = time.perf_counter()
    _, table = linkage_model.predict(con, "people", model, threshold=min(args.threshold, 0.01))
    scored = {
        ((a, b) if a < b else (b, a)): p
        for a, b, p in con.execute(
            f"SELECT unique_id_l, unique_id_r, match_probability FROM {table}"
        ).fetchall()
    }
    for cut in sorted({0.01, 0.5, 0.6, 0.7, 0.8, 0.9, args.threshold, 0.99}):
        above = {pair for pair, p in scored.items() if p >= cut}
        hits = len(above & truth)
        print(
            f"  at p >= {cut}: {len(above)} pairs, precision {hits / max(len(above), 1):.4f}"
            f"  recall {hits / max(len(truth), 1):.4f}"
        )
    ceiling = len(set(scored) & truth) / max(len(truth), 1)
    print(f"  planted pairs blocked and scored at p >= 0.01: {ceiling:.4f}")
    found = {pair for pair, p in scored.items() if p >= args.threshold}
    table = f"(SELECT * FROM {table} WHERE match_probability >= {args.threshold})"
    predicted = time.perf_counter() - started
    true_positive = len(found & truth)
    print(f"predicted in {predicted:.0f} s: {len(found)} pairs at p >= {args.threshold}")
    print(
        f"precision {true_positive / max(len(found), 1):.4f}  recall {true_positive / max(len(truth), 1):.4f}"
    )
    print(
        f"linkage (train + predict) {trained + predicted:.0f} s; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB (this process)"
    )
    # What the wrong pairs are: siblings (one father's record) are what the given-name levels
    # must keep apart; the rest are namesakes.
    wrong = [pair for pair in found if pair not in truth]
    # One look-up for all of them: a query per pair scans the whole state's table each time.
    records = linkage_model.records_of(con, "people", {i for pair in wrong for i in pair})
    siblings = sum(
        records[left].father_ref is not None and records[left].father_ref == records[right].father_ref
        for left, right in wrong
    )
    print(f"{len(wrong)} wrong pairs, {siblings} of them linked to one father's record")
    # The one-person check must answer as the batch run does: rescore a sample of its pairs.
    sample = con.execute(
        f"SELECT unique_id_l, unique_id_r, match_probability FROM {table}"
        " ORDER BY match_probability LIMIT 200"
    ).fetchall()
    by_id = linkage_model.records_of(con, "people", {i for pair in sample for i in pair[:2]})
    drift = 0.0
    for left, right, probability in sample:
        score = linkage_model.score_pairs(by_id[left], [by_id[right]], model)[0]
        drift = max(drift, abs(score.match_probability - probability))
    print(f"score_pairs against Splink on {len(sample)} pairs: largest difference {drift:.2e}")
    for kind in sorted(set(kinds.values())):
        pairs = {pair for pair, k in kinds.items() if k == kind}
        print(f"  recall {kind}: {len(pairs & found) / len(pairs):.3f} of {len(pairs)}")
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
