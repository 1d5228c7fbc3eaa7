#!/usr/bin/env bash
# Installs wrk, the HTTP load generator of the loopback load test (scripts/load.sh and
# the short load test of `cargo test`), from Debian. Idempotent: does nothing when wrk
# is already installed.
set -euo pipefail

if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk.sh: installing Debian's wrk"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq wrk >/dev/null
fi

wrk --version 2>&1 | head -n 1 || true
