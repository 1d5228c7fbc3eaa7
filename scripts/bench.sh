#!/usr/bin/env bash
# Runs every workload of BENCHMARKS.md ("Workloads") on toolexec and on the raw and
# tower baselines, RUNS times each (interleaved, so that noise from other processes
# spreads evenly), and writes a markdown table of medians and ratios into BENCHMARKS.md
# between the `bench:begin` and `bench:end` markers (and to target/bench/latest.md).
#
#   scripts/bench.sh               # 5 runs of every workload at their defined sizes
#   QUICK=1 scripts/bench.sh       # 1 run, scale and history at a tenth of the size
#   RUNS=3 WORKLOADS="noop fanout" IMPLS="toolexec raw" scripts/bench.sh
#   BIN=/path/to/toolexec-bench NO_WRITE=1 scripts/bench.sh   # measure another build
#   JOURNAL=1 scripts/bench.sh     # the journal's cost (3 runs; RUNS_JOURNAL=5,
#                                  # JOURNAL_WORKLOADS=fanout, HISTORY_CALLS=200000)
#
# fanout, flaky and timeouts are also run as one chain of calls with no concurrency
# (the same ideal time): the efficiency the timer alone allows, shown beside theirs.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
WORKLOADS=${WORKLOADS:-"noop fanout flaky timeouts history scale"}
IMPLS=${IMPLS:-"toolexec raw tower"}
OUT=${OUT:-target/bench}
if [[ "${QUICK:-0}" == 1 ]]; then
  RUNS=${RUNS_QUICK:-1}
fi

if [[ -z "${BIN:-}" ]]; then
  cargo build --release -p toolexec-bench >&2
  BIN=target/release/toolexec-bench
fi
mkdir -p "$OUT"

# JOURNAL=1 scripts/bench.sh: the journal's cost instead (BENCHMARKS.md, "The journal's
# cost"): history and fanout without a journal and with one (the journal's defaults:
# calls are paced while its writer is behind, so nothing is dropped), RUNS_JOURNAL times
# interleaved, each line with the load average before it; medians in
# target/bench/journal.md (BENCHMARKS.md is not changed). The writer thread's CPU time is
# measured apart, so the engine's side (its calls and the records it serializes) and the
# writer's side are shown separately.
if [[ "${JOURNAL:-0}" == 1 ]]; then
  JRUNS=${RUNS_JOURNAL:-3}
  JOURNAL_OUT="$OUT/journal.jsonl"
  : > "$JOURNAL_OUT"
  history_calls=${HISTORY_CALLS:-1000000}
  for run in $(seq 1 "$JRUNS"); do
    for variant in none default; do
      case "$variant" in
        none) jflags="" ;;
        default) jflags="--journal" ;;
      esac
      for workload in ${JOURNAL_WORKLOADS:-history fanout}; do
        calls_flag=""
        [[ "$workload" == history ]] && calls_flag="--calls $history_calls"
        load=$(cut -d' ' -f1 /proc/loadavg)
        # shellcheck disable=SC2086
        line=$("$BIN" --workload "$workload" $calls_flag $jflags)
        echo "{\"variant\": \"$variant\", \"load1\": $load, \"run\": $line}" >> "$JOURNAL_OUT"
        echo "run $run/$JRUNS $workload $variant (load $load): $line" >&2
      done
    done
  done
  python3 - "$JOURNAL_OUT" "$JRUNS" > "$OUT/journal.md" <<'PY'
import json, statistics, sys
from collections import defaultdict
path, runs = sys.argv[1:3]
rows = defaultdict(list)
for line in open(path):
    if line.strip():
        r = json.loads(line)
        rows[(r["run"]["workload"], r["variant"])].append(r)
def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None
def f(v, d=1):
    return "–" if v is None else f"{v:,.{d}f}"
names = {"none": "no journal", "default": "journal (defaults)"}
loads = [r["load1"] for rs in rows.values() for r in rs]
print(f"Medians of {runs} interleaved run(s); load average (1 min) before each run: "
      f"min {min(loads):.2f}, median {statistics.median(loads):.2f}, max {max(loads):.2f}.")
print()
print("| workload | variant | wall ms | efficiency | calls written | records dropped | flush ms | journaled calls/s | CPU µs/call, all (incl. flush) | engine side µs/call | writer µs/call written | writer waited for a CPU, ms | file MiB | peak RSS MiB | load |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for w in ["history", "fanout"]:
    for v in ["none", "default"]:
        rs = rows.get((w, v))
        if not rs:
            continue
        run = [r["run"] for r in rs]
        j = [x["journal"] or {} for x in run]
        calls = run[0]["calls"]
        total = lambda x: x["cpu_ms"] + (x["journal"] or {}).get("flush_cpu_ms", 0.0)
        writer = lambda x: ((x["journal"] or {}).get("writer_cpu_ms") or 0.0)
        written = lambda x: (x["journal"] or {}).get("calls_written") or None
        fb = med([y.get("file_bytes") for y in j])
        print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            w, names[v], f(med([x["wall_ms"] for x in run])),
            f(med([x["efficiency"] for x in run]), 3),
            f(med([y.get("calls_written") for y in j]), 0),
            f(med([y.get("dropped") for y in j]), 0),
            f(med([y.get("flush_ms") for y in j])),
            f(med([y.get("journaled_calls_per_s") for y in j]), 0),
            f(med([total(x) * 1000 / calls for x in run]), 2),
            f(med([(total(x) - writer(x)) * 1000 / calls for x in run]), 2),
            f(med([writer(x) * 1000 / written(x) if written(x) else None for x in run]), 2),
            f(med([y.get("writer_wait_ms") for y in j]), 0),
            f(None if fb is None else fb / 1048576, 0),
            f(med([x["peak_rss_kb"] / 1024 for x in run]), 0),
            " ".join(f"{r['load1']:.1f}" for r in rs)))
PY
  cat "$OUT/journal.md"
  exit 0
fi

RESULTS="$OUT/results.jsonl"
FLOOR="$OUT/floor.jsonl"
: > "$RESULTS"
: > "$FLOOR"

# One chain of calls, one at a time, with the workload's ideal time: fanout's 10 waves
# of 10 ms, one flaky call (45 ms of waits), one hung call (a 50 ms timeout).
floor_flags_for() {
  case "$1" in
    fanout) echo "--calls 10 --concurrency 1" ;;
    flaky) echo "--calls 1 --concurrency 1" ;;
    timeouts) echo "--calls 1 --concurrency 1 --hang-every 1" ;;
  esac
}

flags_for() {
  if [[ "${QUICK:-0}" == 1 ]]; then
    case "$1" in
      scale) echo "--calls 100000" ;;
      history) echo "--calls 200000" ;;
    esac
  fi
}

for run in $(seq 1 "$RUNS"); do
  for workload in $WORKLOADS; do
    for impl in $IMPLS; do
      # shellcheck disable=SC2046
      line=$("$BIN" --workload "$workload" --impl "$impl" $(flags_for "$workload"))
      echo "$line" >> "$RESULTS"
      echo "run $run/$RUNS $workload $impl: $line" >&2
      floor=$(floor_flags_for "$workload")
      if [[ -n "$floor" ]]; then
        # shellcheck disable=SC2086
        "$BIN" --workload "$workload" --impl "$impl" $floor >> "$FLOOR"
      fi
    done
  done
done

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), \
$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

python3 - "$RESULTS" "$RUNS" "$machine" "$commit" "$FLOOR" > "$OUT/latest.md" <<'PY'
import json, statistics, sys
from collections import defaultdict

results, runs, machine, commit, floor_results = sys.argv[1:6]

def load(path):
    rows = defaultdict(list)
    for line in open(path):
        if line.strip():
            r = json.loads(line)
            rows[(r["workload"], r["impl"])].append(r)
    return rows

rows = load(results)
floor = load(floor_results)

def floor_eff(w, i):
    vals = [r["efficiency"] for r in floor.get((w, i), []) if r.get("efficiency") is not None]
    return statistics.median(vals) if vals else None

def med(key, w, i):
    vals = [r[key] for r in rows.get((w, i), []) if r.get(key) is not None]
    return statistics.median(vals) if vals else None

def fmt(v, digits=1):
    if v is None:
        return "–"
    if isinstance(v, float) and not v.is_integer() or digits > 0:
        return f"{v:,.{digits}f}"
    return f"{v:,}"

def mib(kb):
    return None if kb is None else kb / 1024

def ratio(a, b):
    return None if a is None or not b else a / b

order = ["noop", "fanout", "flaky", "timeouts", "history", "scale"]
impls = ["toolexec", "raw", "tower"]
workloads = [w for w in order if any((w, i) in rows for i in impls)]
out = []
out.append(f"Medians of {runs} run(s) per cell, commit `{commit}`; machine: {machine}.")
out.append("")
out.append("| workload | impl | calls | conc. | wall ms | ideal ms | efficiency | CPU µs/call | CPU/call ÷ raw | wall ÷ raw | peak RSS MiB | ok / failed / timeout |")
out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for w in workloads:
    for i in impls:
        rs = rows.get((w, i))
        if not rs:
            continue
        first = rs[0]
        counts = {(r["ok"], r["failed"], r["timeout"]) for r in rs}
        count_text = " / ".join(str(c) for c in first and (first["ok"], first["failed"], first["timeout"]))
        if len(counts) > 1:
            count_text += " (varies)"
        eff = med("efficiency", w, i)
        rss = med("peak_rss_kb", w, i)
        out.append("| {} | {} | {:,} | {:,} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            w, i, first["calls"], first["concurrency"],
            fmt(med("wall_ms", w, i)), fmt(first["ideal_ms"], 0),
            fmt(eff, 3) if eff is not None else "–",
            fmt(med("per_call_overhead_us", w, i), 2),
            fmt(ratio(med("per_call_overhead_us", w, i), med("per_call_overhead_us", w, "raw")), 2),
            fmt(ratio(med("wall_ms", w, i), med("wall_ms", w, "raw")), 2),
            fmt(rss / 1024 if rss else None, 0), count_text))

if "history" in workloads:
    out.append("")
    out.append("`history`: resident memory per kept record at the bounded capacity (RSS delta from an empty history to a full one, after warm-up batches on an engine that keeps none), RSS growth after the history is full, and statistics reads after all calls.")
    out.append("")
    out.append("| impl | records kept | bytes / record | RSS growth after full KiB | stats read µs (median of 21) | first stats read µs |")
    out.append("|---|---:|---:|---:|---:|---:|")
    for i in impls:
        if ("history", i) in rows:
            out.append("| {} | {} | {} | {} | {} | {} |".format(
                i, fmt(med("records_kept", "history", i), 0), fmt(med("bytes_per_record", "history", i), 0),
                fmt(med("rss_growth_after_full_kb", "history", i), 0), fmt(med("stats_read_us", "history", i), 2),
                fmt(med("stats_first_read_us", "history", i), 1)))

floor_workloads = [w for w in ["fanout", "flaky", "timeouts"] if any((w, i) in floor for i in impls)]
if floor_workloads:
    out.append("")
    out.append("The timer floor: the same ideal time as one chain of calls with no concurrency (fanout: 10 calls one after another; flaky: one call; timeouts: one hung call), median efficiency. Every sleep, backoff and timeout ends on the millisecond tick after its deadline.")
    out.append("")
    out.append("| workload | " + " | ".join(impls) + " |")
    out.append("|---|" + "---:|" * len(impls))
    for w in floor_workloads:
        out.append(f"| {w} | " + " | ".join(fmt(floor_eff(w, i), 3) for i in impls) + " |")

def check(name, value, ok, shown):
    out.append(f"| {name} | {shown} | {'met' if ok else 'missed'} |")

out.append("")
out.append("| target | toolexec (median) | |")
out.append("|---|---|---|")
t = lambda k, w: med(k, w, "toolexec")
if ("noop", "toolexec") in rows:
    r_raw = ratio(t("per_call_overhead_us", "noop"), med("per_call_overhead_us", "noop", "raw"))
    r_tower = ratio(t("per_call_overhead_us", "noop"), med("per_call_overhead_us", "noop", "tower"))
    if r_raw is not None:
        check("noop: CPU per call <= 1.5 x raw", r_raw, r_raw <= 1.5, f"{r_raw:.2f} x raw")
    if r_tower is not None:
        check("noop: CPU per call below tower", r_tower, r_tower < 1.0, f"{r_tower:.2f} x tower")
    w_raw = ratio(t("wall_ms", "noop"), med("wall_ms", "noop", "raw"))
    if w_raw is not None:
        check("noop: wall <= 1.5 x raw (same figure by wall time)", w_raw, w_raw <= 1.5, f"{w_raw:.2f} x raw")
for w in ["fanout", "flaky", "timeouts"]:
    e = t("efficiency", w)
    if e is not None:
        chain = floor_eff(w, "toolexec")
        chain_text = f"; one chain alone {chain:.3f}" if chain is not None else ""
        check(f"{w}: efficiency >= 0.9", e, e >= 0.9, f"{e:.3f} (raw {fmt(med('efficiency', w, 'raw'), 3)}, tower {fmt(med('efficiency', w, 'tower'), 3)}{chain_text})")
b = t("bytes_per_record", "history")
if b is not None:
    check("history: <= 256 bytes per record", b, b <= 256, f"{b:.0f} B")
s = t("stats_read_us", "history")
if s is not None:
    calls = rows[("history", "toolexec")][0]["calls"]
    check(f"history: stats read < 1 ms after {calls:,} calls", s, s < 1000, f"{s:.1f} µs")
e = t("efficiency", "scale")
if e is not None:
    calls = rows[("scale", "toolexec")][0]["calls"]
    check(f"scale ({calls:,} calls): efficiency >= 0.8", e, e >= 0.8, f"{e:.3f} (raw {fmt(med('efficiency', 'scale', 'raw'), 3)}, tower {fmt(med('efficiency', 'scale', 'tower'), 3)})")
    rss = mib(t("peak_rss_kb", "scale"))
    check(f"scale ({calls:,} calls): peak memory < 2 GiB", rss, rss < 2048, f"{rss:,.0f} MiB (raw {fmt(mib(med('peak_rss_kb', 'scale', 'raw')), 0)}, tower {fmt(mib(med('peak_rss_kb', 'scale', 'tower')), 0)})")
print("\n".join(out))
PY
cat "$OUT/latest.md"

if [[ -z "${NO_WRITE:-}" && -z "${QUICK_NO_WRITE:-}" ]]; then
  python3 - "$OUT/latest.md" BENCHMARKS.md <<'PY'
import sys
table = open(sys.argv[1]).read().strip()
path = sys.argv[2]
doc = open(path).read()
begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
if begin in doc and end in doc:
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    doc = f"{head}{begin}\n{table}\n{end}{tail}"
else:
    doc = f"{doc.rstrip()}\n\n{begin}\n{table}\n{end}\n"
open(path, "w").write(doc)
PY
  echo "updated BENCHMARKS.md" >&2
fi
