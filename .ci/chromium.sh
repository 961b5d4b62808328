#!/usr/bin/env bash
# Make Debian's Chromium available for the browser tests (Playwright drives it).
#
# Usage:
#   eval "$(bash .ci/chromium.sh)"    # install if missing; exports OER_TEST_CHROMIUM
#
# Installs the Debian package `chromium` when it is missing (never `playwright install`: the
# tests launch this binary through Playwright's executable_path). Checks that it starts
# headless, then prints `export OER_TEST_CHROMIUM=/usr/bin/chromium` on stdout; progress goes
# to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CI_LOG_PREFIX="chromium.sh"
# shellcheck source=lib.sh
source "${ROOT}/.ci/lib.sh"

CHROMIUM="/usr/bin/chromium"

[ -x "${CHROMIUM}" ] || apt_install_missing chromium
[ -x "${CHROMIUM}" ] || ci_die "${CHROMIUM} is missing after installing the chromium package"

# Debian's wrapper prints a harmless shell warning on stderr on some machines; the version
# line on stdout is what tells that the binary runs.
version="$("${CHROMIUM}" --headless --no-sandbox --disable-gpu --version 2>/dev/null || true)"
[ -n "${version}" ] || ci_die "${CHROMIUM} does not run"
ci_log "${version}"
echo "export OER_TEST_CHROMIUM=${CHROMIUM}"
