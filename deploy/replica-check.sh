#!/usr/bin/env bash
# A streaming replica, for real, on one machine: a throwaway primary cluster and a hot standby
# made from it with pg_basebackup, Him-Access migrated and seeded on the primary, the standby
# seen to replay it (and how far behind it was), to refuse writes, and to serve the catalogue
# pages through the database router. Both clusters are dropped at the end, also on failure.
#
# Needs Debian's PostgreSQL (pg_createcluster, pg_ctlcluster) and root (the clusters run as
# postgres). Any cluster already on this machine is left alone: the two made here have their own
# names and ports (PRIMARY_PORT, REPLICA_PORT; 5442 and 5443 unless set).
#
#   deploy/replica-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

version="${PG_VERSION:-$(ls /etc/postgresql | sort -n | tail -n1)}"
primary_port="${PRIMARY_PORT:-5442}"
replica_port="${REPLICA_PORT:-5443}"
primary="himaccess_check_primary"
replica="himaccess_check_replica"
database="himaccess"
primary_url="postgres://postgres@127.0.0.1:$primary_port/$database"
replica_url="postgres://postgres@127.0.0.1:$replica_port/$database"
data_dir="$(mktemp -d)"
export HIMACCESS_DATA_DIR="$data_dir"

say() { printf '\n--- %s\n' "$*"; }
on() { psql -X -h 127.0.0.1 -U postgres -p "$1" -d "${3:-$database}" -Atc "$2"; }
millis() { date +%s%3N; }

for port in "$primary_port" "$replica_port"; do
  if pg_isready -q -h 127.0.0.1 -p "$port"; then
    echo "port $port is in use; set PRIMARY_PORT and REPLICA_PORT to free ports" >&2
    exit 1
  fi
done
for cluster in "$primary" "$replica"; do
  if [ -d "/etc/postgresql/$version/$cluster" ]; then
    echo "cluster $version/$cluster exists (left by an interrupted run?); drop it with:" >&2
    echo "  pg_dropcluster --stop $version $cluster" >&2
    exit 1
  fi
done

made=()
cleanup() {
  status=$?
  for cluster in "${made[@]}"; do
    pg_dropcluster --stop "$version" "$cluster" || true
  done
  rm -rf "$data_dir"
  [ "$status" -eq 0 ] && echo "dropped both clusters" || echo "FAILED (exit $status); clusters dropped" >&2
}
trap cleanup EXIT

say "primary: PostgreSQL $version cluster $primary on port $primary_port"
# Trust on loopback only, as the machine's own cluster; a real primary uses scram and TLS.
pg_createcluster -q "$version" "$primary" -p "$primary_port" -- --auth-local=trust --auth-host=trust >/dev/null
made+=("$primary")
pg_ctlcluster --skip-systemctl-redirect "$version" "$primary" start
on "$primary_port" "SHOW wal_level" postgres | sed 's/^/wal_level=/'

say "replica: pg_basebackup -R of the primary into cluster $replica on port $replica_port"
pg_createcluster -q "$version" "$replica" -p "$replica_port" -- --auth-local=trust --auth-host=trust >/dev/null
made+=("$replica")
replica_data="/var/lib/postgresql/$version/$replica"
rm -rf "${replica_data:?}"/*
started=$(millis)
runuser -u postgres -- pg_basebackup -h 127.0.0.1 -p "$primary_port" -U postgres \
  -D "$replica_data" -R -X stream -c fast
echo "base backup in $(($(millis) - started)) ms; standby.signal: $([ -f "$replica_data/standby.signal" ] && echo yes), streams from $(grep -o "host=[^ ]* port=[0-9]*" "$replica_data/postgresql.auto.conf")"
pg_ctlcluster --skip-systemctl-redirect "$version" "$replica" start
for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p "$replica_port" && break; sleep 1; done
echo "replica in recovery: $(on "$replica_port" "SELECT pg_is_in_recovery()" postgres)"
echo "primary sees: $(on "$primary_port" "SELECT application_name || ' ' || state || ' ' || sync_state FROM pg_stat_replication" postgres)"

say "Him-Access migrated on the primary, then the reference geography and 50 families through the product"
on "$primary_port" "CREATE DATABASE $database" postgres >/dev/null
started=$(millis)
DATABASE_URL="$primary_url" .venv/bin/himaccess migrate --noinput >/dev/null
echo "migrate: $(($(millis) - started)) ms"
DATABASE_URL="$primary_url" .venv/bin/himaccess load_geography
DATABASE_URL="$primary_url" .venv/bin/himaccess seed --families 50 --workers 1 2>/dev/null

# Replay lag: from the end of the primary's last commit to the standby having replayed it.
wait_for_replay() {
  local target started
  target=$(on "$primary_port" "SELECT pg_current_wal_lsn()")
  started=$(millis)
  until [ "$(on "$replica_port" "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '$target') >= 0")" = "t" ]; do
    if [ $(($(millis) - started)) -gt 30000 ]; then
      echo "the replica did not replay $target within 30 s" >&2
      return 1
    fi
    sleep 0.01
  done
  echo "replayed up to $target $(($(millis) - started)) ms after the primary's last commit was read"
}

say "the replica replays what the primary committed"
wait_for_replay
echo "primary: $(on "$primary_port" "SELECT count(*) FROM registry_family") families, $(on "$primary_port" "SELECT count(*) FROM registry_member") members"
echo "replica: $(on "$replica_port" "SELECT count(*) FROM registry_family") families, $(on "$replica_port" "SELECT count(*) FROM registry_member") members"
[ "$(on "$primary_port" "SELECT count(*) FROM registry_member")" = "$(on "$replica_port" "SELECT count(*) FROM registry_member")" ]
echo "lag as the primary measures it: $(on "$primary_port" "SELECT coalesce(replay_lag::text, 'none (idle)') FROM pg_stat_replication" postgres)"

say "the replica refuses writes"
if refusal=$(on "$replica_port" "UPDATE registry_family SET updated_at = now() WHERE false" 2>&1); then
  echo "the replica accepted a write: $refusal" >&2
  exit 1
fi
echo "$refusal"
if refusal=$(DATABASE_URL="$replica_url" .venv/bin/himaccess seed --families 1 --workers 1 2>&1 >/dev/null); then
  echo "the product could write to the replica" >&2
  exit 1
fi
line=$(printf '%s\n' "$refusal" | grep -m1 -io "cannot execute .* in a read-only transaction" || true)
echo "himaccess seed against the replica: ${line:-$(printf '%s\n' "$refusal" | tail -n1)}"

say "replay paused: 10 more families on the primary, read through the router"
on "$replica_port" "SELECT pg_wal_replay_pause()" postgres >/dev/null
DATABASE_URL="$primary_url" .venv/bin/himaccess seed --families 10 --seed 2 --workers 1 2>/dev/null
DATABASE_URL="$primary_url" DATABASE_REPLICA_URL="$replica_url" ALLOWED_HOSTS=localhost DJANGO_SETTINGS_MODULE=himaccess.settings \
  .venv/bin/python - <<'PY'
import django

django.setup()

from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from himaccess.lib.databases import stale_reads_ok
from himaccess.registry.models import Family

for alias in ("default", "replica"):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery()")
        port, recovery = cursor.fetchone()
    print(f"alias {alias}: port {port}, in recovery: {recovery}")

primary_count = Family.objects.count()
with stale_reads_ok():
    stale_count = Family.objects.count()
    with transaction.atomic():
        in_transaction = Family.objects.count()
print(f"families: {primary_count} on the primary; {stale_count} inside stale_reads_ok(); "
      f"{in_transaction} inside stale_reads_ok() within a transaction")
assert stale_count < primary_count == in_transaction

client = Client(HTTP_HOST="localhost")
with CaptureQueriesContext(connections["replica"]) as on_replica, CaptureQueriesContext(
    connections["default"]
) as on_primary:
    index = client.get("/services/", {"q": "income certificate"})
    detail = client.get("/services/s/CERT-02/")
print(f"catalogue pages: {index.status_code} and {detail.status_code}; "
      f"{len(on_replica.captured_queries)} queries on the replica, {len(on_primary.captured_queries)} on the primary")
assert index.status_code == detail.status_code == 200
assert on_replica.captured_queries and not any(
    "catalog_" in q["sql"] for q in on_primary.captured_queries
)
PY
on "$replica_port" "SELECT pg_wal_replay_resume()" postgres >/dev/null
wait_for_replay
echo "after resuming: replica has $(on "$replica_port" "SELECT count(*) FROM registry_family") families"
