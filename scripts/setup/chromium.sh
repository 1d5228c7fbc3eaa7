#!/usr/bin/env bash
# Installs what the dashboard's browser test needs: Debian's Chromium (the test drives
# /usr/bin/chromium; Playwright's own browser download does not work here) and
# playwright-core in crates/toolexec-server/e2e/. Idempotent: does nothing that is
# already done.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/bin/chromium ]; then
    echo "chromium.sh: installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi

e2e=crates/toolexec-server/e2e
if [ ! -d "$e2e/node_modules/playwright-core" ]; then
    echo "chromium.sh: installing playwright-core into $e2e"
    (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi

/usr/bin/chromium --version
node --version
