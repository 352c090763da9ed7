#!/usr/bin/env bash
# Installs what the browser tests (tests/browser) need; idempotent, quick when up to date.
#
#   tests/browser/setup.sh              npm packages + Debian's chromium (+ iproute2, util-linux)
#   tests/browser/setup.sh --npm        npm packages only (what harness.ensure_node_modules runs)
#   tests/browser/setup.sh --chromium   Debian packages only
#
# npm: `npm ci` from package-lock.json (exact versions of playwright-core, mediasoup-client,
# esbuild), skipped when node_modules/.setup-stamp holds the lock file's sha256.
# Debian: `apt-get install -y chromium` when /usr/bin/chromium is missing (needs root, as CI
# runs; `apt-get update` first when the package is not found). Playwright's own browser
# download is never used: driver.js starts /usr/bin/chromium through executablePath.
set -euo pipefail
cd "$(dirname "$0")"

do_npm=1
do_debian=1
case "${1:-}" in
    "") ;;
    --npm) do_debian=0 ;;
    --chromium) do_npm=0 ;;
    *) echo "usage: $0 [--npm|--chromium]" >&2; exit 2 ;;
esac

say() { echo "tests/browser/setup.sh: $*" >&2; }

apt_install() {
    # apt_install PACKAGE...: install with apt-get, updating the lists once if needed.
    if ! command -v apt-get >/dev/null 2>&1; then
        say "apt-get is not available: install $* by hand (browser tests skip without them)"
        return 1
    fi
    if [ "$(id -u)" != 0 ]; then
        say "not root: run 'sudo apt-get install -y $*' (browser tests skip without them)"
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; then
        say "apt-get update, then installing $*"
        if ! { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$@"; }; then
            say "apt-get could not install $* (no network or no Debian repository?)"
            return 1
        fi
    fi
}

if [ "$do_debian" = 1 ]; then
    missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    command -v ip >/dev/null 2>&1 || missing+=(iproute2)
    command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        apt_install "${missing[@]}" || exit 1
    fi
    say "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
fi

if [ "$do_npm" = 1 ]; then
    if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
        say "node and npm are needed (Node.js >= 18): apt-get install -y nodejs npm"
        exit 1
    fi
    want="$(sha256sum package-lock.json | cut -d' ' -f1)"
    have="$(cat node_modules/.setup-stamp 2>/dev/null || true)"
    if [ "$want" != "$have" ] || [ ! -x node_modules/.bin/esbuild ]; then
        say "npm ci (playwright-core, mediasoup-client, esbuild)"
        npm ci --no-audit --no-fund --loglevel=error >&2
        node_modules/.bin/esbuild --version >/dev/null
        echo "$want" > node_modules/.setup-stamp
    fi
    say "npm packages: up to date ($(node -p "['playwright-core','mediasoup-client','esbuild'].map(n => n + '@' + JSON.parse(require('fs').readFileSync('node_modules/' + n + '/package.json')).version).join(' ')"))"
fi
