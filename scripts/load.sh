#!/usr/bin/env bash
# The loopback load test of `toolexec serve` (BENCHMARKS.md, "Server under load"):
#   1. wrk, DURATION s (60), CONNECTIONS connections (200), small batches (four
#      calls of a sim tool each); requests/s, p50/p99, errors, and the server's RSS
#      at the 20th second and at the end;
#   2. the same with HOSTILE (300) slow and half-sent clients mixed in
#      (scripts/load/hostile.py), for the same numbers of the well-behaved ones;
#   each with the server's /healthz at the end (its journal: written, dropped).
# Prints one JSON line per run. Installs wrk when missing (scripts/setup/wrk.sh).
# Needs a release build; builds it when target/release/toolexec is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-200}
HOSTILE=${HOSTILE:-300}
THREADS=${THREADS:-2}
BIN=${TOOLEXEC_BIN:-target/release/toolexec}

bash scripts/setup/wrk.sh >/dev/null
[ -x "$BIN" ] || cargo build --release --locked -p toolexec-cli

work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/toolexec.toml" <<'TOML'
[tools.echo]
backend = "sim"
TOML

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# Starts the server on a free port, on a fresh journal; sets `port` and `server_pid`.
start_server() {
    rm -f "$work"/journal.db*
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$BIN" serve --addr "127.0.0.1:$port" --config "$work/toolexec.toml" --db "$work/sample.db" \
        >"$work/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do
        if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
            return
        fi
        sleep 0.1
    done
    echo "load.sh: the server did not start" >&2
    cat "$work/serve.log" >&2
    exit 1
}

run() {
    local name=$1 hostile=$2 wrk_out rss20 rss_end hostile_out="{}" hostile_pid="" sampler_pid
    start_server
    sleep 1
    local rss_start
    rss_start=$(rss_kib "$server_pid")
    if [ "$hostile" -gt 0 ]; then
        python3 scripts/load/hostile.py 127.0.0.1 "$port" "$hostile" "$DURATION" >"$work/hostile.json" &
        hostile_pid=$!
    fi
    (sleep 20; rss_kib "$server_pid" >"$work/rss20") &
    sampler_pid=$!
    wrk_out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
        -s scripts/load/batch.lua "http://127.0.0.1:$port/v1/batches" | tail -n 1)
    rss_end=$(rss_kib "$server_pid")
    local health
    health=$(curl -fs "http://127.0.0.1:$port/healthz" || echo '{}')
    wait "$sampler_pid" || true
    [ -n "$hostile_pid" ] && { wait "$hostile_pid" || true; }
    rss20=$(cat "$work/rss20" 2>/dev/null || echo 0)
    [ "$hostile" -gt 0 ] && hostile_out=$(cat "$work/hostile.json")
    printf '{"run": "%s", "duration_s": %s, "connections": %s, "wrk": %s, "rss_kib": {"start": %s, "at_20s": %s, "at_end": %s}, "hostile": %s, "health": %s}\n' \
        "$name" "$DURATION" "$CONNECTIONS" "$wrk_out" "$rss_start" "$rss20" "$rss_end" "$hostile_out" "$health"
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

run plain 0
run hostile "$HOSTILE"
