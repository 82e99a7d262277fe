#!/usr/bin/env bash
# Start REPLICAS kseg replicas and nginx in front of them on ADDRESS:PORT;
# Ctrl-C or SIGTERM stops them all.  Usage: deploy/serve.sh [REPLICAS] [PORT]
#
# Settings (environment):
#   ADDRESS        where nginx listens: 127.0.0.1 (this machine only, the
#                  default) or 0.0.0.0 (every network the host is on)
#   TLS_CERT, TLS_KEY   the host's certificate and key (PEM files): HTTPS on
#                  PORT, and plain HTTP on HTTP_PORT (default 80) redirected
#   PASSWORD_FILE  a password file made by `make password`: every visitor
#                  is asked for a name and password (basic auth)
set -euo pipefail
cd "$(dirname "$0")/.."
REPLICAS=${1:-${REPLICAS:-2}}
PORT=${2:-${PORT:-8501}}
ADDRESS=${ADDRESS:-127.0.0.1}
HTTP_PORT=${HTTP_PORT:-80}
BASE=${REPLICA_BASE_PORT:-$((PORT + 100))}
PY=${PY:-.venv/bin/python}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

prefix=$(mktemp -d -t kseg-nginx-XXXXXX)
chmod 755 "$prefix"
pids=()
stop() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  rm -rf "$prefix"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

# The engine's compiled kernels, compiled once into their disk cache (a
# fresh install) before the replicas start; each replica loads them before
# it listens (deploy/launch.py).
"$PY" -c 'import kseg; print(f"kseg: kernels ready in {kseg.warm_up():.1f} s")'
# One memory budget for the whole server (KSEG_MEMORY_BUDGET_MB, else 80 %
# of the container's or the machine's memory) and one disk cap for series
# photos (KSEG_SPOOL_MB), each replica an equal share of both.
read -r budget_mb spool_mb < <("$PY" -c '
import sys
from webapp.server.budget import MB, budget_bytes
from webapp.server.spool import spool_cap
n = int(sys.argv[1])
print(budget_bytes()[0] / MB / n, spool_cap() / MB / n)
' "$REPLICAS")
printf 'each of %s replicas: a memory budget of %.0f MB, %.0f MB of series photos on disk\n' \
  "$REPLICAS" "$budget_mb" "$spool_mb"
servers=""
for i in $(seq 0 $((REPLICAS - 1))); do
  port=$((BASE + i))
  MALLOC_ARENA_MAX=2 KSEG_MEMORY_BUDGET_MB=$budget_mb KSEG_SPOOL_MB=$spool_mb \
    "$PY" deploy/launch.py --server.address 127.0.0.1 \
      --server.port "$port" --server.headless true --browser.gatherUsageStats false \
      > "$prefix/replica-$port.log" 2>&1 &
  pids+=($!)
  servers+="        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"$'\n'
  echo "replica $((i + 1)) of $REPLICAS: 127.0.0.1:$port (pid $!) log $prefix/replica-$port.log"
done
user=""
if [ "$(id -u)" = 0 ]; then user="user root root;"; fi
for d in body proxy fastcgi uwsgi scgi; do mkdir -p "$prefix/$d"; done
for f in "${TLS_CERT:-}" "${TLS_KEY:-}" "${PASSWORD_FILE:-}"; do
  if [ -n "$f" ] && [ ! -r "$f" ]; then echo "serve.sh: cannot read $f" >&2; exit 2; fi
done
if { [ -n "${TLS_CERT:-}" ] && [ -z "${TLS_KEY:-}" ]; } || { [ -z "${TLS_CERT:-}" ] && [ -n "${TLS_KEY:-}" ]; }; then
  echo "serve.sh: TLS needs both TLS_CERT and TLS_KEY" >&2; exit 2
fi
python3 deploy/render_nginx.py "$prefix" "$ADDRESS" "$PORT" "$HTTP_PORT" "$user" "$servers" \
  "${TLS_CERT:-}" "${TLS_KEY:-}" "${PASSWORD_FILE:-}"
"$NGINX" -p "$prefix" -c "$prefix/nginx.conf" &
nginx_pid=$!
pids+=("$nginx_pid")
scheme=http; if [ -n "${TLS_CERT:-}" ]; then scheme=https; fi
echo "kseg on $scheme://$ADDRESS:$PORT (nginx pid $nginx_pid, $REPLICAS replicas); Ctrl-C stops all"
# A replica that dies leaves the others serving; nginx ending ends it all.
wait "$nginx_pid" || true
echo "nginx ended; stopping the replicas" >&2
