#!/usr/bin/env bash
# Builds and grades a student edition made by ./parlab release: it has no solutions/, and the
# grader still grades the untouched skeleton of lab 01 (which must not get full marks).
set -uo pipefail
kit=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "release test: $*" >&2; exit 1; }

"$kit/parlab" release "$work/kit" || fail "./parlab release failed"
[[ ! -e $work/kit/solutions ]] || fail "the student edition contains solutions/"
cd "$work/kit" || exit 1
PARLAB_NO_INSTALL=1 ./parlab grade race-condition --seed 11 --quiet --json "$work/report.json" >"$work/grade.log" 2>&1
status=$?
cat "$work/grade.log"
[[ $status -eq 1 ]] || fail "grading the skeleton should exit 1 (some checks fail), got $status"
grep -q '"max_score": 100' "$work/report.json" || fail "the report has no lab worth 100 points"
grep -q '"status": "failed"' "$work/report.json" || fail "no check failed on the skeleton"
if grep -q 'does not build' "$work/report.json"; then fail "the skeleton did not build in the student edition"; fi
PARLAB_NO_INSTALL=1 ./parlab list | grep -q "not yet" || fail "./parlab list does not show the graded tasks"
echo "release test: the student edition builds and grades"
