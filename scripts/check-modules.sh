#!/usr/bin/env bash
# Fails when the modules of the engine or of the server import each other in a loop:
# each must stay a one-way stack (docs/ARCHITECTURE.md).
#
# cargo-modules (installed by scripts/setup/cargo-modules.sh) draws each crate's module
# graph, every `use` resolved to the module that defines the item (re-exports looked
# through), plus each module's ownership of its submodules; `tsort` then finds any
# loop in it. (`cargo modules dependencies --acyclic` checks the graph of items, in
# which every method that names its own type is a loop, so it cannot be used here.)
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
for package in toolexec toolexec-server; do
    echo "==> no import loop among the modules of $package"
    graph=$(cargo modules dependencies --package "$package" --lib --no-externs \
        --no-sysroot --no-fns --no-traits --no-types --layout dot)
    edges=$(grep -E '\[label="(uses|owns)"' <<<"$graph" \
        | sed -E 's/^ *"([^"]+)" -> "([^"]+)".*/\1 \2/')
    if [[ -z "$edges" ]]; then
        echo "no module edges found for $package: cargo-modules output changed?" >&2
        exit 1
    fi
    if ! tsort <<<"$edges" > /dev/null; then
        echo "the modules of $package import each other in a loop (see above)" >&2
        status=1
    fi
done
exit $status
