#!/usr/bin/env bash
# ./parlab watch reruns when a student file changes, by polling. The real build and test run is
# replaced (PARLAB_WATCH_RUN) and the watched folder is a scratch copy (PARLAB_WATCH_DIR), so
# this test changes nothing in the kit.
set -uo pipefail
kit=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "watch test: $*" >&2; exit 1; }

# Build the grader program first: the time limits below are for watching, not for building.
"$kit/parlab" list >/dev/null 2>&1 || fail "./parlab list failed"
cp -r "$kit/labs/01-race-condition" "$work/lab"
export PARLAB_WATCH_DIR="$work/lab" PARLAB_WATCH_INTERVAL=0.2 PARLAB_NO_INSTALL=1
export PARLAB_WATCH_RUN="echo run >> '$work/runs'"
# The first run starts at once; the second must follow the edit made after it (not at a fixed
# time: on a loaded machine ./parlab can take longer than that to start watching, and an edit made
# before it looks is no change).
( for _ in $(seq 150); do [[ -s $work/runs ]] && break; sleep 0.1; done
  sleep 0.5; echo "// edited" >> "$work/lab/bank.cpp" ) &
timeout 20 "$kit/parlab" watch race-condition --max-runs 2 >"$work/out" 2>&1
status=$?
cat "$work/out"
[[ $status -eq 0 ]] || fail "watch exited with $status"
[[ $(wc -l <"$work/runs") -eq 2 ]] || fail "expected 2 runs, saw $(wc -l <"$work/runs")"
grep -q "change seen, run 2" "$work/out" || fail "the edit was not noticed"

# A run that hangs is stopped by the time limit and said so.
export PARLAB_WATCH_RUN="sleep 30"
timeout 20 "$kit/parlab" watch race-condition --max-runs 1 --timeout 1 >"$work/out" 2>&1
grep -q "stopped after 1s" "$work/out" || fail "a hanging run was not stopped: $(cat "$work/out")"

# The real build and tests of an untouched skeleton (lab 03 fails in every task): a screenful
# that names the first failing task and counts the rest, not every failure of every task.
unset PARLAB_WATCH_RUN PARLAB_WATCH_DIR
timeout 600 "$kit/parlab" watch shared-image-copy --max-runs 1 >"$work/out" 2>&1
status=$?
lines=$(wc -l <"$work/out")
[[ $status -eq 0 ]] || fail "watch on the lab 03 skeleton exited with $status: $(tail -20 "$work/out")"
grep -q "some tests fail" "$work/out" || fail "the skeleton's run did not say that tests fail: $(tail -20 "$work/out")"
grep -q "task 1" "$work/out" || fail "the skeleton's run does not name the first failing task: $(cat "$work/out")"
((lines <= 60)) || fail "the skeleton's run printed $lines lines (at most 60): $(head -80 "$work/out")"
if grep -q "parlab: line" "$work/out"; then fail "script internals leak into the output: $(cat "$work/out")"; fi
echo "watch test: the lab 03 skeleton's first run is $lines lines"

"$kit/parlab" watch no-such-lab >/dev/null 2>&1
[[ $? -eq 2 ]] || fail "an unknown lab should exit 2"
echo "watch test: reruns on change, stops hanging runs"
