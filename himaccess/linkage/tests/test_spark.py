"""The shipped model on Spark (Splink's ``SparkAPI``) finds the pairs DuckDB finds.

Needs PySpark and a Java runtime (``requirements/spark.txt``); skipped without them.
Spark runs in local mode on one core, on a synthetic list of a few hundred people.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from himaccess.linkage import lists
from himaccess.linkage import model as linkage_model
from himaccess.linkage.management.commands.linkage import SHIPPED_MODEL
from himaccess.linkage.records import COLUMNS, LinkageRecord
from himaccess.registry.synthetic import lookalikes

pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed (requirements/spark.txt)")
if shutil.which("java") is None:
    pytest.skip("no Java runtime for Spark", allow_module_level=True)

THRESHOLD = 0.5


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    scratch = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("himaccess-linkage-test")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.local.dir", str(scratch))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(str(scratch / "checkpoints"))
    yield session
    session.stop()


def _records(db: Any) -> tuple[list[LinkageRecord], set[tuple[str, str]]]:
    data = lookalikes.generate(300, seed=3)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=lookalikes.CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(data.rows)
    text.seek(0)
    read = lists.read_people(text, districts=lists.district_lookup(), today=date(2026, 12, 1))
    assert not read.problems
    return read.records, data.same_person


def _pairs(rows: Any) -> dict[tuple[str, str], float]:
    return {(a, b) if a < b else (b, a): float(p) for a, b, p in rows}


def test_spark_finds_the_planted_pairs_duckdb_finds(spark: Any, db: Any) -> None:
    from pyspark.sql import types
    from splink import Linker
    from splink.backends.spark import SparkAPI

    records, same_person = _records(db)
    model: dict[str, Any] = json.loads(Path(SHIPPED_MODEL).read_text(encoding="utf-8"))

    con = duckdb.connect()
    linkage_model.create_table(con, "people", records)
    _, table = linkage_model.predict(con, "people", model, threshold=THRESHOLD)
    on_duckdb = _pairs(
        con.execute(f"SELECT unique_id_l, unique_id_r, match_probability FROM {table}").fetchall()  # noqa: S608
    )
    con.close()

    kinds = {"VARCHAR": types.StringType(), "INTEGER": types.IntegerType(), "BOOLEAN": types.BooleanType()}
    schema = types.StructType([types.StructField(c, kinds[linkage_model._TYPES[c]]) for c in COLUMNS])
    frame = spark.createDataFrame([r.as_row() for r in records], schema)
    api = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]
    linker = Linker(frame, linkage_model.settings(model, dialect="spark"), api)
    predicted = linker.inference.predict(threshold_match_probability=THRESHOLD)
    frame_out = predicted.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    on_spark = _pairs(frame_out[["unique_id_l", "unique_id_r", "match_probability"]].itertuples(index=False))

    assert set(on_spark) == set(on_duckdb)
    assert max(abs(on_spark[pair] - on_duckdb[pair]) for pair in on_duckdb) < 1e-9
    found = set(on_spark) & same_person
    assert len(found) >= 0.95 * len(same_person)
    assert len(set(on_spark) - same_person) <= 0.02 * len(on_spark)
