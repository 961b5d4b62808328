# Shared shell functions of the CI scripts; source it, do not run it.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Everything here writes its progress to stderr, so a script's stdout can stay
# reserved for the `export VAR=...` lines its caller evals.

CI_USER="${CI_USER:-oer-ci}"

ci_log() { echo "${CI_LOG_PREFIX:-ci}: $*" >&2; }
ci_die() { ci_log "$*"; exit 1; }

# Install the given Debian packages that are not installed yet, with one `apt-get update`
# per CI run (OER_CI_APT_UPDATED marks it done for the scripts that run after).
apt_install_missing() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "${package}" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("${package}")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || ci_die "missing packages (${missing[*]}); install them as root"
    if [ -z "${OER_CI_APT_UPDATED:-}" ]; then
        ci_log "apt-get update"
        apt-get update -qq >&2
        export OER_CI_APT_UPDATED=1
    fi
    ci_log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >&2
}

# The unprivileged user the services run as (PostgreSQL and Elasticsearch refuse root).
ensure_ci_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id -u "${CI_USER}" >/dev/null 2>&1 && return 0
    useradd --system --no-create-home --shell /usr/sbin/nologin "${CI_USER}" 2>/dev/null \
        || id -u "${CI_USER}" >/dev/null 2>&1 \
        || ci_die "could not create user ${CI_USER}"
}

# Run a command as the CI user when root, as oneself otherwise.
as_ci_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "${CI_USER}" -- "$@"
    else
        "$@"
    fi
}

# wait_for_port HOST PORT SECONDS: succeed once a TCP connection to HOST:PORT is accepted.
wait_for_port() {
    local host="$1" port="$2" seconds="$3" deadline
    deadline=$((SECONDS + seconds))
    while [ "${SECONDS}" -lt "${deadline}" ]; do
        (exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# stop_by_pid_file NAME PID_FILE SECONDS: stop the process a start script recorded in PID_FILE,
# waiting up to SECONDS for it to exit; a script only ever stops what it started itself.
stop_by_pid_file() {
    local name="$1" pid_file="$2" seconds="$3" pid deadline
    if [ -f "${pid_file}" ] && kill -0 "$(cat "${pid_file}")" 2>/dev/null; then
        pid="$(cat "${pid_file}")"
        ci_log "stopping ${name} (pid ${pid})"
        kill "${pid}"
        deadline=$((SECONDS + seconds))
        while kill -0 "${pid}" 2>/dev/null && [ "${SECONDS}" -lt "${deadline}" ]; do sleep 0.1; done
        rm -f "${pid_file}"
    else
        ci_log "no ${name} started by this script is running"
    fi
}
