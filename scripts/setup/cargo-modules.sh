#!/usr/bin/env bash
# Installs cargo-modules, which scripts/check-modules.sh uses to prove that the
# engine's and the server's modules form no import loop. Idempotent: returns at once
# when the pinned version is installed. 0.27.0 is the last release that builds on the
# workspace's toolchain (0.28 needs a newer rustc).
set -euo pipefail

VERSION="${CARGO_MODULES_VERSION:-0.27.0}"

if command -v cargo-modules >/dev/null 2>&1 \
    && cargo-modules --version 2>/dev/null | grep -q "$VERSION"; then
    exit 0
fi

cargo install --locked --version "$VERSION" cargo-modules
