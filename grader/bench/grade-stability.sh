#!/usr/bin/env bash
# A benchmark of the grader itself (not a test): how long grading takes on a built tree, and
# how stable its verdicts are.
#   1. the time to grade every lab of the solutions once the trees are built;
#   2. the solutions graded RUNS times in a row: how often full marks;
#   3. the same with a busy loop taking one core throughout;
#   4. a known-slow variant (lab 02 with version 3 taking the lock per element) graded RUNS
#      times: how often its timing check fails.
# Usage: grader/bench/grade-stability.sh [RUNS] [PHASE...]   (default 10 runs; phases: time idle
#        busy slow, all by default)
set -uo pipefail
runs=${1:-10}
phases=${*:2}
phases=${phases:-time idle busy slow}
wants() { [[ " $phases " == *" $1 "* ]]; }
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
work=$(mktemp -d)
busy_pid=""
trap '[[ -n $busy_pid ]] && kill "$busy_pid" 2>/dev/null; rm -rf "$work"' EXIT

# report QUESTION FILE [CHECK]: one answer read from a JSON report (the README's "The JSON report";
# a report of another format stops the benchmark):
#   full      exit 0 when the total is the maximum
#   skipped   how many checks were not run here (a timing check without free cores)
#   failures  "name: message" of the first checks that neither passed nor were skipped
#   status    the status of check CHECK
report() {
    python3 - "$@" <<'PY'
import json, sys
question, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
if r.get("format") != 1:
    sys.exit(f"grade-stability: {path} is a report of format {r.get('format')}, this script reads format 1")
checks = [c for lab in r["labs"] for c in lab["checks"]]
if question == "full":
    sys.exit(0 if r["score"] == r["max_score"] else 1)
elif question == "skipped":
    print(sum(c["status"] == "skipped" for c in checks))
elif question == "failures":
    for c in [c for c in checks if c["status"] not in ("passed", "skipped")][:3]:
        print(f"    {c['name']}: {c['message']}")
elif question == "status":
    print(next((c["status"] for c in checks if c["name"] == sys.argv[3]), "missing"))
PY
}
skipped=0

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs"
./parlab grade --solutions --quiet --seed 1 >/dev/null 2>&1  # builds the trees
if wants time; then
    start=$(date +%s.%N)
    ./parlab grade --solutions --quiet --json "$work/one.json" >/dev/null 2>&1
    echo "grading all labs of the solutions on a built tree: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
fi

solutions_runs() {
    local label=$1 ok=0 i
    for ((i = 1; i <= runs; i++)); do
        ./parlab grade --solutions --quiet --json "$work/run.json" >/dev/null 2>&1
        skipped=$((skipped + $(report skipped "$work/run.json")))
        if report full "$work/run.json"; then ok=$((ok + 1)); else
            echo "  run $i: not full marks"
            report failures "$work/run.json"
        fi
    done
    echo "solutions, $label: full marks in $ok of $runs runs ($skipped checks skipped for want of free cores)"
    skipped=0
}
wants idle && solutions_runs "idle machine"

if wants busy; then
    (while :; do :; done) &
    busy_pid=$!
    solutions_runs "busy loop on one core"
    kill "$busy_pid"
    busy_pid=""
fi
wants slow || exit 0

# A submission laid out like labs/: the solutions, with lab 02's known-slow version 3.
mkdir -p "$work/slow"
cp -r solutions/02-lock-placement "$work/slow/"
patch --quiet -o "$work/slow/02-lock-placement/dot.cpp" solutions/02-lock-placement/dot.cpp \
    solutions/02-lock-placement/bad/lock-per-element-as-v3.patch
failed=0
for ((i = 1; i <= runs; i++)); do
    ./parlab grade lock-placement --submission "$work/slow" --quiet --json "$work/slow.json" >/dev/null 2>&1
    if [[ $(report status "$work/slow.json" lock-per-chunk-faster) == failed ]]; then
        failed=$((failed + 1))
    fi
done
echo "known-slow variant (version 3 locking per element): timing check failed in $failed of $runs runs"
