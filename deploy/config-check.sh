#!/usr/bin/env bash
# Checks what can be checked of deploy/ without starting it: nginx.conf with nginx's own parser
# (`nginx -t`, Debian's nginx installed if missing; a throwaway certificate stands in for the
# real one next to a copy of the unchanged file), compose.yaml as YAML with the services the
# topology needs, and the shell scripts with bash -n.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nginx >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
folder="$(mktemp -d)"
trap 'rm -rf "$folder"' EXIT
# The layout of /etc/nginx in the container: the two files, mime.types and tls/ side by side.
cp deploy/nginx.conf deploy/proxy_himaccess.conf /etc/nginx/mime.types "$folder/"
mkdir "$folder/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=himaccess.hp.gov.in" \
  -keyout "$folder/tls/privkey.pem" -out "$folder/tls/fullchain.pem" 2>/dev/null
if ! checked=$(nginx -t -c "$folder/nginx.conf" 2>&1); then
  echo "$checked" >&2
  exit 1
fi
echo "nginx.conf, nginx $(nginx -v 2>&1 | cut -d/ -f2) -t:"
echo "$checked" | sed "s|$folder/|deploy/|; s/^/  /"

# The rate limit as a client meets it: the same file with only its addresses moved to free
# loopback ports (the web nodes replaced by a stub), a burst at the login pages and the API.
free_port() { .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port); https_port=$(free_port); stub_port=$(free_port)
sed -e "s/listen 80/listen 127.0.0.1:$http_port/; s/listen 443/listen 127.0.0.1:$https_port/" \
  -e "s/172\.28\.0\.1[12]:8000/127.0.0.1:$stub_port/" -e "s|pid /tmp/nginx.pid|pid $folder/nginx.pid|" \
  "$folder/nginx.conf" >"$folder/local.conf"
.venv/bin/python -m http.server --bind 127.0.0.1 "$stub_port" --directory "$folder/tls" >/dev/null 2>&1 &
stub=$!
nginx -c "$folder/local.conf" -g "daemon off;" >"$folder/nginx.out" 2>&1 &
edge=$!
trap 'kill "$edge" "$stub" 2>/dev/null || true; rm -rf "$folder"' EXIT
for _ in $(seq 50); do curl -sk -o /dev/null "https://127.0.0.1:$https_port/" 2>/dev/null && break; sleep 0.1; done
ask() { curl -sk --resolve "himaccess.hp.gov.in:$https_port:127.0.0.1" -o "$folder/body" -D "$folder/headers" -w '%{http_code}' "https://himaccess.hp.gov.in:$https_port$1"; }
codes=""
for _ in $(seq 9); do codes="$codes $(ask /accounts/login/)"; done
echo "nine logins from one address at once: $codes"
grep -qi "^retry-after: 60" "$folder/headers" && grep -q "फिर प्रयास" "$folder/body"
echo "  the last: $(head -n1 "$folder/headers" | tr -d '\r'), $(grep -i '^retry-after' "$folder/headers" | tr -d '\r'); $(head -n1 "$folder/body")"
# One curl, 80 requests as fast as it sends them and an 81st whose answer is kept.
url="https://himaccess.hp.gov.in:$https_port/api/v1/services"
burst=()
for _ in $(seq 80); do burst+=(-o /dev/null "$url"); done
reach=(-sk --resolve "himaccess.hp.gov.in:$https_port:127.0.0.1" -w '%{http_code}\n')
codes=$(curl "${reach[@]}" "${burst[@]}" --next "${reach[@]}" -D "$folder/headers" -o "$folder/body" "$url")
echo "81 API calls at once: $(echo "$codes" | sort | uniq -c | awk '{printf "%s x %s  ", $1, $2}')"
grep -q '"code": "too_many_requests"' "$folder/body" && grep -qi "^retry-after: 60" "$folder/headers"
echo "  then: $(head -n1 "$folder/headers" | tr -d '\r'), $(grep -i '^retry-after' "$folder/headers" | tr -d '\r'), $(grep -i '^content-type' "$folder/headers" | tr -d '\r'); $(head -n1 "$folder/body")"
echo "plain HTTP for the site: $(curl -s -o /dev/null -w '%{http_code} -> %{redirect_url}' -H 'Host: himaccess.hp.gov.in' "http://127.0.0.1:$http_port/services/")"
if curl -sk -o /dev/null "https://127.0.0.1:$https_port/"; then
  echo "another host name was answered over HTTPS" >&2
  exit 1
fi
echo "another host name over HTTPS: TLS handshake refused"
echo "/media/ never from disk: $(ask /media/anything.pdf)"
kill "$edge" "$stub"
wait "$edge" "$stub" 2>/dev/null || true

.venv/bin/python - <<'PY'
from pathlib import Path

import yaml

compose = yaml.safe_load(Path("deploy/compose.yaml").read_text())
services = compose["services"]
needed = {"nginx", "web1", "web2", "worker", "beat", "db-primary", "db-replica", "pgbouncer", "redis", "rabbitmq"}
missing = needed - set(services)
assert not missing, f"compose.yaml lacks {sorted(missing)}"
assert services["beat"]["deploy"]["replicas"] == 1, "exactly one beat"
for web in ("web1", "web2"):
    env = services[web]["environment"]
    assert env["DATABASE_POOLER"] == "transaction" and "pgbouncer" in env["DATABASE_URL"], web
    assert env["BEHIND_TLS_PROXY"] == "true" and env["TRUSTED_PROXY_COUNT"] == "1", web
    assert services[web]["command"][:2] == ["gunicorn", "himaccess.wsgi"], web
for direct in ("worker", "beat", "release"):
    assert services[direct]["environment"]["DATABASE_POOLER"] == "none", direct
print(f"compose.yaml: valid YAML, {len(services)} services: {', '.join(sorted(services))}")
PY
for script in deploy/*.sh; do bash -n "$script"; done
echo "shell scripts: bash -n ok ($(ls deploy/*.sh | wc -l) files)"
