#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL for the tests and print the variable that points at it.
#
# Usage (CI and developers alike):
#     eval "$(bash .ci/postgres.sh)"     # exports OER_TEST_DATABASE_URL=postgresql+psycopg://...
#     bash .ci/postgres.sh stop           # stops the server (its data stays for the next start)
#     bash .ci/postgres.sh purge          # stops the server and removes its data
#
# Only the `export ...` line goes to stdout; progress goes to stderr. Idempotent: a server this
# script started before (same data directory) is reused as it is. The server listens on
# 127.0.0.1 only, on OER_CI_POSTGRES_PORT (default 55432, or the next free port), keeps its data
# under OER_CI_CACHE (default /var/tmp/oer-ci) and trades durability for speed (fsync off):
# it is for tests, never for data anyone wants to keep. PostgreSQL refuses to run as root, so
# as root the server runs as the system user `oer-ci` (created when missing); as any other
# user it runs as that user. The role `oer` (password `oer`, may create databases, so each test
# run makes and drops its own database) owns the database `oer`.
set -euo pipefail

CACHE_DIR="${OER_CI_CACHE:-/var/tmp/oer-ci}"
DATA_DIR="$CACHE_DIR/postgres/data"
RUN_DIR="$CACHE_DIR/postgres/run"
LOG_FILE="$CACHE_DIR/postgres/server.log"
SYSTEM_USER="oer-ci"
ROLE="oer"
PASSWORD="oer"
DATABASE="oer"
FIRST_PORT="${OER_CI_POSTGRES_PORT:-55432}"

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    # Debian keeps the server binaries out of PATH, one directory per major version.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ]; then
            echo "$dir"
            return
        fi
    done
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
        return
    fi
    return 1
}

BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "no PostgreSQL binaries found; installing Debian's postgresql package"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        BINDIR="$(find_bindir)"
    else
        log "no PostgreSQL server binaries (initdb, pg_ctl) found; install PostgreSQL"
        exit 1
    fi
fi

if [ "$(id -u)" = 0 ]; then
    if ! id -u "$SYSTEM_USER" >/dev/null 2>&1; then
        log "creating system user $SYSTEM_USER"
        # Elasticsearch's script creates the same user in parallel (.ci/run phase 2): losing
        # that race is fine as long as the user exists afterwards.
        useradd --system --no-create-home --shell /usr/sbin/nologin "$SYSTEM_USER" 2>/dev/null \
            || id -u "$SYSTEM_USER" >/dev/null 2>&1
    fi
    as_server_user() { runuser -u "$SYSTEM_USER" -- "$@"; }
else
    as_server_user() { "$@"; }
fi

pg_ctl_() { as_server_user "$BINDIR/pg_ctl" -D "$DATA_DIR" "$@"; }

server_running() {
    [ -f "$DATA_DIR/postmaster.pid" ] && pg_ctl_ status >/dev/null 2>&1
}

running_port() {
    # postmaster.pid: line 4 is the port the server listens on.
    sed -n 4p "$DATA_DIR/postmaster.pid"
}

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

case "${1:-start}" in
    stop)
        if server_running; then
            pg_ctl_ -m fast -w stop >&2
        else
            log "not running"
        fi
        exit 0
        ;;
    purge)
        if server_running; then
            pg_ctl_ -m fast -w stop >&2
        fi
        rm -rf "$CACHE_DIR/postgres"
        log "removed $CACHE_DIR/postgres"
        exit 0
        ;;
    start) ;;
    *)
        log "unknown command ${1}; use start (default), stop or purge"
        exit 2
        ;;
esac

mkdir -p "$CACHE_DIR/postgres" "$RUN_DIR"
chmod 755 "$CACHE_DIR" "$CACHE_DIR/postgres"
if [ "$(id -u)" = 0 ]; then
    chown "$SYSTEM_USER" "$CACHE_DIR/postgres" "$RUN_DIR"
fi

if [ ! -s "$DATA_DIR/PG_VERSION" ]; then
    log "initialising a new cluster in $DATA_DIR ($BINDIR)"
    as_server_user mkdir -p "$DATA_DIR"
    # Local socket connections (the setup below) are trusted; TCP needs the password.
    as_server_user "$BINDIR/initdb" -D "$DATA_DIR" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >&2
fi

if server_running; then
    PORT="$(running_port)"
    log "reusing the server already running on 127.0.0.1:$PORT"
else
    PORT="$FIRST_PORT"
    while ! port_free "$PORT"; do
        PORT=$((PORT + 1))
        if [ "$PORT" -gt $((FIRST_PORT + 50)) ]; then
            log "no free port from $FIRST_PORT on"
            exit 1
        fi
    done
    log "starting PostgreSQL on 127.0.0.1:$PORT (log: $LOG_FILE)"
    touch "$LOG_FILE"
    if [ "$(id -u)" = 0 ]; then
        chown "$SYSTEM_USER" "$LOG_FILE"
    fi
    pg_ctl_ -l "$LOG_FILE" -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $PORT \
        -c unix_socket_directories=$RUN_DIR -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=100" start >&2
fi

for _ in $(seq 1 60); do
    if "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
        break
    fi
    sleep 0.5
done
"$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" || { log "server did not become ready"; exit 1; }

psql_() { as_server_user "$BINDIR/psql" -h "$RUN_DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

if [ "$(psql_ -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
    log "creating role $ROLE"
    psql_ -d postgres -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
fi
# Lets the tests' DROP DATABASE ... WITH (FORCE) end an autovacuum worker busy in a test database.
psql_ -d postgres -c "GRANT pg_signal_backend TO $ROLE" >&2
if [ "$(psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
    log "creating database $DATABASE"
    psql_ -d postgres -c "CREATE DATABASE $DATABASE OWNER $ROLE" >&2
fi

echo "export OER_TEST_DATABASE_URL=postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
