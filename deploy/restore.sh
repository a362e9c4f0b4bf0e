#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into a NEW database and proves it whole: the
# archives' checksums, every table's row count against the manifest, and the audit chain
# (`himaccess audit verify`). Exits non-zero on any difference. It never overwrites: a database
# of that name already there is refused.
#
#   deploy/restore.sh <backup folder> postgres://user@host:port/<new database>
#
# RESTORE_MEDIA_ROOT=<empty or missing folder> also unpacks the uploaded files there (the folder
# to name as MEDIA_ROOT when switching to the restored database).
# RESTORE_JOBS (default 2) parallel pg_restore jobs. The environment is production's (the audit
# chain is checked with its AUDIT_HMAC_KEY); DATABASE_URL and DATABASE_REPLICA_URL are ignored.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -ne 2 ]; then
  echo "usage: $0 <backup folder> postgres://user@host:port/<new database>" >&2
  exit 64
fi

exec .venv/bin/python - "$1" "$2" <<'PY'
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

folder, target_url = Path(sys.argv[1]), sys.argv[2]
problems: list[str] = []


def fail(message: str) -> None:
    print(f"restore: {message}", file=sys.stderr)
    sys.exit(1)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


manifest_path = folder / "manifest.json"
if not manifest_path.is_file():
    fail(f"no manifest.json in {folder}")
manifest = json.loads(manifest_path.read_text())
for name, expected in manifest["files"].items():
    path = folder / name
    if not path.is_file() or sha256(path) != expected["sha256"]:
        fail(f"{name} is missing or does not match its checksum in the manifest")

target = dj_database_url.parse(target_url)
if target["ENGINE"] != "django.db.backends.postgresql":
    fail("the target must be a PostgreSQL URL")
name = target["NAME"]
server = {
    "host": target["HOST"] or None,
    "port": target["PORT"] or None,
    "user": target["USER"] or None,
    "password": target["PASSWORD"] or None,
}
env = {
    **os.environ,
    "PGHOST": target["HOST"] or "",
    "PGPORT": str(target["PORT"] or 5432),
    "PGUSER": target["USER"] or "",
    "PGPASSWORD": target["PASSWORD"] or "",
}
media_target = os.environ.get("RESTORE_MEDIA_ROOT", "")
if media_target and Path(media_target).exists() and any(Path(media_target).iterdir()):
    fail(f"RESTORE_MEDIA_ROOT {media_target} is not empty")
started = time.perf_counter()

with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
    if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        fail(f"database {name} exists; a restore never overwrites one (choose a new name)")
    # template0: nothing a site added to template1 can collide with what the dump creates.
    admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
print(f"created database {name}; restoring {manifest['database']} of {manifest['created_at']}")

subprocess.run(
    [
        "pg_restore",
        "--exit-on-error",
        "--no-owner",
        f"--jobs={int(os.environ.get('RESTORE_JOBS', '2'))}",
        f"--dbname={name}",
        str(folder / "database.dump"),
    ],
    env=env,
    check=True,
)
restored = time.perf_counter()

with psycopg.connect(dbname=name, autocommit=True, **server) as connection:
    # Fresh tables have no statistics; the first queries would be planned blind.
    connection.execute("ANALYZE")
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
expected = manifest["tables"]
for table in sorted(set(expected) | set(counts)):
    if table not in counts:
        problems.append(f"table {table} is missing")
    elif table not in expected:
        problems.append(f"table {table} is not in the manifest")
    elif counts[table] != expected[table]:
        problems.append(f"table {table}: {counts[table]} rows, the manifest says {expected[table]}")
counted = time.perf_counter()
print(
    f"  pg_restore {restored - started:.1f} s; {len(counts)} tables, {sum(counts.values()):,} rows "
    f"(manifest: {len(expected)} tables, {manifest['rows']:,} rows), counted in {counted - restored:.1f} s"
)

if "media.tar.gz" in manifest["files"]:
    if media_target:
        with tarfile.open(folder / "media.tar.gz") as tar:
            tar.extractall(media_target, filter="data")
        unpacked = sum(1 for p in Path(media_target).rglob("*") if p.is_file())
        if unpacked != manifest["files"]["media.tar.gz"]["files"]:
            problems.append(f"media: {unpacked} files unpacked, the manifest says {manifest['files']['media.tar.gz']['files']}")
        print(f"  media: {unpacked} files unpacked into {media_target}")
    else:
        print("  media.tar.gz checked but not unpacked (RESTORE_MEDIA_ROOT not set)")

verify_env = {name_: value for name_, value in env.items() if not name_.startswith("DATABASE_")}
verify_env["DATABASE_URL"] = target_url
verify = subprocess.run(
    [".venv/bin/himaccess", "audit", "verify"], env=verify_env, capture_output=True, text=True, check=False
)
said = (verify.stdout + verify.stderr).strip()
if verify.returncode == 0:
    print(f"  audit verify: {said}")
else:
    print("  audit verify failed:\n    " + said.replace("\n", "\n    "), file=sys.stderr)
    problems.append(f"the audit chain does not verify (exit {verify.returncode})")

if problems:
    print(f"RESTORE OF {name} IS NOT WHOLE:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    sys.exit(2)
print(f"restore into {name} verified in {time.perf_counter() - started:.1f} s")
PY
