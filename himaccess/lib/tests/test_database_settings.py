"""DATABASES from the environment: the pooler switch, the replica alias, and what SQLite refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from himaccess.lib.databases import database_settings, replica_settings

PRIMARY = "postgres://himaccess@db-primary:5432/himaccess"
REPLICA = "postgres://himaccess@db-replica:5432/himaccess"


def test_straight_to_postgresql_keeps_server_side_cursors_and_prepared_statements() -> None:
    entry = database_settings(PRIMARY, conn_max_age=60)
    assert entry["HOST"] == "db-primary" and entry["CONN_MAX_AGE"] == 60
    assert not entry["DISABLE_SERVER_SIDE_CURSORS"]
    assert "prepare_threshold" not in entry.get("OPTIONS", {})


def test_behind_a_transaction_pooler_nothing_outlives_a_transaction() -> None:
    entry = database_settings(PRIMARY, conn_max_age=60, pooler="transaction")
    assert entry["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert entry["OPTIONS"]["prepare_threshold"] is None
    # Connections to the pooler are kept, and checked before reuse (the pooler may have closed them).
    assert entry["CONN_MAX_AGE"] == 60 and entry["CONN_HEALTH_CHECKS"] is True


def test_the_replica_mirrors_the_primary_in_tests() -> None:
    entry = replica_settings(REPLICA, conn_max_age=60, pooler="transaction")
    assert entry["HOST"] == "db-replica"
    assert entry["TEST"] == {"MIRROR": "default"}
    assert entry["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.parametrize(
    ("url", "pooler", "complaint"),
    [
        ("sqlite:///var/db.sqlite3", "transaction", "PostgreSQL only"),
        (PRIMARY, "session", "DATABASE_POOLER must be one of"),
    ],
)
def test_a_pooler_that_cannot_apply_stops_start_up(url: str, pooler: str, complaint: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=complaint):
        database_settings(url, conn_max_age=60, pooler=pooler)


def test_sqlite_is_no_replica() -> None:
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL standby"):
        replica_settings("sqlite:///var/replica.sqlite3", conn_max_age=60)


def _start(code: str, data_dir: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    """Python started afresh with only these database variables (and a throwaway data folder)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("DATABASE_")}
    env.update(DJANGO_SETTINGS_MODULE="himaccess.settings", HIMACCESS_DATA_DIR=str(data_dir), **environment)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _settings_under(data_dir: Path, **environment: str) -> dict[str, Any]:
    done = _start(
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'DATABASES': settings.DATABASES, 'ROUTERS': settings.DATABASE_ROUTERS}))",
        data_dir,
        **environment,
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_the_settings_file_builds_both_aliases_behind_the_pooler(tmp_path: Path) -> None:
    loaded = _settings_under(
        tmp_path,
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URL=REPLICA,
        DATABASE_POOLER="transaction",
        DB_CONN_MAX_AGE="30",
    )
    databases = loaded["DATABASES"]
    assert set(databases) == {"default", "replica"}
    for alias, host in (("default", "db-primary"), ("replica", "db-replica")):
        assert databases[alias]["HOST"] == host
        assert databases[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert databases[alias]["OPTIONS"] == {"prepare_threshold": None}
        assert databases[alias]["CONN_MAX_AGE"] == 30
    assert databases["replica"]["TEST"]["MIRROR"] == "default"
    assert loaded["ROUTERS"] == ["himaccess.lib.databases.ReplicaRouter"]


def test_without_a_replica_url_there_is_one_alias(tmp_path: Path) -> None:
    databases = _settings_under(tmp_path, DATABASE_URL=PRIMARY)["DATABASES"]
    assert set(databases) == {"default"}
    assert not databases["default"]["DISABLE_SERVER_SIDE_CURSORS"]


def test_an_unknown_pooler_stops_start_up(tmp_path: Path) -> None:
    done = _start("import django; django.setup()", tmp_path, DATABASE_POOLER="statement")
    assert done.returncode != 0 and "DATABASE_POOLER must be one of" in done.stderr
