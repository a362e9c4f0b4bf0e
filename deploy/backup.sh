#!/usr/bin/env bash
# A backup of Him-Access: the database named by DATABASE_URL as a pg_dump custom-format archive,
# the uploaded files (MEDIA_ROOT) as a tar, and a manifest with every table's row count taken in
# the same snapshot as the dump, so deploy/restore.sh can prove a restore complete.
#
#   DATABASE_URL=postgres://... deploy/backup.sh <folder>   ->  <folder>/himaccess-<UTC time>/
#
# With the production environment loaded, like any other himaccess command. DATABASE_URL must
# name PostgreSQL itself, not a transaction pooler: the dump joins the snapshot of the session
# that counts the rows, and a pooler does not keep a session. Keys are NOT in the backup (the
# vault's keys must never sit next to the numbers they protect); they are kept apart, see
# docs/deploy.md "Backup and restore".
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -ne 1 ]; then
  echo "usage: DATABASE_URL=postgres://... $0 <folder>" >&2
  exit 64
fi

DJANGO_SETTINGS_MODULE=himaccess.settings exec .venv/bin/python - "$1" <<'PY'
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path

import django

django.setup()

import psycopg
from django.conf import settings
from psycopg import sql


def fail(message: str) -> None:
    print(f"backup: {message}", file=sys.stderr)
    sys.exit(1)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


database = settings.DATABASES["default"]
if database["ENGINE"] != "django.db.backends.postgresql":
    fail("DATABASE_URL must name a PostgreSQL database (the embedded SQLite file is copied as a file)")
if settings.DATABASE_POOLER != "none":
    fail("point DATABASE_URL at PostgreSQL itself, not at the pooler (DATABASE_POOLER=none)")
connection_env = {
    **os.environ,
    "PGHOST": database["HOST"] or "",
    "PGPORT": str(database["PORT"] or 5432),
    "PGUSER": database["USER"] or "",
    "PGPASSWORD": database["PASSWORD"] or "",
    "PGDATABASE": database["NAME"],
}
stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
folder = Path(sys.argv[1]) / f"himaccess-{stamp}"
folder.mkdir(parents=True, exist_ok=False)
started = time.perf_counter()

with psycopg.connect(
    dbname=database["NAME"],
    host=database["HOST"] or None,
    port=database["PORT"] or None,
    user=database["USER"] or None,
    password=database["PASSWORD"] or None,
) as connection:
    # One snapshot for the dump and the counts: pg_dump joins the one exported here.
    connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
    server_version = connection.execute("SHOW server_version").fetchone()[0]
    dump = folder / "database.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
        env=connection_env,
        check=True,
    )
    dumped = time.perf_counter()
    tables = connection.execute(
        "SELECT schemaname, tablename FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    ).fetchall()
    counts = {
        f"{schema}.{table}": connection.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        ).fetchone()[0]
        for schema, table in tables
    }
    migrations = dict(
        connection.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app").fetchall()
    )
    connection.rollback()
counted = time.perf_counter()

files = {"database.dump": {"bytes": dump.stat().st_size, "sha256": sha256(dump)}}
media_root = Path(settings.MEDIA_ROOT)
media_files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.is_dir() else []
if media_files:
    archive = folder / "media.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(media_root, arcname=".")
    files["media.tar.gz"] = {"bytes": archive.stat().st_size, "sha256": sha256(archive), "files": len(media_files)}
finished = time.perf_counter()

manifest = {
    "format": 1,
    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    "database": database["NAME"],
    "server_version": server_version,
    "snapshot": snapshot,
    "tables": counts,
    "rows": sum(counts.values()),
    "migrations": migrations,
    "files": files,
}
(folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")

print(f"backup of {database['NAME']} (PostgreSQL {server_version}) in {folder}")
print(f"  database.dump  {files['database.dump']['bytes'] / 1e6:.1f} MB, pg_dump {dumped - started:.1f} s")
print(f"  manifest.json  {len(counts)} tables, {manifest['rows']:,} rows counted in the dump's snapshot, {counted - dumped:.1f} s")
if media_files:
    print(f"  media.tar.gz   {files['media.tar.gz']['bytes'] / 1e6:.1f} MB, {len(media_files)} files, {finished - counted:.1f} s")
else:
    print(f"  no uploaded files under {media_root}")
print(f"  total {finished - started:.1f} s")
PY
