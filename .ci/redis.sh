#!/usr/bin/env bash
# Start (or reuse) a throwaway Redis for the test suite: the Celery broker and result backend.
#
# Usage:
#   eval "$(bash .ci/redis.sh)"     # start or reuse; exports OER_TEST_BROKER_URL
#   bash .ci/redis.sh stop          # stop the server this script started
#   bash .ci/redis.sh status        # exit 0 if it answers PING
#
# Installs Debian's redis-server when it is missing, and runs it as the unprivileged user
# `oer-ci` (when started as root) on 127.0.0.1 only, daemonized, with no persistence (no RDB
# snapshots, no AOF): test data is thrown away with the server. Progress goes to stderr;
# stdout carries only the `export OER_TEST_BROKER_URL=...` line, so `eval` is safe. Running it
# again while the server is up reuses it.
#
# Settings (environment): OER_CI_REDIS_PORT (default 56379).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CI_LOG_PREFIX="redis.sh"
# shellcheck source=lib.sh
source "${ROOT}/.ci/lib.sh"

PORT="${OER_CI_REDIS_PORT:-56379}"
URL="redis://127.0.0.1:${PORT}/0"
RUN_DIR="${ROOT}/.ci/cache/redis-run"
PID_FILE="${RUN_DIR}/redis.pid"

answers() {
    command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p "${PORT}" ping 2>/dev/null)" = "PONG" ]
}

announce() {
    ci_log "Redis is up at ${URL}"
    echo "export OER_TEST_BROKER_URL=${URL}"
}


case "${1:-start}" in
    stop) stop_by_pid_file Redis "${PID_FILE}" 5; exit 0 ;;
    status) answers; exit ;;
    start) ;;
    *) ci_die "unknown command ${1}; use start, stop or status" ;;
esac

if answers; then
    ci_log "reusing the server already running on port ${PORT}"
    announce
    exit 0
fi

command -v redis-server >/dev/null || apt_install_missing redis-server
ensure_ci_user
mkdir -p "${RUN_DIR}"
[ "$(id -u)" -ne 0 ] || chown "${CI_USER}:" "${RUN_DIR}"
rm -f "${PID_FILE}"

ci_log "starting Redis on 127.0.0.1:${PORT}"
# --save "" and --appendonly no: no persistence; --dir keeps any stray file in the run dir.
as_ci_user redis-server \
    --bind 127.0.0.1 --port "${PORT}" --protected-mode yes \
    --daemonize yes --pidfile "${PID_FILE}" \
    --logfile "${RUN_DIR}/redis.log" --dir "${RUN_DIR}" \
    --save "" --appendonly no \
    || { tail -n 20 "${RUN_DIR}/redis.log" >&2 || true; ci_die "Redis failed to start"; }

for _ in $(seq 1 100); do
    if answers; then
        announce
        exit 0
    fi
    sleep 0.1
done
tail -n 20 "${RUN_DIR}/redis.log" >&2 || true
ci_die "Redis did not answer on port ${PORT}"
