#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: initdb and pg_ctl (Debian's `postgresql`) into a
# temporary folder, listening on 127.0.0.1 only at a free port, with a role `kyniem` (password,
# CREATEDB: the tests create one database per case) and a database `kyniem`.
#
#   scripts/pg-server.sh start DIR   prints the environment the tests read (eval it):
#                                    KYNIEM_TEST_POSTGRES=postgresql://kyniem@127.0.0.1:PORT/kyniem?sslmode=disable
#                                    PGPASSWORD=...
#   scripts/pg-server.sh stop DIR    stops it (fast shutdown) and removes DIR
#
# pg_ctl refuses to run as root: as root, the server runs as the `postgres` user (created by the
# package), which gets DIR.
set -euo pipefail
command=${1:?start or stop}
dir=${2:?a folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/pg_ctl" ] || { echo "pg-server.sh: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE kyniem LOGIN CREATEDB PASSWORD '$password'" -c "CREATE DATABASE kyniem OWNER kyniem" >&2
  echo "$port" >"$dir/port"
  echo "export KYNIEM_TEST_POSTGRES='postgresql://kyniem@127.0.0.1:$port/kyniem?sslmode=disable'"
  echo "export PGPASSWORD='$password'"
  ;;
stop)
  if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  ;;
*) echo "pg-server.sh: start or stop" >&2; exit 2 ;;
esac
