#!/usr/bin/env bash
# Installs what the tests need, then runs the whole check: format, lints, every test.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

for setup in scripts/setup/*.sh; do
    [ -e "$setup" ] || continue
    echo "==> setup: $setup"
    bash "$setup"
done

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> module stacks (no import loop in the engine or the server)"
scripts/check-modules.sh

echo "==> cargo build (binaries used by the tests)"
cargo build --workspace --bins --locked

echo "==> tests"
# The dashboard's browser test must run here, not skip.
export TOOLEXEC_REQUIRE_BROWSER=1
# The short load test must run here too (scripts/setup/wrk.sh installs wrk).
export TOOLEXEC_REQUIRE_WRK=1
# The Python suite (crates/toolexec-python) must run here, not skip.
export TOOLEXEC_REQUIRE_PYTHON=1
cargo test --workspace --locked --no-fail-fast

echo "==> all checks passed"
