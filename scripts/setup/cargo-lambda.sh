#!/usr/bin/env bash
# Installs the cargo-lambda subcommand (and its local Lambda emulator, `cargo lambda
# watch`) from PyPI. Idempotent: returns at once when the pinned version is installed.
set -euo pipefail

VERSION="${CARGO_LAMBDA_VERSION:-1.9.2}"

if command -v cargo-lambda >/dev/null 2>&1 \
    && cargo-lambda lambda --version 2>/dev/null | grep -q "$VERSION"; then
    exit 0
fi

python3 -m pip install --quiet --disable-pip-version-check "cargo-lambda==${VERSION}"
# pyenv installs console scripts behind shims that need a rehash to appear on PATH.
if command -v pyenv >/dev/null 2>&1; then
    pyenv rehash || true
fi
cargo-lambda lambda --version
