#!/usr/bin/env bash
# Start (or reuse) a single-node Elasticsearch for the test suite, from nothing.
#
# Usage:
#   eval "$(.ci/elasticsearch.sh)"      # start or reuse; exports OER_TEST_SEARCH_URL
#   .ci/elasticsearch.sh stop           # stop the node this script started
#   .ci/elasticsearch.sh status         # print the cluster health, exit 1 if it is not up
#
# What it does: fetches the Elasticsearch distribution from Maven Central with Maven
# (org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip, the same major
# version as the pinned Python client), caches the zip and the unpacked node under .ci/cache/,
# and runs it as the unprivileged user `oer-ci` (Elasticsearch refuses to run as root): single
# node, security off, 512 MB heap, bound to 127.0.0.1 only. Progress goes to stderr; stdout
# carries only the `export OER_TEST_SEARCH_URL=...` line, so `eval` is safe. Running it again
# while the node is up reuses it.
#
# That distribution ships without the `analysis-common` module (no Dutch stemmer, no ASCII
# folding); the Elasticsearch backend detects this and falls back to the analysis it has.
#
# Settings (environment): OER_CI_ES_VERSION (default 9.5.0), OER_CI_ES_PORT (59200; the
# transport port is 100 higher), OER_CI_CACHE (default .ci/cache), ES_JAVA_HOME (default: the
# newest JDK >= 21 found in JAVA_HOME or /usr/lib/jvm; the integ-test-zip bundles none).
set -euo pipefail

ES_VERSION="${OER_CI_ES_VERSION:-9.5.0}"
PORT="${OER_CI_ES_PORT:-59200}"
TRANSPORT_PORT="$((PORT + 100))"
URL="http://127.0.0.1:${PORT}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CI_LOG_PREFIX="elasticsearch.sh"
# shellcheck source=lib.sh
source "${ROOT}/.ci/lib.sh"
CACHE="${OER_CI_CACHE:-${ROOT}/.ci/cache}"
ZIP="${CACHE}/elasticsearch-${ES_VERSION}.zip"
ES_HOME="${CACHE}/elasticsearch-${ES_VERSION}"
RUN_DIR="${CACHE}/elasticsearch-run-${PORT}"
PID_FILE="${RUN_DIR}/elasticsearch.pid"

cluster_up() {
    curl -fsS --max-time 2 "${URL}/_cluster/health" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'
}

announce() {
    ci_log "Elasticsearch ${ES_VERSION} is up at ${URL}"
    echo "export OER_TEST_SEARCH_URL=${URL}"
}

java_major() {
    # `java -version` prints e.g. 'openjdk version "25.0.3" 2026-04-21' on stderr.
    "$1/bin/java" -version 2>&1 | head -n1 | sed -E 's/.*version "([0-9]+).*/\1/'
}

find_java() {
    local candidate best="" best_major=0 major
    for candidate in "${ES_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [ -n "${candidate}" ] && [ -x "${candidate}/bin/java" ] || continue
        major="$(java_major "${candidate}")"
        [[ "${major}" =~ ^[0-9]+$ ]] || continue
        # An explicit ES_JAVA_HOME wins as long as it is new enough.
        if [ "${candidate}" = "${ES_JAVA_HOME:-}" ] && [ "${major}" -ge 21 ]; then
            echo "${candidate}"; return 0
        fi
        if [ "${major}" -gt "${best_major}" ]; then best="${candidate}"; best_major="${major}"; fi
    done
    # Elasticsearch 9 needs Java 21 or newer; the integ-test-zip bundles no JDK.
    [ "${best_major}" -ge 21 ] || ci_die "no JDK >= 21 found (set ES_JAVA_HOME); Elasticsearch 9 needs one"
    echo "${best}"
}


case "${1:-start}" in
    stop) stop_by_pid_file Elasticsearch "${PID_FILE}" 60; exit 0 ;;
    status) cluster_up && { curl -fsS "${URL}/_cluster/health" >&2; echo >&2; exit 0; }; exit 1 ;;
    start) ;;
    *) ci_die "unknown command ${1}; use start, stop or status" ;;
esac

if cluster_up; then
    ci_log "reusing the node already running at ${URL}"
    announce
    exit 0
fi

mkdir -p "${CACHE}"

if [ ! -f "${ZIP}" ]; then
    command -v mvn >/dev/null || apt_install_missing maven
    command -v unzip >/dev/null || apt_install_missing unzip
    ci_log "fetching Elasticsearch ${ES_VERSION} from Maven Central"
    mvn -B -q -Dstyle.color=never dependency:copy \
        "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip" \
        "-DoutputDirectory=${CACHE}" \
        "-Dmaven.repo.local=${CACHE}/m2" >&2
    [ -f "${ZIP}" ] || ci_die "Maven did not produce ${ZIP}"
fi

if [ ! -x "${ES_HOME}/bin/elasticsearch" ]; then
    ci_log "unpacking ${ZIP}"
    rm -rf "${ES_HOME}.partial"
    mkdir -p "${ES_HOME}.partial"
    unzip -q "${ZIP}" -d "${ES_HOME}.partial"
    mv "${ES_HOME}.partial/elasticsearch-${ES_VERSION}" "${ES_HOME}"
    rm -rf "${ES_HOME}.partial"
fi

# Shared with the other service scripts: created once, reused after.
ensure_ci_user

mkdir -p "${RUN_DIR}/data" "${RUN_DIR}/logs" "${RUN_DIR}/tmp"
if [ "$(id -u)" -eq 0 ]; then
    # The node writes its keystore into config/ and its state into the run directory.
    chown -R "${CI_USER}:" "${ES_HOME}" "${RUN_DIR}"
fi

JAVA_DIR="$(find_java)"
ci_log "starting Elasticsearch ${ES_VERSION} on ${URL} with Java $(java_major "${JAVA_DIR}") (${JAVA_DIR})"
rm -f "${PID_FILE}"
# -d daemonises; -p writes the pid file `stop` uses. Loopback only and single-node keeps the
# production bootstrap checks (vm.max_map_count ...) off, so no root-only host tuning is needed.
as_ci_user env \
    ES_JAVA_HOME="${JAVA_DIR}" \
    ES_TMPDIR="${RUN_DIR}/tmp" \
    ES_JAVA_OPTS="-Xms512m -Xmx512m" \
    "${ES_HOME}/bin/elasticsearch" -d -p "${PID_FILE}" \
        -E discovery.type=single-node \
        -E xpack.security.enabled=false \
        -E network.host=127.0.0.1 \
        -E "http.port=${PORT}" \
        -E "transport.port=${TRANSPORT_PORT}" \
        -E "path.data=${RUN_DIR}/data" \
        -E "path.logs=${RUN_DIR}/logs" \
        -E cluster.name=oer-ci \
        -E cluster.routing.allocation.disk.threshold_enabled=false \
        >"${RUN_DIR}/logs/stdout.log" 2>&1 \
    || { tail -n 40 "${RUN_DIR}/logs/stdout.log" >&2; ci_die "Elasticsearch failed to start"; }

for _ in $(seq 1 120); do
    if cluster_up; then
        announce
        exit 0
    fi
    if [ -f "${PID_FILE}" ] && ! kill -0 "$(cat "${PID_FILE}")" 2>/dev/null; then
        break
    fi
    sleep 1
done
tail -n 40 "${RUN_DIR}/logs/"*.log >&2 || true
ci_die "Elasticsearch did not become healthy at ${URL}"
