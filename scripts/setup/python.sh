#!/usr/bin/env bash
# Builds the `toolexec` Python wheel (crates/toolexec-python, PyO3 + maturin) and
# installs it, with pytest and pytest-asyncio, into a virtual environment at
# target/py-venv. The pytest suite runs from `cargo test` (crates/toolexec-python/tests/
# pytest.rs). Idempotent: the venv and the pinned packages are kept when present; the
# wheel is rebuilt (cargo's incremental build makes that quick when nothing changed).
#
#   TOOLEXEC_PY_PROFILE=release   builds an optimised wheel (for the benchmark)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"

MATURIN_VERSION="1.16.0"
PYTEST_VERSION="9.2.0"
PYTEST_ASYNCIO_VERSION="1.5.0"
VENV="$ROOT/target/py-venv"
PYTHON="$VENV/bin/python"
PROFILE="${TOOLEXEC_PY_PROFILE:-debug}"

if [ ! -x "$PYTHON" ]; then
    python3 -m venv "$VENV"
fi

wanted="maturin==$MATURIN_VERSION pytest==$PYTEST_VERSION pytest-asyncio==$PYTEST_ASYNCIO_VERSION"
installed="$("$PYTHON" -m pip freeze --disable-pip-version-check 2>/dev/null || true)"
missing=""
for pin in $wanted; do
    grep -qix "$pin" <<<"$installed" || missing="$missing $pin"
done
if [ -n "$missing" ]; then
    "$PYTHON" -m pip install --quiet --disable-pip-version-check $missing
fi

WHEELS="$ROOT/target/py-wheels/$PROFILE"
rm -rf "$WHEELS"
args=(build --manifest-path crates/toolexec-python/Cargo.toml --interpreter "$PYTHON" --out "$WHEELS" --locked)
if [ "$PROFILE" = "release" ]; then
    args+=(--release)
fi
"$VENV/bin/maturin" "${args[@]}"
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$WHEELS"/toolexec-*.whl
"$PYTHON" -c "import toolexec; print('toolexec', toolexec.__version__, 'installed in target/py-venv')"
