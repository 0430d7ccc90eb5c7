#!/usr/bin/env bash
# The benchmark on a throwaway PostgreSQL 15 server with production durability (fsync on), deleted afterwards.
# Usage: bash tests/bench/bench_postgres.sh [shielddesk bench options, e.g. --children 1000000 --json pg.json]
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
HERE="$(cd "$(dirname "$0")/../.." && pwd)"
PY="${PYTHON:-$HERE/.venv/bin/python}"
DATA="$(mktemp -d /tmp/shielddesk-bench-pg.XXXXXX)"
PORT="${PGPORT:-55432}"
RUN=()
if [ "$(id -u)" = 0 ]; then chown postgres "$DATA"; RUN=(runuser -u postgres --); fi
cleanup() { "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DATA"; }
trap cleanup EXIT
"${RUN[@]}" "$BIN/initdb" -D "$DATA/db" -U postgres --auth=trust >/dev/null
"${RUN[@]}" "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/log" -w start \
  -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_wal_size=8GB -c work_mem=64MB -c maintenance_work_mem=512MB" >/dev/null
"${RUN[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres shielddesk_bench
[ -n "${KEEP_SERVER:-}" ] && trap - EXIT && echo "server: $DATA port $PORT"
"$PY" -m shielddesk bench --db "postgresql://postgres@127.0.0.1:$PORT/shielddesk_bench" "$@"
