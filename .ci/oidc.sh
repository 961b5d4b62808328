#!/usr/bin/env bash
# Install the OpenID Connect test provider's Node modules (panva's oidc-provider) for the
# sign-in tests.
#
# Usage:
#   bash .ci/oidc.sh      # `npm ci` in tests/support/oidc, from its package-lock.json
#
# Installs Debian's nodejs and npm when node is missing (as root), checks that node is 20 or
# later, then runs `npm ci` (the lock's integrity hashes are checked) unless node_modules is
# already installed from this very lock. Prints nothing on stdout; progress goes to stderr.
# The tests start the provider themselves (tests/support/oidc_provider.py); with CI=true a
# missing provider fails them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CI_LOG_PREFIX="oidc.sh"
# shellcheck source=lib.sh
source "${ROOT}/.ci/lib.sh"

PROVIDER_DIR="${ROOT}/tests/support/oidc"

command -v node >/dev/null || apt_install_missing nodejs npm
command -v node >/dev/null || ci_die "node is missing after installing the nodejs package"
command -v npm >/dev/null || apt_install_missing npm
command -v npm >/dev/null || ci_die "npm is missing after installing the npm package"

major="$(node -p 'process.versions.node.split(".")[0]')"
[ "${major}" -ge 20 ] || ci_die "node ${major} is too old for oidc-provider; 20 or later is needed"
ci_log "node $(node --version), npm $(npm --version)"

# npm ci copies the lock into node_modules/.package-lock.json: equal means already installed.
installed="${PROVIDER_DIR}/node_modules/.package-lock.json"
if [ -d "${PROVIDER_DIR}/node_modules/oidc-provider" ] && [ -f "${installed}" ] \
    && node -e '
        const fs = require("fs");
        const [lock, installed] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f)));
        process.exit(JSON.stringify(lock.packages ? Object.keys(lock.packages).filter(Boolean).sort()
            .map((k) => [k, lock.packages[k].version, lock.packages[k].integrity]) : null) ===
            JSON.stringify(Object.keys(installed.packages).sort()
            .map((k) => [k, installed.packages[k].version, installed.packages[k].integrity])) ? 0 : 1);
    ' "${PROVIDER_DIR}/package-lock.json" "${installed}"; then
    ci_log "provider modules already installed from the lock"
    exit 0
fi
ci_log "npm ci in ${PROVIDER_DIR#"${ROOT}"/}"
(cd "${PROVIDER_DIR}" && npm ci --no-audit --no-fund >&2)
[ -d "${PROVIDER_DIR}/node_modules/oidc-provider" ] || ci_die "npm ci did not install oidc-provider"
ci_log "provider modules installed"
