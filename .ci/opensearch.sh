#!/usr/bin/env bash
# Start (or reuse) a single-node OpenSearch, with its Dutch analysis, for the test suite.
#
# Usage:
#   eval "$(.ci/opensearch.sh)"      # start or reuse; exports OER_TEST_OPENSEARCH_URL
#   .ci/opensearch.sh stop           # stop the node this script started
#   .ci/opensearch.sh status         # print the cluster health, exit 1 if it is not up
#
# What it does: fetches the OpenSearch distribution from Maven Central with Maven
# (org.opensearch.distribution.integ-test-zip:opensearch:<version>:zip) and the jar of its
# `analysis-common` module (org.opensearch.plugin:analysis-common:<version>, the Snowball
# stemmers, ASCII folding and the other "built in" filters), caches both and the unpacked node
# under .ci/cache/, and runs it as the unprivileged user `oer-ci` (OpenSearch refuses to run as
# root): single node, 512 MB heap, bound to 127.0.0.1 only (the integ-test-zip has no security
# plugin, so plain HTTP without credentials). Progress goes to stderr; stdout carries only the
# `export OER_TEST_OPENSEARCH_URL=...` line, so `eval` is safe. Running it again while the node
# is up reuses it.
#
# Maven Central carries analysis-common as a plain jar, not as a plugin zip, so it is installed
# the way the full distribution ships it: as a module, modules/analysis-common/ holding the jar
# and a plugin descriptor. The descriptor names no extended plugin: the full distribution's says
# `lang-painless` (for Painless script hooks into analysis), which the integ-test-zip lacks and
# the tests do not use. The node is then asked to run the Dutch stemmer and ASCII folding before
# it is announced, so a node without the Dutch analysis is a failure here, not a fallback.
#
# Settings (environment): OER_CI_OS_VERSION (default 2.19.6), OER_CI_OS_PORT (59201; the
# transport port is 100 higher), OER_CI_CACHE (default .ci/cache), OPENSEARCH_JAVA_HOME (default:
# the newest JDK 11-23 found in JAVA_HOME or /usr/lib/jvm; the integ-test-zip bundles none, and
# OpenSearch 2 needs the Java security manager, which JDK 24 removed).
set -euo pipefail

OS_VERSION="${OER_CI_OS_VERSION:-2.19.6}"
PORT="${OER_CI_OS_PORT:-59201}"
TRANSPORT_PORT="$((PORT + 100))"
URL="http://127.0.0.1:${PORT}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CI_LOG_PREFIX="opensearch.sh"
# shellcheck source=lib.sh
source "${ROOT}/.ci/lib.sh"
CACHE="${OER_CI_CACHE:-${ROOT}/.ci/cache}"
ZIP="${CACHE}/opensearch-${OS_VERSION}.zip"
ANALYSIS_JAR="${CACHE}/analysis-common-${OS_VERSION}.jar"
OS_HOME="${CACHE}/opensearch-${OS_VERSION}"
MODULE_DIR="${OS_HOME}/modules/analysis-common"
RUN_DIR="${CACHE}/opensearch-run-${PORT}"
PID_FILE="${RUN_DIR}/opensearch.pid"

cluster_up() {
    curl -fsS --max-time 2 "${URL}/_cluster/health" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'
}

# The analysis the tests depend on: "Rivieren" through lower-casing, ASCII folding and the
# Snowball Dutch stemmer must come out as "rivier".
dutch_analysis_works() {
    curl -fsS --max-time 5 -H 'Content-Type: application/json' -X POST "${URL}/_analyze" -d \
        '{"tokenizer":"standard","filter":["lowercase","asciifolding",{"type":"stemmer","language":"dutch"}],"text":"Rivieren"}' \
        2>/dev/null | grep -q '"token":"rivier"'
}

announce() {
    dutch_analysis_works \
        || ci_die "OpenSearch at ${URL} cannot run the Dutch stemmer and ASCII folding (no analysis-common)"
    ci_log "OpenSearch ${OS_VERSION} is up at ${URL}, with Dutch analysis"
    echo "export OER_TEST_OPENSEARCH_URL=${URL}"
}

java_major() {
    # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' on stderr.
    "$1/bin/java" -version 2>&1 | head -n1 | sed -E 's/.*version "([0-9]+).*/\1/'
}

find_java() {
    local candidate best="" best_major=0 major
    for candidate in "${OPENSEARCH_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [ -n "${candidate}" ] && [ -x "${candidate}/bin/java" ] || continue
        major="$(java_major "${candidate}")"
        [[ "${major}" =~ ^[0-9]+$ ]] || continue
        [ "${major}" -ge 11 ] && [ "${major}" -le 23 ] || continue
        # An explicit OPENSEARCH_JAVA_HOME wins as long as it fits.
        if [ "${candidate}" = "${OPENSEARCH_JAVA_HOME:-}" ]; then
            echo "${candidate}"; return 0
        fi
        if [ "${major}" -gt "${best_major}" ]; then best="${candidate}"; best_major="${major}"; fi
    done
    [ -n "${best}" ] || ci_die "no JDK 11-23 found (set OPENSEARCH_JAVA_HOME); OpenSearch 2 needs one"
    echo "${best}"
}

# fetch ARTIFACT FILE: copy a Maven Central artifact into the cache. The local repository stays
# under the cache too, so a second run downloads nothing; it is not the one .ci/elasticsearch.sh
# uses, because .ci/run starts both at once and Maven 3.8 does not lock a shared one.
fetch() {
    local artifact="$1" file="$2"
    [ -f "${file}" ] && return 0
    command -v mvn >/dev/null || apt_install_missing maven
    ci_log "fetching ${artifact} from Maven Central"
    mvn -B -q -Dstyle.color=never dependency:copy \
        "-Dartifact=${artifact}" \
        "-DoutputDirectory=${CACHE}" \
        "-Dmaven.repo.local=${CACHE}/m2-opensearch" >&2
    [ -f "${file}" ] || ci_die "Maven did not produce ${file}"
}

case "${1:-start}" in
    stop) stop_by_pid_file OpenSearch "${PID_FILE}" 60; exit 0 ;;
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
fetch "org.opensearch.distribution.integ-test-zip:opensearch:${OS_VERSION}:zip" "${ZIP}"
fetch "org.opensearch.plugin:analysis-common:${OS_VERSION}:jar" "${ANALYSIS_JAR}"

if [ ! -x "${OS_HOME}/bin/opensearch" ]; then
    command -v unzip >/dev/null || apt_install_missing unzip
    ci_log "unpacking ${ZIP}"
    rm -rf "${OS_HOME}.partial"
    mkdir -p "${OS_HOME}.partial"
    unzip -q "${ZIP}" -d "${OS_HOME}.partial"
    mv "${OS_HOME}.partial/opensearch-${OS_VERSION}" "${OS_HOME}"
    rm -rf "${OS_HOME}.partial"
fi

if [ ! -f "${MODULE_DIR}/plugin-descriptor.properties" ]; then
    ci_log "installing the analysis-common module"
    rm -rf "${MODULE_DIR}.partial"
    mkdir -p "${MODULE_DIR}.partial"
    cp "${ANALYSIS_JAR}" "${MODULE_DIR}.partial/"
    # The fields of the descriptor the full distribution ships (see the header for
    # extended.plugins).
    cat >"${MODULE_DIR}.partial/plugin-descriptor.properties" <<EOF
description=Adds "built in" analyzers to OpenSearch.
version=${OS_VERSION}
name=analysis-common
classname=org.opensearch.analysis.common.CommonAnalysisPlugin
java.version=11
opensearch.version=${OS_VERSION}
custom.foldername=
extended.plugins=
has.native.controller=false
EOF
    mv "${MODULE_DIR}.partial" "${MODULE_DIR}"
fi

# Shared with the other service scripts: created once, reused after.
ensure_ci_user

mkdir -p "${RUN_DIR}/data" "${RUN_DIR}/logs" "${RUN_DIR}/tmp"
if [ "$(id -u)" -eq 0 ]; then
    # The node writes its keystore into config/, its GC log into logs/ and its state into the
    # run directory.
    chown -R "${CI_USER}:" "${OS_HOME}" "${RUN_DIR}"
fi

JAVA_DIR="$(find_java)"
ci_log "starting OpenSearch ${OS_VERSION} on ${URL} with Java $(java_major "${JAVA_DIR}") (${JAVA_DIR})"
rm -f "${PID_FILE}"
# -d daemonises; -p writes the pid file `stop` uses. Loopback only and single-node keeps the
# production bootstrap checks (vm.max_map_count ...) off, so no root-only host tuning is needed.
# The heap is kept small: the CI machine has two cores and runs Elasticsearch beside it.
as_ci_user env \
    OPENSEARCH_JAVA_HOME="${JAVA_DIR}" \
    OPENSEARCH_TMPDIR="${RUN_DIR}/tmp" \
    OPENSEARCH_JAVA_OPTS="-Xms512m -Xmx512m" \
    "${OS_HOME}/bin/opensearch" -d -p "${PID_FILE}" \
        -E discovery.type=single-node \
        -E network.host=127.0.0.1 \
        -E "http.port=${PORT}" \
        -E "transport.port=${TRANSPORT_PORT}" \
        -E "path.data=${RUN_DIR}/data" \
        -E "path.logs=${RUN_DIR}/logs" \
        -E cluster.name=oer-ci-opensearch \
        -E cluster.routing.allocation.disk.threshold_enabled=false \
        >"${RUN_DIR}/logs/stdout.log" 2>&1 \
    || { tail -n 40 "${RUN_DIR}/logs/stdout.log" >&2; ci_die "OpenSearch failed to start"; }

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
ci_die "OpenSearch did not become healthy at ${URL}"
