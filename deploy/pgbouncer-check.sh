#!/usr/bin/env bash
# Him-Access behind PgBouncer in transaction mode, for real: Debian's pgbouncer (installed if
# missing) started on a free port in front of the PostgreSQL on 127.0.0.1:5432 with a config of
# its own in a temporary folder, a part of the test suite run through it with
# DATABASE_POOLER=transaction, then stopped. The PostgreSQL server is not reconfigured.
#
#   deploy/pgbouncer-check.sh [pytest arguments]
#   (default: the register, the applications and the replica router's tests)
#
# The test databases are made through the pooler as Django makes them (CREATE DATABASE on the
# "postgres" database). PgBouncer keeps its server connections to them open, so Django's DROP at
# the end would be refused ("being accessed by other users"): the pool is closed first (the
# admin console's KILL), then the test databases are dropped on PostgreSQL directly.
set -euo pipefail
cd "$(dirname "$0")/.."

upstream_host="${PGHOST_UPSTREAM:-127.0.0.1}"
upstream_port="${PGPORT_UPSTREAM:-5432}"
database="himaccess_pgbouncer_$$"
if [ "$#" -eq 0 ]; then
  set -- himaccess/registry himaccess/applications himaccess/lib/tests/test_replica_reads.py -x -q -n 2
fi

if ! command -v pgbouncer >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
fi
pgbouncer --version | head -n1

port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
folder="$(mktemp -d)"
cat >"$folder/pgbouncer.ini" <<INI
[databases]
; Every database name, the test databases Django makes included, on the one upstream server.
* = host=$upstream_host port=$upstream_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir = $folder
pidfile = $folder/pgbouncer.pid
logfile = $folder/pgbouncer.log
; Loopback and a throwaway server here; production uses scram-sha-256 with auth_query and TLS.
auth_type = trust
auth_file = $folder/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
INI
echo '"postgres" ""' >"$folder/userlist.txt"
chown -R postgres "$folder"

stop() {
  status=$?
  if [ -f "$folder/pgbouncer.pid" ]; then
    kill "$(cat "$folder/pgbouncer.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$folder/pgbouncer.pid" ] || break; sleep 0.1; done
    echo "pgbouncer stopped"
  fi
  # Test databases of this run (Django's names: test_<name>, with _gwN per xdist worker).
  for leftover in $(psql -X -h "$upstream_host" -p "$upstream_port" -U postgres -Atc \
    "SELECT datname FROM pg_database WHERE datname LIKE 'test\_$database%' OR datname = '$database'"); do
    psql -X -h "$upstream_host" -p "$upstream_port" -U postgres -qc "DROP DATABASE \"$leftover\" WITH (FORCE)"
  done
  rm -rf "$folder"
  exit "$status"
}
trap stop EXIT

# PgBouncer will not run as root.
runuser -u postgres -- pgbouncer -d "$folder/pgbouncer.ini"
for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.1; done
echo "pgbouncer on 127.0.0.1:$port, pool_mode $(psql -X -h 127.0.0.1 -p "$port" -U postgres -Atc 'SHOW CONFIG' pgbouncer | grep '^pool_mode|' | cut -d'|' -f2), in front of $upstream_host:$upstream_port"

started=$(date +%s)
status=0
DATABASE_URL="postgres://postgres@127.0.0.1:$port/$database" DATABASE_POOLER=transaction \
  .venv/bin/pytest -p no:randomly "$@" || status=$?
echo "pytest through pgbouncer: exit $status in $(($(date +%s) - started)) s"

admin() { psql -X -h 127.0.0.1 -p "$port" -U postgres -d pgbouncer "$@"; }
# Named columns of an admin console listing, for this run's databases only.
columns() {
  admin -A -F'|' -P footer=off -c "$1" | awk -F'|' -v db="$database" -v want="$2" '
    NR == 1 { n = split(want, names, ","); for (i = 1; i <= NF; i++) at[$i] = i; next }
    index($1, db) { line = $1; for (j = 1; j <= n; j++) line = line "  " names[j] "=" $(at[names[j]]); print "  " line }'
}
echo "pgbouncer's own counts for this run's databases:"
columns "SHOW STATS" total_xact_count,total_query_count,avg_xact_time,avg_wait_time
columns "SHOW POOLS" cl_active,cl_waiting,sv_active,sv_idle,sv_used,maxwait
# Closes the pool's server connections so the test databases can be dropped.
for pool in $(admin -Atc "SHOW DATABASES" | cut -d'|' -f1 | grep "$database" || true); do
  admin -qc "KILL $pool" >/dev/null
done
exit "$status"
