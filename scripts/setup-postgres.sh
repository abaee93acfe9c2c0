#!/usr/bin/env bash
# A throwaway PostgreSQL server for examples/host_postgres: a cluster of its own under
# target/postgres (never the machine's own cluster), listening on 127.0.0.1 only.
#
#   bash scripts/setup-postgres.sh          # install if missing, init once, start; print the URL
#   bash scripts/setup-postgres.sh stop     # stop the server (the cluster stays for next time)
#   bash scripts/setup-postgres.sh clean    # stop and delete the cluster
#
# Idempotent: a second run finds the cluster (and the server, if still up) and reuses them.
# Writes target/postgres/env (LEADCORE_PG_URL=...), which the test sources.
# PostgreSQL comes from Debian's packages (`apt-get install postgresql`) when pg_ctl and
# initdb are missing; the package's own cluster is never used. initdb refuses to run as
# root, so as root the cluster belongs to the `postgres` user the package creates.
# Environment: LEADCORE_PG_PORT (default 54329; the next free port is taken if busy),
# LEADCORE_PG_DIR (default target/postgres).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
base="${LEADCORE_PG_DIR:-$root/target/postgres}"
data="$base/data"
envfile="$base/env"
say() { printf 'setup-postgres: %s\n' "$*"; }

find_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
            echo "$d"
            return 0
        fi
    done
    if command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir
        return 0
    fi
    return 1
}

bindir=$(find_bindir || true)
if [[ -z "$bindir" ]]; then
    if [[ "${1:-}" == stop || "${1:-}" == clean ]]; then
        say "PostgreSQL is not installed; nothing to stop"
        exit 0
    fi
    [[ $(id -u) -eq 0 ]] || { say "pg_ctl/initdb missing and not root: install postgresql" >&2; exit 1; }
    say "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q postgresql >/dev/null 2>&1 || {
        apt-get update -q >/dev/null
        apt-get install -y -q postgresql >/dev/null
    }
    bindir=$(find_bindir) || { say "postgresql installed but initdb not found" >&2; exit 1; }
fi

# As root, everything runs as the owner of the cluster.
if [[ $(id -u) -eq 0 ]]; then
    owner=postgres
    id -u "$owner" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$owner"
    as_owner() { runuser -u "$owner" -- "$@"; }
else
    owner=$(id -un)
    as_owner() { "$@"; }
fi
pg_ctl() { as_owner "$bindir/pg_ctl" -D "$data" "$@"; }
running() { [[ -f "$data/PG_VERSION" ]] && pg_ctl status >/dev/null 2>&1; }

case "${1:-start}" in
stop)
    if running; then
        pg_ctl stop -m fast -w >/dev/null
        say "stopped"
    else
        say "not running"
    fi
    exit 0
    ;;
clean)
    running && pg_ctl stop -m immediate -w >/dev/null
    rm -rf "$base"
    say "removed $base"
    exit 0
    ;;
start) ;;
*)
    echo "usage: $0 [start|stop|clean]" >&2
    exit 2
    ;;
esac

port_free() {
    # Free when nothing accepts a connection on 127.0.0.1:$1.
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

mkdir -p "$base"
if [[ ! -f "$data/PG_VERSION" ]]; then
    say "creating a cluster in $data ($("$bindir/postgres" --version))"
    rm -rf "$data"
    mkdir -p "$data"
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    pwfile="$base/.pw"
    (umask 077 && printf '%s\n' "$password" >"$pwfile")
    if [[ $(id -u) -eq 0 ]]; then
        chown -R "$owner" "$base"
        # The owner must reach the data directory from / (each parent searchable).
        as_owner test -w "$data" || { say "user $owner cannot write $data; set LEADCORE_PG_DIR" >&2; exit 1; }
    fi
    chmod 700 "$data"
    # Superuser `leadcore` with a password; TCP only with scram, no trust anywhere.
    as_owner "$bindir/initdb" -D "$data" -U leadcore --pwfile="$pwfile" \
        --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
        >"$base/initdb.log" 2>&1 || { cat "$base/initdb.log" >&2; exit 1; }
    rm -f "$pwfile"
    echo "$password" | as_owner tee "$data/.leadcore-password" >/dev/null
    as_owner chmod 600 "$data/.leadcore-password"
fi
password=$(cat "$data/.leadcore-password")

if running; then
    port=$(sed -n 's/^port *= *\([0-9]*\).*/\1/p' "$data/postgresql.auto.conf" | tail -1)
    say "already running on 127.0.0.1:$port"
else
    port="${LEADCORE_PG_PORT:-54329}"
    while ! port_free "$port"; do port=$((port + 1)); done
    # Loopback only, no Unix socket outside the data directory, a modest footprint.
    cat <<EOF | as_owner tee "$data/postgresql.auto.conf" >/dev/null
# Written by scripts/setup-postgres.sh on each start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 40
shared_buffers = '64MB'
fsync = on
logging_collector = off
EOF
    pg_ctl start -w -t 60 -l "$data/server.log" >/dev/null || { tail -20 "$data/server.log" >&2; exit 1; }
    say "started on 127.0.0.1:$port (log: $data/server.log)"
fi

url="postgresql://leadcore:$password@127.0.0.1:$port/postgres"
(umask 077 && printf 'export LEADCORE_PG_URL=%q\n' "$url" >"$envfile")
say "LEADCORE_PG_URL=postgresql://leadcore:***@127.0.0.1:$port/postgres (source $envfile)"
